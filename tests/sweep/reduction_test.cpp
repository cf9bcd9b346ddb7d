// The reduction of `proteus report` on plain columns, against figures computed independently:
// tests/sweep/reduction_fixture.py prints every expected value below with SciPy 1.10 / NumPy
// 1.24 (t-intervals from scipy.stats.t, ttest_rel, ttest_ind(equal_var=False), np.quantile
// type 7, Wilson and Hedges' g from their closed forms, BCa from scipy.stats.bootstrap).
#include "sweep/reduction.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "sweep/panel_schema.hpp"

namespace proteus::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTol = 1e-12;
// Student-t quantiles are computed by iteration to about 1e-9 relative (stats/distributions).
constexpr double kQuantileTol = 1e-8;
constexpr std::uint8_t kOk = schema::kStatusOk;
constexpr std::uint8_t kFailed = static_cast<std::uint8_t>(engine::RunStatus::kError);
constexpr std::uint8_t kPending = schema::kStatusPending;

// Cell 0 (the baseline): rep 4 is NaN and rep 6 failed, so reps 0-3, 5, 7 are usable.
const CellValues kBase{{1.2, 0.7, 2.5, 1.9, kNaN, 3.1, 0.4, 1.6},
                       {kOk, kOk, kOk, kOk, kOk, kOk, kFailed, kOk}};
// Cell 1 (the treatment): rep 7 is pending; reps 0-6 are usable. Paired reps: 0-3 and 5.
const CellValues kTreated{{1.5, 1.1, 2.4, 2.6, 0.9, 3.0, 0.8, kNaN},
                          {kOk, kOk, kOk, kOk, kOk, kOk, kOk, kPending}};
const std::vector<std::string> kLabels = {"m=a", "m=b", "m=c"};

engine::MetricInfo metric(engine::MetricKind kind) {
  return engine::MetricInfo{"x", "payoff", "a metric", kind, -1};
}

TEST(Reduction, SummaryLeavesOutFailedPendingAndNanRows) {
  const CellSummary s = summarize_cell(0, "m=a", metric(engine::MetricKind::kMean), kBase, 0.95);
  EXPECT_EQ(s.cell, 0u);
  EXPECT_EQ(s.label, "m=a");
  EXPECT_EQ(s.metric, "x");
  EXPECT_EQ(s.units, "payoff");
  EXPECT_EQ(s.summary.n, 6u);
  EXPECT_EQ(s.n_missing, 2u);
  EXPECT_NEAR(s.summary.mean, 1.8333333333333333, kTol);
  EXPECT_NEAR(s.summary.sd, 0.87101473389757689, kTol);
  EXPECT_NEAR(s.summary.se, 0.35559027608252236, kTol);
  EXPECT_NEAR(s.summary.ci_low, 0.91925942835878061, kQuantileTol);
  EXPECT_NEAR(s.summary.ci_high, 2.7474072383078858, kQuantileTol);
  EXPECT_FALSE(s.tail);
  EXPECT_FALSE(s.proportion);
  EXPECT_TRUE(std::isnan(s.var_5) && std::isnan(s.wilson_low));
}

TEST(Reduction, PnlMetricGetsVarCvarAndType7Quantiles) {
  const CellSummary s = summarize_cell(1, "m=b", metric(engine::MetricKind::kPnl), kTreated, 0.95);
  EXPECT_EQ(s.summary.n, 7u);
  EXPECT_EQ(s.n_missing, 1u);
  EXPECT_NEAR(s.summary.mean, 1.7571428571428573, kTol);
  EXPECT_NEAR(s.summary.ci_low, 0.9284598340155038, kQuantileTol);
  EXPECT_NEAR(s.summary.ci_high, 2.5858258802702108, kQuantileTol);
  ASSERT_TRUE(s.tail);
  EXPECT_NEAR(s.var_5, -0.83, kTol);
  EXPECT_NEAR(s.cvar_5, -0.8, kTol);
  EXPECT_NEAR(s.var_1, -0.806, kTol);
  EXPECT_NEAR(s.cvar_1, -0.8, kTol);
  EXPECT_THAT(s.quantiles,
              testing::Pointwise(testing::DoubleNear(kTol),
                                 std::vector<double>{0.806, 0.83, 1.0, 1.5, 2.5, 2.88, 2.976}));
}

TEST(Reduction, LossMetricGetsTheTailOfItsOwnValues) {
  // A drawdown is a loss: VaR is its upper quantile, not that of -value (NumPy, as above).
  const CellSummary s = summarize_cell(1, "m=b", metric(engine::MetricKind::kLoss), kTreated, 0.95);
  ASSERT_TRUE(s.tail);
  EXPECT_NEAR(s.var_5, 2.88, kTol);
  EXPECT_NEAR(s.cvar_5, 3.0, kTol);
  EXPECT_NEAR(s.var_1, 2.976, kTol);
  EXPECT_NEAR(s.cvar_1, 3.0, kTol);
  EXPECT_NEAR(s.quantiles.back(), 2.976, kTol);
}

