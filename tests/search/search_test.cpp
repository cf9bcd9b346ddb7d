// Unit tests of src/search: dimensions and regimes, the generation sweep text, candidate
// statistics (figures from SciPy/NumPy), the CEM and Pareto orderings and scenario libraries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/config.hpp"
#include "search/adversarial.hpp"
#include "search/evaluate.hpp"
#include "search/library.hpp"
#include "search/pareto.hpp"
#include "search/space.hpp"
#include "sweep/errors.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::search {
namespace {

using ::testing::HasSubstr;

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("proteus_search_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(Dimension, ParsesBoundsAndFlags) {
  const Dimension d = parse_dimension("agents.market_maker.h0=0.005:0.08:log");
  EXPECT_EQ(d.key, "agents.market_maker.h0");
  EXPECT_EQ(d.lo, 0.005);
  EXPECT_EQ(d.hi, 0.08);
  EXPECT_TRUE(d.log);
  EXPECT_FALSE(d.integer);
  EXPECT_TRUE(parse_dimension("agents.noise.count=1:40:int").integer);
}

TEST(Dimension, RefusesBadForms) {
  for (const char* text :
       {"h0", "=1:2", "h0=1", "h0=2:1", "h0=0:1:log", "h0=a:1", "h0=0:1:cube", "h0=0:inf"}) {
    EXPECT_THROW(parse_dimension(text), sweep::SweepUsageError) << text;
  }
}

TEST(Dimension, MapsTheUnitIntervalOntoItsRange) {
  const Dimension lin = parse_dimension("k=2:4");
  EXPECT_EQ(from_unit(lin, 0.0), 2.0);
  EXPECT_EQ(from_unit(lin, 1.0), 4.0);
  EXPECT_EQ(from_unit(lin, 0.25), 2.5);
  EXPECT_EQ(from_unit(lin, 7.0), 4.0);  // clamped
  const Dimension lg = parse_dimension("k=0.01:1:log");
  EXPECT_EQ(from_unit(lg, 0.5), 0.1);  // geometric midpoint, 6 significant digits
  EXPECT_NEAR(to_unit(lg, 0.1), 0.5, 1e-12);
  const Dimension in = parse_dimension("k=1:10:int");
  EXPECT_EQ(from_unit(in, 0.5), 6.0);  // 5.5 rounds away from zero
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(axis_value(in, 6.0)));
}

TEST(Dimension, ValuesReadBackExactlyFromText) {
  const Dimension d = parse_dimension("k=0.0001:3:log");
  for (double u = 0.0; u <= 1.0; u += 0.037) {
    const double v = from_unit(d, u);
    EXPECT_EQ(std::stod(toml_literal(v)), v);
  }
}

TEST(Regime, FlattensTablesAndDottedKeysInFileOrder) {
  const auto dir = temp_dir("regime");
  write(dir / "r.toml",
        "[agents.market_maker]\nh0 = 0.03\nrule = \"linear\"\n[latent]\njump_rate = 1\n");
  const auto settings = read_regime(dir / "r.toml");
  ASSERT_EQ(settings.size(), 3U);
  EXPECT_EQ(settings[0].key, "agents.market_maker.h0");
  EXPECT_EQ(std::get<double>(settings[0].value), 0.03);
  EXPECT_EQ(std::get<std::string>(settings[1].value), "linear");
  EXPECT_EQ(std::get<std::int64_t>(settings[2].value), 1);
  // What regime_toml writes reads back as the same settings.
  write(dir / "back.toml", regime_toml(settings, "a header\nof two lines"));
  const auto back = read_regime(dir / "back.toml");
  ASSERT_EQ(back.size(), settings.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].key, settings[i].key);
    EXPECT_EQ(back[i].value, settings[i].value);
  }
}

TEST(Regime, RefusesSweepTablesAndArraysWithTheirPosition) {
  const auto dir = temp_dir("regime_bad");
  write(dir / "sweep.toml", "a.b = 1\n[sweep]\nname = \"x\"\n");
  try {
    read_regime(dir / "sweep.toml");
    FAIL() << "no error";
  } catch (const engine::ConfigError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_THAT(e.what(), HasSubstr("scenario keys only"));
  }
  write(dir / "array.toml", "\n\nlatent.sigma = [1, 2]\n");
  try {
    read_regime(dir / "array.toml");
    FAIL() << "no error";
  } catch (const engine::ConfigError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.key(), "latent.sigma");
  }
}

