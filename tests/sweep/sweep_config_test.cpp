// Sweep files: grid expansion, zip groups, mechanism-specific axes, parity, row indices.
#include "sweep/sweep_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "engine/config.hpp"

namespace proteus::sweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> labels(const SweepPlan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.cells) out.push_back(c.label);
  return out;
}

TEST(SweepGrid, ExpandsCartesianProductWithLastAxisFastest) {
  const auto plan = parse_sweep(R"(
[sweep]
master_seed = 3
repetitions = 5
[grid]
"latent.sigma_eta" = [0.1, 0.2]
"agents.informed.activity" = [0.01, 0.02, 0.03]
)",
                                "g.toml");
  ASSERT_EQ(plan.cells.size(), 6u);
  EXPECT_EQ(plan.total_runs(), 30u);
  EXPECT_THAT(labels(plan),
              ElementsAre("sigma_eta=0.1, activity=0.01", "sigma_eta=0.1, activity=0.02",
                          "sigma_eta=0.1, activity=0.03", "sigma_eta=0.2, activity=0.01",
                          "sigma_eta=0.2, activity=0.02", "sigma_eta=0.2, activity=0.03"));
  EXPECT_THAT(plan.cells[4].point, ElementsAre(1u, 1u));
}

TEST(SweepGrid, NestedTablesAreDottedKeysInFileOrder) {
  const auto plan = parse_sweep(R"(
[sweep]
master_seed = 3
repetitions = 1
[grid.latent]
sigma_eta = [0.1, 0.2]
[grid.agents.informed]
activity = [0.5]
)",
                                "g.toml");
  ASSERT_EQ(plan.axes.size(), 2u);
  EXPECT_EQ(plan.axes[0].keys.front(), "latent.sigma_eta");
  EXPECT_EQ(plan.axes[1].keys.front(), "agents.informed.activity");
}

TEST(SweepGrid, ZipGroupVariesItsKeysTogether) {
  const auto plan = parse_sweep(R"(
[sweep]
master_seed = 3
repetitions = 2
[grid]
"run.duration_s" = [1.0, 2.0]
[[grid.zip]]
keys = ["latency.default.submit.value_ms", "latency.default.ack.value_ms"]
values = [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]
)",
                                "z.toml");
  ASSERT_EQ(plan.cells.size(), 6u);  // 2 x 3, not 2 x 3 x 3
  const Cell& c = plan.cells[5];
  ASSERT_EQ(c.settings.size(), 3u);
  EXPECT_EQ(c.settings[0].key, "run.duration_s");
  EXPECT_EQ(std::get<double>(c.settings[0].value), 2.0);
  EXPECT_EQ(std::get<double>(c.settings[1].value), 9.0);
  EXPECT_EQ(std::get<double>(c.settings[2].value), 10.0);
}

TEST(SweepGrid, MechanismSpecificAxisMultipliesOnlyItsMechanismsCells) {
  const auto plan = parse_sweep(R"(
[sweep]
master_seed = 3
repetitions = 4
treatment = ["run.mechanism"]
baseline = { "run.mechanism" = "clob" }
[grid]
"run.mechanism" = ["clob", "fba"]
"agents.informed.activity" = [0.03, 0.06]
[grid.per_mechanism.fba]
"mechanism.fba.delta_ms" = [100, 500]
)",
                                "m.toml");
  // Per activity level: one clob cell and two fba cells.
  EXPECT_THAT(labels(plan),
              ElementsAre("mechanism=clob, activity=0.03", "mechanism=clob, activity=0.06",
                          "mechanism=fba, activity=0.03, delta_ms=100",
                          "mechanism=fba, activity=0.03, delta_ms=500",
                          "mechanism=fba, activity=0.06, delta_ms=100",
                          "mechanism=fba, activity=0.06, delta_ms=500"));
  EXPECT_EQ(plan.axes[2].mechanism, "fba");
  EXPECT_EQ(plan.cells[0].point[2], kNotApplicable);
  EXPECT_EQ(plan.cells[3].mechanism, "fba");
  EXPECT_EQ(plan.total_runs(), 24u);
}