TEST(Reduction, ProportionGetsWilsonIntervalOnlyForZeroOneValues) {
  const CellValues survival{{1, 1, 0, 1, 1, 0, 1, kNaN}, {kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk}};
  const engine::MetricInfo m = metric(engine::MetricKind::kProportion);
  const CellSummary s95 = summarize_cell(0, "m=a", m, survival, 0.95);
  ASSERT_TRUE(s95.proportion);  // k = 5 of n = 7
  EXPECT_NEAR(s95.wilson_low, 0.35893445183261935, 1e-10);
  EXPECT_NEAR(s95.wilson_high, 0.91778107599594327, 1e-10);
  const CellSummary s90 = summarize_cell(0, "m=a", m, survival, 0.9);
  EXPECT_NEAR(s90.wilson_low, 0.40866754551119772, 1e-10);
  EXPECT_NEAR(s90.wilson_high, 0.90043415643771318, 1e-10);
  const CellSummary fractional = summarize_cell(0, "m=a", m, kBase, 0.95);
  EXPECT_FALSE(fractional.proportion);
  EXPECT_TRUE(std::isnan(fractional.wilson_low));
}

TEST(Reduction, CellWithoutUsableRowsIsAllNan) {
  const CellValues failed{{1.0, 2.0}, {kFailed, kPending}};
  const CellSummary s = summarize_cell(2, "m=c", metric(engine::MetricKind::kPnl), failed, 0.95);
  EXPECT_EQ(s.summary.n, 0u);
  EXPECT_EQ(s.n_missing, 2u);
  EXPECT_TRUE(std::isnan(s.summary.mean) && std::isnan(s.summary.ci_high));
  EXPECT_FALSE(s.tail);
  const CellValues other{{1.0, 2.0}, {kOk, kOk}};
  const ContrastRow c = contrast_cells(1, 0, kLabels, metric(engine::MetricKind::kMean), 0, other,
                                       failed, ContrastSettings{});
  EXPECT_EQ(c.paired.n, 0u);
  EXPECT_EQ(c.n_missing, 2u);
  EXPECT_TRUE(std::isnan(c.paired.mean_diff) && std::isnan(c.welch.p_value));
  EXPECT_TRUE(std::isnan(c.bca_low) && std::isnan(c.p_adjusted));
}

TEST(Reduction, ContrastPairsRepsUsableInBothCells) {
  const ContrastSettings settings{0.95, 0, 7};
  const ContrastRow c = contrast_cells(1, 0, kLabels, metric(engine::MetricKind::kMean), 3,
                                       kTreated, kBase, settings);
  EXPECT_EQ(c.cell, 1u);
  EXPECT_EQ(c.baseline_cell, 0u);
  EXPECT_EQ(c.label, "m=b");
  EXPECT_EQ(c.baseline_label, "m=a");
  EXPECT_EQ(c.paired.n, 5u);
  EXPECT_EQ(c.n_missing, 3u);
  EXPECT_NEAR(c.paired.mean_diff, 0.24000000000000005, kTol);
  EXPECT_NEAR(c.paired.sd_diff, 0.34351128074635351, kTol);
  EXPECT_NEAR(c.paired.t, 1.5622669317698863, 1e-10);
  EXPECT_NEAR(c.paired.p_value, 0.19325702209725237, 1e-10);
  EXPECT_NEAR(c.paired.ci_low, -0.18652559027961374, 1e-10);
  EXPECT_NEAR(c.paired.ci_high, 0.66652559027961389, 1e-10);
  EXPECT_NEAR(c.paired.d_z, 0.69866701168749823, 1e-10);
  EXPECT_NEAR(c.paired.vrf, 13.21186440677965, 1e-9);
  EXPECT_NEAR(c.welch.p_value, 0.67910270832995479, 1e-10);
  EXPECT_NEAR(c.welch.df, 7.7050928351270009, 1e-10);
  EXPECT_NEAR(c.welch.ci_low, -1.0562800940231423, 1e-9);
  EXPECT_NEAR(c.welch.ci_high, 1.5362800940231423, 1e-9);
  EXPECT_NEAR(c.welch.hedges_g, 0.24538512249399824, 1e-10);
  EXPECT_TRUE(std::isnan(c.bca_low) && std::isnan(c.bca_high));  // no bootstrap asked
}