TEST(Setting, ParsesTomlValuesAndBareWords) {
  EXPECT_EQ(std::get<double>(parse_setting("a.b=1.5").value), 1.5);
  EXPECT_EQ(std::get<std::int64_t>(parse_setting("a.b=3").value), 3);
  EXPECT_EQ(std::get<bool>(parse_setting("a.b=true").value), true);
  EXPECT_EQ(std::get<std::string>(parse_setting("run.mechanism=fba").value), "fba");
  EXPECT_THROW(parse_setting("novalue"), sweep::SweepUsageError);
}

TEST(LatinHypercube, PutsOnePointInEveryStratumOfEveryDimension) {
  const auto points = latin_hypercube(10, 3, 42, 7);
  ASSERT_EQ(points.size(), 10U);
  for (std::size_t d = 0; d < 3; ++d) {
    std::vector<int> seen(10, 0);
    for (const auto& p : points) ++seen[static_cast<std::size_t>(p[d] * 10)];
    EXPECT_THAT(seen, ::testing::Each(1));
  }
  EXPECT_EQ(latin_hypercube(10, 3, 42, 7), points);  // a pure function of (seed, stream)
  EXPECT_NE(latin_hypercube(10, 3, 43, 7), points);
}

TEST(Generation, IsASweepWhoseCellsAreTheCandidatesOverOneSeed) {
  const auto dir = temp_dir("generation");
  Generation gen;
  gen.name = "g";
  gen.scenario_text = engine::read_config_file(std::filesystem::path(PROTEUS_SOURCE_DIR) /
                                               "configs/search/market.toml");
  gen.keys = {"agents.market_maker.h0", "agents.noise.count"};
  gen.points = {{0.01, std::int64_t{5}}, {0.04, std::int64_t{7}}, {0.02, std::int64_t{9}}};
  gen.repetitions = 4;
  gen.master_seed = 99;
  const sweep::SweepPlan plan = sweep::load_sweep(generation_sweep_text(gen), "gen");
  ASSERT_EQ(plan.cells.size(), 3U);
  EXPECT_EQ(plan.master_seed, 99U);
  EXPECT_EQ(plan.repetitions, 4U);
  EXPECT_EQ(plan.cells[1].spec.agents.market_maker.h0, 0.04);
  EXPECT_EQ(plan.cells[2].spec.agents.noise.count, 9);
}