TEST(ContrastGroups, GroupCellsByNonTreatmentAxesWithTheBaselineCell) {
  const auto plan = parse_sweep(R"(
[sweep]
master_seed = 3
repetitions = 4
treatment = ["run.mechanism"]
baseline = { "run.mechanism" = "clob" }
[grid]
"run.mechanism" = ["clob", "fba"]
"agents.informed.activity" = [0.03, 0.06]
[grid.per_mechanism.fba]
"mechanism.fba.delta_ms" = [100, 500]
)",
                                "m.toml");
  // Cells (see above): 0 clob/0.03, 1 clob/0.06, 2-3 fba/0.03, 4-5 fba/0.06. The fba-only axis
  // travels with the treated mechanism, so each activity level is one group.
  const auto groups = contrast_groups(plan);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_THAT(groups[0].members, ElementsAre(0u, 2u, 3u));
  EXPECT_EQ(groups[0].baseline, 0u);
  EXPECT_THAT(groups[1].members, ElementsAre(1u, 4u, 5u));
  EXPECT_EQ(groups[1].baseline, 1u);
}

TEST(ContrastGroups, WithoutTreatmentEveryCellIsItsOwnGroupWithoutBaseline) {
  const auto plan = parse_sweep(R"(
[sweep]
master_seed = 3
repetitions = 2
[grid]
"agents.informed.activity" = [0.03, 0.06]
)",
                                "n.toml");
  const auto groups = contrast_groups(plan);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_THAT(groups[0].members, ElementsAre(0u));
  EXPECT_EQ(groups[0].baseline, kNotApplicable);
  EXPECT_FALSE(is_baseline_cell(plan, plan.cells[1]));
}

TEST(SweepGrid, PerMechanismAxisOfAnUnusedMechanismIsAnError) {
  try {
    parse_sweep(R"([sweep]
master_seed = 3
repetitions = 4
[grid]
"run.mechanism" = ["clob"]
[grid.per_mechanism.rfq]
"mechanism.rfq.dealers" = [2, 4]
)",
                "u.toml");
    FAIL() << "expected a ConfigError";
  } catch (const engine::ConfigError& e) {
    EXPECT_EQ(e.line(), 7);
    EXPECT_THAT(e.what(), HasSubstr("no cell has mechanism 'rfq'"));
  }
}

TEST(SweepGrid, TreatmentKeyMustBeAnAxis) {
  try {
    parse_sweep(R"([sweep]
master_seed = 3
repetitions = 4
treatment = ["run.mechanism"]
[grid]
"latent.sigma_eta" = [0.1]
)",
                "t.toml");
    FAIL() << "expected a ConfigError";
  } catch (const engine::ConfigError& e) {
    EXPECT_EQ(e.file(), "t.toml");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 13);
    EXPECT_EQ(e.key(), "sweep.treatment");
    EXPECT_THAT(e.what(), HasSubstr("treatment key 'run.mechanism' is not a grid axis"));
  }
}

TEST(SweepGrid, RejectsUnknownSweepKeyAndEmptyAxis) {
  EXPECT_THROW(parse_sweep("[sweep]\nmaster_seed = 1\nrepetitions = 1\nreps = 3\n", "a.toml"),
               engine::ConfigError);
  EXPECT_THROW(
      parse_sweep("[sweep]\nmaster_seed = 1\nrepetitions = 1\n[grid]\n\"a.b\" = []\n", "b.toml"),
      engine::ConfigError);
  EXPECT_THROW(
      parse_sweep("[sweep]\nmaster_seed = 1\nrepetitions = 1\n[grid]\n\"run.seed\" = [1, 2]\n",
                  "c.toml"),
      engine::ConfigError);
}

TEST(SweepGrid, BaselineMustBeOneOfTheAxisValues) {
  EXPECT_THROW(parse_sweep(R"([sweep]
master_seed = 3
repetitions = 4
treatment = ["agents.informed.activity"]
baseline = { "agents.informed.activity" = 0.5 }
[grid]
"agents.informed.activity" = [0.03, 0.06]
)",
                           "b.toml"),
               engine::ConfigError);
}

