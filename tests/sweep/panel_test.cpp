// The panel writer: rows land at their index whatever the arrival order, pending rows are
// found again after a reopen, and a stored run re-runs to the same metrics.
#include "sweep/panel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>

#include "engine/config.hpp"
#include "engine/simulation.hpp"
#include "sweep/errors.hpp"
#include "sweep/journal.hpp"

namespace proteus::sweep {
namespace {

constexpr const char* kSweep = R"([run]
duration_s = 2.0
[sweep]
master_seed = 5
repetitions = 3
[grid]
"agents.informed.activity" = [0.03, 0.06]
)";

RunRecord run_row(const SweepPlan& plan, std::uint64_t row) {
  const RunId id = run_of(row, plan.repetitions);
  const auto result =
      engine::run_scenario(plan.cells[id.cell].spec, engine::RunKey{plan.master_seed, id.rep});
  RunRecord r;
  r.row = row;
  r.status = static_cast<std::uint8_t>(result.status);
  r.seed = result.seed;
  r.events = result.events_processed;
  r.metrics = result.metrics;
  return r;
}

std::filesystem::path temp_panel(const char* name) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(path);
  return path;
}

TEST(PanelWriter, ReopenedPanelListsOnlyUnwrittenRowsAsPending) {
  const SweepPlan plan = load_sweep(kSweep, "p.toml");
  const auto path = temp_panel("proteus_panel_pending.h5");
  {
    PanelWriter w = PanelWriter::create(path, plan, 1);
    EXPECT_EQ(w.pending_ranges(), (std::vector<RowRange>{{0, 6}}));
    w.add({run_row(plan, 4), run_row(plan, 1)});  // out of order, not contiguous
    w.flush();
    w.add({run_row(plan, 2)});
    w.close(false);
  }
  PanelWriter again = PanelWriter::resume(path, plan, 2, std::nullopt);
  EXPECT_EQ(again.pending_ranges(), (std::vector<RowRange>{{0, 1}, {3, 4}, {5, 6}}));
  again.close(false);
}

TEST(PanelWriter, ResumeRebuildsADeletedPanelFromItsJournal) {
  const SweepPlan plan = load_sweep(kSweep, "p.toml");
  const auto path = temp_panel("proteus_panel_rebuild.h5");
  {
    PanelWriter w = PanelWriter::create(path, plan, 1);
    w.add({run_row(plan, 5), run_row(plan, 0)});
    w.flush();
    w.add({run_row(plan, 3)});  // never flushed: lost like a kill would lose it
  }
  EXPECT_TRUE(std::filesystem::exists(journal_path(path)));
  std::filesystem::remove(path);
  PanelWriter again = PanelWriter::resume(path, plan, 1, std::nullopt);
  EXPECT_EQ(again.pending_ranges(), (std::vector<RowRange>{{1, 5}}));
  for (std::uint64_t row : {1, 2, 3, 4}) again.add({run_row(plan, row)});
  again.close(true);
  EXPECT_FALSE(std::filesystem::exists(journal_path(path)));
  EXPECT_EQ(read_panel_run(path, 0, 0).status, 0);
}

TEST(PanelWriter, SecondWriterIsRefusedBeforeTruncating) {
  const SweepPlan plan = load_sweep(kSweep, "p.toml");
  const auto path = temp_panel("proteus_panel_second.h5");
  PanelWriter w = PanelWriter::create(path, plan, 1);
  w.add({run_row(plan, 2)});
  w.flush();
  EXPECT_THROW(PanelWriter::create(path, plan, 1), SweepUsageError);
  EXPECT_THROW(PanelWriter::resume(path, plan, 1, std::nullopt), SweepUsageError);
  EXPECT_EQ(w.pending_ranges(), (std::vector<RowRange>{{0, 2}, {3, 6}}));
  w.close(false);
}