TEST(CandidateStats, MatchSciPyAndNumPy) {
  CandidateRuns runs;
  // 2 kills in 16: scipy.stats.binomtest(2, 16).proportion_ci(method="wilson").
  runs.survival.assign(16, 1.0);
  runs.survival[3] = runs.survival[9] = 0.0;
  runs.pnl = {1.0, -2.0, 0.5, 3.0, -1.0, 2.0, -0.5, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
  runs.drawdown.assign(16, 1.0);
  runs.time_to_kill.assign(16, 20.0);
  const CandidateStats s = candidate_stats(runs, 0.95);
  EXPECT_EQ(s.n, 16U);
  EXPECT_EQ(s.kills, 2U);
  EXPECT_NEAR(s.kill_low, 0.03497748774324047, 1e-12);
  EXPECT_NEAR(s.kill_high, 0.36022827265758695, 1e-12);
  EXPECT_DOUBLE_EQ(s.pnl_mean, 12.5 / 16.0);
  EXPECT_DOUBLE_EQ(s.drawdown_cvar, 1.0);
  // numpy: dd = [0.5, 1, 2, 4, 0.25, 3, 1.5, 0.75]; mean of dd >= quantile(dd, 0.95) = 4.0.
  runs = CandidateRuns{};
  runs.survival.assign(8, 1.0);
  runs.pnl = {1.0, -2.0, 0.5, 3.0, -1.0, 2.0, -0.5, 1.5};
  runs.drawdown = {0.5, 1.0, 2.0, 4.0, 0.25, 3.0, 1.5, 0.75};
  runs.time_to_kill.assign(8, 20.0);
  const CandidateStats t = candidate_stats(runs, 0.95);
  EXPECT_DOUBLE_EQ(t.drawdown_cvar, 4.0);
  EXPECT_DOUBLE_EQ(t.pnl_cvar, 2.0);  // losses -pnl: quantile 1.65, mean of {2} = 2
  EXPECT_EQ(t.kill_low, 0.0);
}

TEST(CandidateStats, LeaveFailedRunsOut) {
  CandidateRuns runs;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  runs.survival = {0.0, nan, 1.0};
  runs.pnl = {-1.0, nan, 3.0};
  runs.drawdown = {2.0, nan, 0.0};
  runs.time_to_kill = {5.0, nan, 20.0};
  const CandidateStats s = candidate_stats(runs, 0.95);
  EXPECT_EQ(s.n, 2U);
  EXPECT_EQ(s.kills, 1U);
  EXPECT_DOUBLE_EQ(s.pnl_mean, 1.0);
  EXPECT_DOUBLE_EQ(s.time_to_kill_mean, 12.5);
}

Scored scored(std::uint64_t g, std::uint64_t i, double pnl, double kill_high, double dd_cvar,
              double kill_p = 0.0, double dd_mean = 0.0) {
  Scored s;
  s.generation = g;
  s.index = i;
  s.stats.pnl_mean = pnl;
  s.stats.kill_high = kill_high;
  s.stats.drawdown_cvar = dd_cvar;
  s.stats.kill_p = kill_p;
  s.stats.drawdown_mean = dd_mean;
  return s;
}

TEST(Pareto, KeepsTheNonDominatedAndTiesOrderedByPnl) {
  const std::vector<Scored> all = {
      scored(0, 0, 1.0, 0.1, 1.0),           // dominated by (0,1)
      scored(0, 1, 2.0, 0.1, 1.0),           // front
      scored(0, 2, 0.5, 0.05, 1.0),          // front: safest
      scored(1, 0, 2.0, 0.1, 1.0),           // identical to (0,1): kept too
      scored(1, 1, 3.0, 0.5, 2.0),           // front: richest
      scored(1, 2, std::nan(""), 0.0, 0.0),  // NaN: never on the front, dominates nothing
  };
  const auto front = pareto_front(all);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ids;
  ids.reserve(front.size());
  for (const auto& f : front) ids.emplace_back(f.generation, f.index);
  EXPECT_THAT(ids, ::testing::ElementsAre(std::pair<std::uint64_t, std::uint64_t>{1, 1},
                                          std::pair<std::uint64_t, std::uint64_t>{0, 1},
                                          std::pair<std::uint64_t, std::uint64_t>{1, 0},
                                          std::pair<std::uint64_t, std::uint64_t>{0, 2}));
  EXPECT_TRUE(dominates(all[1].stats, all[0].stats));
  EXPECT_FALSE(dominates(all[1].stats, all[3].stats));
}

TEST(Adversarial, RanksByKillProbabilityThenDrawdownThenOrder) {
  const Scored a = scored(0, 3, 0, 0, 0, 0.5, 1.0);
  const Scored b = scored(0, 1, 0, 0, 0, 0.5, 2.0);
  const Scored c = scored(1, 0, 0, 0, 0, 0.6, 0.1);
  const Scored d = scored(0, 0, 0, 0, 0, 0.5, 2.0);
  EXPECT_TRUE(more_lethal(c, b));
  EXPECT_TRUE(more_lethal(b, a));
  EXPECT_TRUE(more_lethal(d, b));
  EXPECT_FALSE(more_lethal(b, b));
}

TEST(Library, VerifiesItsManifestAndRefusesChanges) {
  const auto dir = temp_dir("library");
  LibraryScenario s;
  s.id = "adv-001";
  s.file = "adv-001.toml";
  s.settings = {{"latent.jump_rate", 1.5}, {"agents.noise.count", std::int64_t{3}}};
  s.text = "[latent]\njump_rate = 1.5\n";
  s.note = "n";
  write_library(dir, "t", {s}, R"({"seed": 1})");
  const auto back = load_library(dir);
  ASSERT_EQ(back.size(), 1U);
  EXPECT_EQ(back[0].text, s.text);
  EXPECT_EQ(back[0].settings[0].key, "latent.jump_rate");
  EXPECT_EQ(back[0].settings[1].value, sweep::AxisValue{std::int64_t{3}});
  write(dir / "adv-001.toml", "[latent]\njump_rate = 1.6\n");
  try {
    load_library(dir);
    FAIL() << "tampered library accepted";
  } catch (const LibraryTampered& e) {
    EXPECT_THAT(e.what(), HasSubstr("adv-001.toml does not match its manifest"));
  }
  write(dir / "adv-001.toml", s.text);
  EXPECT_NO_THROW(load_library(dir));
  write(dir / "extra.toml", "");
  EXPECT_THROW(load_library(dir), LibraryTampered);
}

}  // namespace
}  // namespace proteus::search
