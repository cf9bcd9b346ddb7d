// Published textbook numbers and hand calculations, kept as constants.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "close.hpp"
#include "stats/contrast.hpp"
#include "stats/distributions.hpp"
#include "stats/moments.hpp"
#include "stats/multiple.hpp"
#include "stats/proportion.hpp"
#include "stats/tail.hpp"

namespace proteus::stats {
namespace {

using testing::is_close;

// Student's (1908) sleep data (Cushny & Peebles): extra hours of sleep under two drugs, the
// `sleep` data set of R. Published results from R's t.test documentation examples.
const std::vector<double> kDrug1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const std::vector<double> kDrug2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

TEST(Textbook, SleepDataPairedTMatchesPublishedValues) {
  // R: t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean -1.58.
  const PairedContrast c = paired_contrast(kDrug1, kDrug2, 0.95);
  EXPECT_TRUE(is_close(c.mean_diff, -1.58, 1e-12));
  EXPECT_DOUBLE_EQ(c.df, 9.0);
  EXPECT_TRUE(is_close(c.t, -4.0621, 5e-5));
  EXPECT_TRUE(is_close(c.p_value, 0.002833, 5e-7));
  EXPECT_TRUE(is_close(c.ci_low, -2.4598858, 5e-8));
  EXPECT_TRUE(is_close(c.ci_high, -0.7001142, 5e-8));
}

TEST(Textbook, SleepDataWelchTMatchesPublishedValues) {
  // R: t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832.
  const WelchContrast c = welch_contrast(kDrug1, kDrug2, 0.95);
  EXPECT_TRUE(is_close(c.t, -1.8608, 5e-5));
  EXPECT_TRUE(is_close(c.df, 17.776, 5e-4));
  EXPECT_TRUE(is_close(c.p_value, 0.07939, 5e-6));
  EXPECT_TRUE(is_close(c.ci_low, -3.3654832, 5e-8));
  EXPECT_TRUE(is_close(c.ci_high, 0.2054832, 5e-8));
}

TEST(Textbook, WilsonMatchesNewcombe1998Examples) {
  // Newcombe (1998), Stat. Med. 17:857, worked examples, method 3 (score, no continuity
  // correction).
  struct Case {
    std::uint64_t k, n;
    double low, high;
  };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605},
                        Case{0, 20, 0.0, 0.1611}, Case{1, 29, 0.0061, 0.1718}}) {
    const Proportion p = wilson_interval(c.k, c.n, 0.95);
    EXPECT_TRUE(is_close(p.ci_low, c.low, 5e-5)) << c.k << "/" << c.n;
    EXPECT_TRUE(is_close(p.ci_high, c.high, 5e-5)) << c.k << "/" << c.n;
  }
}

TEST(Textbook, HedgesCorrectionHasClosedFormsAtSmallDf) {
  // J(2) = Gamma(1) / (1 * Gamma(1/2)) = 1/sqrt(pi); J(3) = Gamma(3/2) / sqrt(3/2) = sqrt(pi/6).
  EXPECT_TRUE(is_close(hedges_correction(2.0), 1.0 / std::sqrt(std::numbers::pi), 1e-15));
  EXPECT_TRUE(is_close(hedges_correction(3.0), std::sqrt(std::numbers::pi / 6.0), 1e-15));
  // Hedges (1981) tabulates J(10) = .9227; and J(m) ~ 1 - 3 / (4m - 1) for large m.
  EXPECT_TRUE(is_close(hedges_correction(10.0), 0.9227, 5e-5));
  EXPECT_TRUE(is_close(hedges_correction(1000.0), 1.0 - 3.0 / 3999.0, 1e-7));
}