TEST(SweepResolve, CellsCarryMasterSeedAndTheirAxisValues) {
  const auto plan = load_sweep(R"(
[run]
duration_s = 2.0
seed = 99
[sweep]
master_seed = 12
repetitions = 3
[grid]
"agents.informed.activity" = [0.03, 0.06]
)",
                               "r.toml");
  ASSERT_EQ(plan.cells.size(), 2u);
  EXPECT_EQ(plan.cells[1].spec.run.seed, 12u);
  EXPECT_EQ(plan.cells[1].spec.agents.informed.activity, 0.06);
  EXPECT_EQ(plan.cells[1].spec.run.duration_s, 2.0);
  EXPECT_EQ(plan.environment, "market");
}

TEST(SweepResolve, EngineRejectionPointsAtTheAxis) {
  try {
    load_sweep(
        "[sweep]\nmaster_seed = 1\nrepetitions = 1\n[grid]\n"
        "\"agents.informed.activity\" = [0.5, 2.0]\n",
        "e.toml");
    FAIL() << "expected a ConfigError";
  } catch (const engine::ConfigError& e) {
    EXPECT_EQ(e.line(), 5);
    EXPECT_EQ(e.key(), "agents.informed.activity");
    EXPECT_THAT(e.what(), HasSubstr("cell 1 (activity=2.0)"));
  }
}

TEST(SweepParity, HoldsWhenOnlyTreatmentAxesDiffer) {
  const auto plan = load_sweep(R"(
[sweep]
master_seed = 1
repetitions = 2
treatment = ["agents.informed.activity"]
[grid]
"agents.informed.activity" = [0.03, 0.06]
"latent.sigma_eta" = [0.1, 0.2]
)",
                               "p.toml");
  EXPECT_TRUE(check_parity(plan).empty());
}

TEST(SweepParity, ZippedNonTreatmentKeyIsReportedWithBothValues) {
  const auto plan = load_sweep(R"(
[sweep]
master_seed = 1
repetitions = 2
treatment = ["latency.default.submit.value_ms"]
baseline = { "latency.default.submit.value_ms" = 1.0 }
[grid]
"latent.sigma_eta" = [0.1, 0.2]
[[grid.zip]]
keys = ["latency.default.submit.value_ms", "agents.informed.activity"]
values = [[1.0, 0.06], [5.0, 0.03]]
)",
                               "v.toml");
  const auto violations = check_parity(plan);
  // One violation per sigma_eta group: cell 1 vs 0 and cell 3 vs 2.
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].cell, 1u);
  EXPECT_EQ(violations[0].reference_cell, 0u);
  EXPECT_EQ(violations[0].key, "agents.informed.activity");
  EXPECT_EQ(violations[0].value, "0.03");
  EXPECT_EQ(violations[0].reference_value, "0.06");
  EXPECT_EQ(violations[1].cell, 3u);
  EXPECT_EQ(describe(plan, violations)[0],
            "cell 1 (sigma_eta=0.1, value_ms=5.0, activity=0.03) vs cell 0 (sigma_eta=0.1, "
            "value_ms=1.0, activity=0.06): agents.informed.activity = 0.03 vs 0.06");
}

TEST(SweepParity, AgentKeyInAMechanismsOwnAxesBreaksParity) {
  const auto plan = load_sweep(R"(
[sweep]
master_seed = 1
repetitions = 2
treatment = ["run.mechanism"]
[grid]
"run.mechanism" = ["clob", "fba"]
[grid.per_mechanism.fba]
"agents.informed.activity" = [0.03]
)",
                               "a.toml");
  const auto violations = check_parity(plan);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].key, "agents.informed.activity");
  EXPECT_EQ(violations[0].reference_cell, 0u);  // the baseline defaults to the first value
}