TEST(Reduction, BcaIntervalAgreesWithScipyBootstrap) {
  // scipy.stats.bootstrap(method='BCa', n_resamples=20000) on d = [0.3, 0.4, -0.1, 0.7, -0.1]
  // gives [-0.02, 0.52] for seeds 0, 2, 3, 4 and [-0.02, 0.54] for seed 1: resample means are
  // multiples of 0.02, so another generator may land one step away.
  const ContrastSettings settings{0.95, 20000, 7};
  const ContrastRow c = contrast_cells(1, 0, kLabels, metric(engine::MetricKind::kMean), 3,
                                       kTreated, kBase, settings);
  EXPECT_NEAR(c.bca_low, -0.02, 0.021);
  EXPECT_NEAR(c.bca_high, 0.52, 0.021);
  const CellValues one_pair{{1.0, kNaN}, {kOk, kOk}};
  const ContrastRow single = contrast_cells(1, 0, kLabels, metric(engine::MetricKind::kMean), 3,
                                            one_pair, one_pair, settings);
  EXPECT_EQ(single.paired.n, 1u);
  EXPECT_TRUE(std::isnan(single.bca_low));  // BCa needs two pairs
}

TEST(Reduction, BootstrapSeedDependsOnlyOnMasterSeedCellAndMetric) {
  EXPECT_EQ(bootstrap_seed(7, 1, 3), bootstrap_seed(7, 1, 3));
  EXPECT_NE(bootstrap_seed(7, 1, 3), bootstrap_seed(7, 2, 3));
  EXPECT_NE(bootstrap_seed(7, 1, 3), bootstrap_seed(7, 1, 4));
  EXPECT_NE(bootstrap_seed(7, 1, 3), bootstrap_seed(8, 1, 3));
  const ContrastRow c = contrast_cells(1, 0, kLabels, metric(engine::MetricKind::kMean), 3,
                                       kTreated, kBase, ContrastSettings{0.95, 10, 7});
  EXPECT_EQ(c.bootstrap_seed, bootstrap_seed(7, 1, 3));
}

std::vector<ContrastRow> rows_with_p(std::initializer_list<double> ps) {
  std::vector<ContrastRow> rows;
  for (double p : ps) {
    ContrastRow r;
    r.paired.p_value = p;
    rows.push_back(r);
  }
  return rows;
}

TEST(Reduction, AdjustsFinitePValuesAsOneFamily) {
  // Hand-computed. Holm on (0.01, 0.04, 0.03), m = 3: sorted 0.01*3 = 0.03, 0.03*2 = 0.06,
  // 0.04*1 = 0.04 raised to the running max 0.06. BH: 0.04*3/3 = 0.04, 0.03*3/2 = 0.045
  // lowered to the running min 0.04, 0.01*3/1 = 0.03.
  auto holm = rows_with_p({0.01, 0.04, kNaN, 0.03});
  adjust_contrasts(holm, stats::Adjustment::kHolm);
  EXPECT_NEAR(holm[0].p_adjusted, 0.03, kTol);
  EXPECT_NEAR(holm[1].p_adjusted, 0.06, kTol);
  EXPECT_TRUE(std::isnan(holm[2].p_adjusted));
  EXPECT_NEAR(holm[3].p_adjusted, 0.06, kTol);
  auto bh = rows_with_p({0.01, 0.04, kNaN, 0.03});
  adjust_contrasts(bh, stats::Adjustment::kBenjaminiHochberg);
  EXPECT_NEAR(bh[0].p_adjusted, 0.03, kTol);
  EXPECT_NEAR(bh[1].p_adjusted, 0.04, kTol);
  EXPECT_NEAR(bh[3].p_adjusted, 0.04, kTol);
  auto none = rows_with_p({0.01, 0.04, kNaN, 0.03});
  adjust_contrasts(none, stats::Adjustment::kNone);
  EXPECT_DOUBLE_EQ(none[1].p_adjusted, 0.04);
}

TEST(Reduction, ReduceMetricReadsEachCellOnceAndContrastsWithinGroups) {
  // Cells 0-2 form one group with baseline 2; cell 3 is alone; cells 4 and 5 have no baseline.
  const std::vector<ContrastGroup> groups = {
      {{0, 1, 2}, 2}, {{3}, kNotApplicable}, {{4, 5}, kNotApplicable}};
  const std::vector<std::string> labels = {"c0", "c1", "c2", "c3", "c4", "c5"};
  std::map<std::uint64_t, int> reads;
  const CellReader read = [&](std::uint64_t cell, CellValues& out) {
    ++reads[cell];
    out = cell == 2 ? kBase : kTreated;
  };
  Report report;
  reduce_metric(metric(engine::MetricKind::kMean), 3, groups, labels, read,
                ContrastSettings{0.95, 0, 7}, report);
  EXPECT_EQ(reads, (std::map<std::uint64_t, int>{{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}));
  ASSERT_EQ(report.summary.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(report.summary[i].cell, i);
  ASSERT_EQ(report.contrasts.size(), 2u);
  EXPECT_EQ(report.contrasts[0].cell, 0u);
  EXPECT_EQ(report.contrasts[1].cell, 1u);
  EXPECT_EQ(report.contrasts[0].baseline_cell, 2u);
  EXPECT_EQ(report.contrasts[1].baseline_label, "c2");
  EXPECT_NEAR(report.contrasts[0].paired.mean_diff, 0.24000000000000005, kTol);
}

}  // namespace
}  // namespace proteus::sweep