TEST(Textbook, WelfordVarianceOfTheClassicExample) {
  // {2,4,4,4,5,5,7,9}: mean 5, sum of squared deviations 32, sample variance 32/7.
  Moments m;
  m.add(std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(m.count(), 8u);
  EXPECT_DOUBLE_EQ(m.mean(), 5.0);
  EXPECT_DOUBLE_EQ(m.m2(), 32.0);
  EXPECT_DOUBLE_EQ(m.variance(), 32.0 / 7.0);
}

TEST(Textbook, WelfordSurvivesLargeOffsetWhereNaiveSumsOfSquaresFail) {
  // 1e9 + {4, 7, 13, 16}: sample variance 30 (naive E[x^2] - E[x]^2 loses every digit).
  const std::vector<double> xs = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  EXPECT_DOUBLE_EQ(moments_of(xs).variance(), 30.0);
  Moments m;
  m.add(xs);
  EXPECT_DOUBLE_EQ(m.variance(), 30.0);
}

TEST(Textbook, QuantilesByHandUseLinearInterpolationBetweenOrderStatistics) {
  // Sorted {1,2,3,4,7,10}: h = 5q; q=.5 -> 3.5, q=.25 -> 2.25, q=.9 -> 7 + .5*3 = 8.5.
  const std::vector<double> xs = {10, 7, 4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(quantile(xs, 0.5), 3.5);
  EXPECT_DOUBLE_EQ(quantile(xs, 0.25), 2.25);
  EXPECT_DOUBLE_EQ(quantile(xs, 0.9), 8.5);
  EXPECT_DOUBLE_EQ(quantile(xs, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(xs, 1.0), 10.0);
}

TEST(Textbook, VarAndCvarByHandReportLossesAsPositiveNumbers) {
  // Losses {-10,-5,0,5,10}: level .8 -> h = 3.2 -> VaR 5 + .2*5 = 6, tail {10} -> CVaR 10;
  // level .5 -> VaR 0, tail {0,5,10} -> CVaR 5.
  const std::vector<double> pnl = {10, 5, 0, -5, -10};
  const TailRisk r80 = tail_risk(pnl, 0.8);
  EXPECT_DOUBLE_EQ(r80.var, 6.0);
  EXPECT_DOUBLE_EQ(r80.cvar, 10.0);
  const TailRisk r50 = tail_risk(pnl, 0.5);
  EXPECT_DOUBLE_EQ(r50.var, 0.0);
  EXPECT_DOUBLE_EQ(r50.cvar, 5.0);
}

TEST(Textbook, MaxDrawdownByHandIsLargestPeakToTroughFall) {
  EXPECT_DOUBLE_EQ(max_drawdown(std::vector<double>{0, 5, 3, 8, 2, 4, 9, 1}), 8.0);
  EXPECT_DOUBLE_EQ(max_drawdown(std::vector<double>{1, 2, 3, 4}), 0.0);
  EXPECT_DOUBLE_EQ(max_drawdown(std::vector<double>{4, 3, 2, 1}), 3.0);
  EXPECT_DOUBLE_EQ(max_drawdown(std::vector<double>{7}), 0.0);
}

TEST(Textbook, HolmByHandStepsDownThroughSortedPValues) {
  // Sorted .005 .01 .03 .04 times 4 3 2 1 = .02 .03 .06 .04 -> running max .02 .03 .06 .06.
  EXPECT_THAT(holm_adjust(std::vector<double>{0.01, 0.04, 0.03, 0.005}),
              ::testing::Pointwise(::testing::DoubleEq(), {0.03, 0.06, 0.06, 0.02}));
}

TEST(Textbook, BenjaminiHochbergByHandStepsUpThroughSortedPValues) {
  // Sorted .005 .01 .03 .04 times 4/1 4/2 4/3 4/4 = .02 .02 .04 .04 -> running min from top.
  EXPECT_THAT(benjamini_hochberg_adjust(std::vector<double>{0.01, 0.04, 0.03, 0.005}),
              ::testing::Pointwise(::testing::DoubleEq(), {0.02, 0.04, 0.04, 0.02}));
  // Capped at 1.
  EXPECT_THAT(benjamini_hochberg_adjust(std::vector<double>{0.9, 0.95}),
              ::testing::Pointwise(::testing::DoubleEq(), {0.95, 0.95}));
}

}  // namespace
}  // namespace proteus::stats