TEST(PanelWriter, StoredRunReRunsToTheSameMetrics) {
  const SweepPlan plan = load_sweep(kSweep, "p.toml");
  const auto path = temp_panel("proteus_panel_rerun.h5");
  {
    PanelWriter w = PanelWriter::create(path, plan, 1);
    for (std::uint64_t row = 6; row-- > 0;) w.add({run_row(plan, row)});
    w.close(true);
  }
  const StoredRun stored = read_panel_run(path, 1, 2);
  EXPECT_EQ(stored.master_seed, 5u);
  EXPECT_EQ(stored.status, 0);
  const auto spec = engine::load_scenario(stored.scenario_toml, "stored");
  EXPECT_EQ(spec.agents.informed.activity, 0.06);
  const auto again = engine::run_scenario(spec, engine::RunKey{stored.master_seed, stored.rep});
  EXPECT_EQ(again.seed, stored.seed);
  ASSERT_EQ(again.metrics.size(), stored.metrics.size());
  for (std::size_t m = 0; m < again.metrics.size(); ++m) {
    // Bit equality, so that a NaN metric (no data in the run) compares equal to itself.
    EXPECT_EQ(std::bit_cast<std::uint64_t>(again.metrics[m]),
              std::bit_cast<std::uint64_t>(stored.metrics[m]))
        << stored.metric_names[m];
  }
  EXPECT_THROW(read_panel_run(path, 2, 0), SweepUsageError);
}

constexpr const char* kTreatedSweep = R"([run]
duration_s = 2.0
[sweep]
master_seed = 9
repetitions = 2
treatment = ["agents.informed.activity"]
baseline = { "agents.informed.activity" = 0.12 }
[grid]
"latency.default.submit.value_ms" = [1.0, 10.0]
"agents.informed.activity" = [0.06, 0.12, 0.2]
)";

TEST(PanelReader, ReadsColumnsCellsAndTheContrastGroupsStoredAtCreation) {
  const SweepPlan plan = load_sweep(kTreatedSweep, "t.toml");
  const auto path = temp_panel("proteus_panel_groups.h5");
  {
    PanelWriter w = PanelWriter::create(path, plan, 1);
    for (std::uint64_t row = 0; row < plan.total_runs(); ++row) {
      RunRecord r;
      r.row = row;
      r.status =
          row == 3 ? static_cast<std::uint8_t>(engine::RunStatus::kError) : schema::kStatusOk;
      r.message = row == 3 ? "failed on purpose" : "";
      r.metrics.assign(plan.metrics.size(), 0.5 * static_cast<double>(row));
      w.add({r});
    }
    w.close(true);
  }
  const PanelReader reader = PanelReader::open(path);
  EXPECT_EQ(reader.info().cells, 6u);
  EXPECT_EQ(reader.info().master_seed, 9u);
  EXPECT_TRUE(reader.info().complete);
  const auto stored = reader.stored_groups();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->baseline, "agents.informed.activity=0.12");
  const std::vector<ContrastGroup> expected = contrast_groups(plan);
  ASSERT_EQ(stored->groups.size(), expected.size());
  for (std::size_t g = 0; g < expected.size(); ++g) {
    EXPECT_EQ(stored->groups[g].members, expected[g].members);
    EXPECT_EQ(stored->groups[g].baseline, expected[g].baseline);
  }
  // Cells are row-major with activity fastest: the baselines are cells 1 and 4.
  EXPECT_EQ(stored->groups[0].baseline, 1u);
  EXPECT_EQ(stored->groups[1].baseline, 4u);
  std::vector<double> values;
  std::vector<std::uint8_t> status;
  reader.read_metric(0, 2, 2, values);
  reader.read_status(2, 2, status);
  EXPECT_EQ(values, (std::vector<double>{1.0, 1.5}));
  EXPECT_EQ(status, (std::vector<std::uint8_t>{schema::kStatusOk, 2}));
  const CellColumn activity = reader.cell_column("agents.informed.activity");
  EXPECT_FALSE(activity.is_string);
  EXPECT_EQ(activity.numbers, (std::vector<double>{0.06, 0.12, 0.2, 0.06, 0.12, 0.2}));
  EXPECT_TRUE(reader.cell_column("label").is_string);
  const auto names = reader.cell_column_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "contrast_group"), names.end());
  EXPECT_EQ(reader.cell_labels().size(), 6u);
}

}  // namespace
}  // namespace proteus::sweep