TEST(SweepRows, RowIndexIsCellTimesRepetitionsPlusRep) {
  EXPECT_EQ(row_of(RunId{0, 0}, 32), 0u);
  EXPECT_EQ(row_of(RunId{2, 5}, 32), 69u);
  EXPECT_EQ(run_of(69, 32), (RunId{2, 5}));
  EXPECT_EQ(run_of(31, 32), (RunId{0, 31}));
  EXPECT_EQ(run_of(32, 32), (RunId{1, 0}));
}

TEST(SweepConfigDiff, NamesChangedAddedAndRemovedKeys) {
  const auto lines = config_differences(
      "[run]\nduration_s = 2.0\n[sweep]\nmaster_seed = 1\nrepetitions = 4\n",
      "[run]\nduration_s = 3.0\n[sweep]\nmaster_seed = 1\nrepetitions = 4\nname = \"x\"\n");
  EXPECT_THAT(lines, ElementsAre("run.duration_s: 2.0 -> 3.0", "sweep.name: (absent) -> 'x'"));
}

}  // namespace
}  // namespace proteus::sweep

namespace proteus::sweep {
namespace {

TEST(ShippedSweeps, EverySweepFileInConfigsLoadsAndPassesParity) {
  std::size_t count = 0;
  for (const auto& file :
       std::filesystem::directory_iterator(std::filesystem::path(PROTEUS_SOURCE_DIR) / "configs")) {
    if (file.path().extension() != ".toml") continue;
    std::ifstream in(file.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find("\n[sweep]") == std::string::npos && !text.starts_with("[sweep]")) continue;
    SCOPED_TRACE(file.path().string());
    SweepPlan plan;
    ASSERT_NO_THROW(plan = load_sweep_file(file.path()));
    EXPECT_TRUE(check_parity(plan).empty());
    EXPECT_GT(plan.cells.size(), 1u);
    ++count;
  }
  EXPECT_GE(count, 1u);
}

}  // namespace
}  // namespace proteus::sweep

namespace proteus::sweep {
namespace {

TEST(PlanMetrics, PanelColumnsAreTheUnionOfTheCellsHorizonsAscending) {
  constexpr std::size_t kColumnsPerHorizon = 4;  // as_loss + 3 classes
  SweepPlan plan = load_sweep(R"(
[sweep]
master_seed = 3
repetitions = 2
[metrics]
as_horizons_ms = [1000.0, 20000.0]
[grid]
"agents.informed.activity" = [0.01, 0.02]
)",
                              "m.toml");
  std::vector<std::string> columns;
  for (const auto& m : plan.metrics) columns.push_back(m.name);
  EXPECT_EQ(plan.as_horizons_ms, (std::vector<double>{1000.0, 20000.0}));
  EXPECT_EQ(columns.size(), engine::kMarketMetricCount + kColumnsPerHorizon * 2);
  EXPECT_EQ(columns[engine::as_loss_index(0)], "as_loss_1s");
  EXPECT_EQ(columns[engine::as_loss_index(1)], "as_loss_20s");
  // A cell with other horizons (as a programmatic plan may have) widens the panel; each cell
  // maps its own columns by name.
  plan.cells[1].spec.metrics.as_horizons_ms = {100.0, 1000.0};
  set_plan_metrics(plan);
  EXPECT_EQ(plan.as_horizons_ms, (std::vector<double>{100.0, 1000.0, 20000.0}));
  ASSERT_EQ(plan.metrics.size(), engine::kMarketMetricCount + kColumnsPerHorizon * 3);
  for (const auto& cell : plan.cells) {
    const engine::MetricRegistry own = engine::metric_registry(cell.spec);
    ASSERT_EQ(cell.metric_columns.size(), own.size());
    for (std::size_t i = 0; i < own.size(); ++i) {
      EXPECT_EQ(plan.metrics[cell.metric_columns[i]].name, own[i].name);
    }
  }
  EXPECT_EQ(plan.cells[1].metric_columns[engine::as_loss_index(0)], engine::as_loss_index(0));
  EXPECT_EQ(plan.cells[0].metric_columns[engine::as_loss_index(0)], engine::as_loss_index(1));
}

}  // namespace
}  // namespace proteus::sweep
