// Edge cases: n = 1, zero variance, NaN/inf input, empty input, bad levels, precision targets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "stats/bootstrap.hpp"
#include "stats/contrast.hpp"
#include "stats/error.hpp"
#include "stats/multiple.hpp"
#include "stats/precision.hpp"
#include "stats/proportion.hpp"
#include "stats/summary.hpp"
#include "stats/tail.hpp"

namespace proteus::stats {
namespace {

using ::testing::HasSubstr;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Runs `f`, expects InvalidInput, and returns its message.
template <typename F>
std::string invalid_input_message(F&& f) {
  try {
    f();
  } catch (const InvalidInput& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InvalidInput";
  return {};
}

TEST(EdgeCases, SingleValueGivesMeanAndNaNDispersion) {
  const Summary s = summarize(std::vector<double>{4.5});
  EXPECT_EQ(s.n, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 4.5);
  EXPECT_TRUE(std::isnan(s.sd));
  EXPECT_TRUE(std::isnan(s.se));
  EXPECT_TRUE(std::isnan(s.ci_low));
  EXPECT_TRUE(std::isnan(s.ci_high));
}

TEST(EdgeCases, ZeroVarianceGivesDegenerateInterval) {
  const Summary s = summarize(std::vector<double>{3.25, 3.25, 3.25, 3.25});
  EXPECT_DOUBLE_EQ(s.mean, 3.25);
  EXPECT_DOUBLE_EQ(s.sd, 0.0);
  EXPECT_DOUBLE_EQ(s.ci_low, 3.25);
  EXPECT_DOUBLE_EQ(s.ci_high, 3.25);
}

TEST(EdgeCases, NaNIsRejectedWithItsIndex) {
  const std::string msg = invalid_input_message([] {
    summarize(std::vector<double>{1.0, 2.0, kNaN, 4.0});
  });
  EXPECT_THAT(msg, HasSubstr("NaN"));
  EXPECT_THAT(msg, HasSubstr("index 2"));
}

TEST(EdgeCases, InfinityIsRejectedEverywhere) {
  const std::vector<double> bad = {1.0, kInf, 3.0};
  const std::vector<double> good = {1.0, 2.0, 3.0};
  EXPECT_THAT(invalid_input_message([&] { paired_contrast(good, bad); }), HasSubstr("infinite"));
  EXPECT_THAT(invalid_input_message([&] { welch_contrast(bad, good); }), HasSubstr("infinite"));
  EXPECT_THAT(invalid_input_message([&] { quantile(bad, 0.5); }), HasSubstr("index 1"));
  EXPECT_THAT(invalid_input_message([&] { tail_risk(bad, 0.9); }), HasSubstr("index 1"));
  EXPECT_THAT(invalid_input_message([&] { max_drawdown(bad); }), HasSubstr("index 1"));
  EXPECT_THAT(invalid_input_message([&] { bootstrap_distribution(bad, mean_statistic, 10, 1); }),
              HasSubstr("index 1"));
}

TEST(EdgeCases, NaNInAMomentsStreamIsRejectedAndLeavesStateUnchanged) {
  Moments m;
  m.add(1.0);
  EXPECT_THAT(invalid_input_message([&] { m.add(kNaN); }), HasSubstr("NaN"));
  EXPECT_THAT(invalid_input_message([&] {
                m.add(std::vector<double>{2.0, kNaN});
              }),
              HasSubstr("index 1"));
  EXPECT_EQ(m.count(), 1u);
  OrderedMoments o;
  EXPECT_THAT(invalid_input_message([&] {
                o.add(std::vector<double>{2.0, 3.0, kNaN});
              }),
              HasSubstr("index 2"));
  EXPECT_EQ(o.end(), 0u);
}

TEST(EdgeCases, EmptyInputAndBadLevelsAreRejected) {
  const std::vector<double> empty;
  const std::vector<double> xs = {1.0, 2.0};
  EXPECT_THAT(invalid_input_message([&] { summarize(empty); }), HasSubstr("at least 1"));
  EXPECT_THAT(invalid_input_message([&] { summarize(xs, 1.0); }), HasSubstr("level"));
  EXPECT_THAT(invalid_input_message([&] { summarize(xs, 0.0); }), HasSubstr("level"));
  EXPECT_THAT(invalid_input_message([&] { summarize(xs, kNaN); }), HasSubstr("level"));
  EXPECT_THAT(invalid_input_message([&] { quantile(xs, 1.5); }), HasSubstr("[0, 1]"));
  EXPECT_THAT(invalid_input_message([&] { quantile(empty, 0.5); }), HasSubstr("at least 1"));
}

TEST(EdgeCases, PairedContrastRejectsMisalignedSamples) {
  EXPECT_THAT(invalid_input_message([] {
                paired_contrast(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2});
              }),
              HasSubstr("aligned by repetition"));
}

TEST(EdgeCases, PairedConstantShiftIsExactDifference) {
  const std::vector<double> b = {1.0, 4.0, -2.0, 8.0};
  const std::vector<double> a = {3.0, 6.0, 0.0, 10.0};
  const PairedContrast c = paired_contrast(a, b);
  EXPECT_DOUBLE_EQ(c.mean_diff, 2.0);
  EXPECT_DOUBLE_EQ(c.sd_diff, 0.0);
  EXPECT_DOUBLE_EQ(c.ci_low, 2.0);
  EXPECT_DOUBLE_EQ(c.ci_high, 2.0);
  EXPECT_EQ(c.t, kInf);
  EXPECT_EQ(c.p_value, 0.0);
  EXPECT_EQ(c.d_z, kInf);
  EXPECT_EQ(c.vrf, kInf);
}

TEST(EdgeCases, PairedIdenticalSamplesHaveUndefinedTest) {
  const std::vector<double> a = {1.0, 4.0, -2.0};
  const PairedContrast c = paired_contrast(a, a);
  EXPECT_DOUBLE_EQ(c.mean_diff, 0.0);
  EXPECT_TRUE(std::isnan(c.t));
  EXPECT_TRUE(std::isnan(c.p_value));
  EXPECT_TRUE(std::isnan(c.d_z));
}

TEST(EdgeCases, SinglePairGivesNaNDispersion) {
  const PairedContrast c = paired_contrast(std::vector<double>{5.0}, std::vector<double>{3.0});
  EXPECT_DOUBLE_EQ(c.mean_diff, 2.0);
  EXPECT_TRUE(std::isnan(c.ci_low));
  EXPECT_TRUE(std::isnan(c.p_value));
  EXPECT_TRUE(std::isnan(c.vrf));
}

TEST(EdgeCases, WelchWithOneValueInASampleGivesNaNDispersion) {
  const WelchContrast c = welch_contrast(std::vector<double>{5.0}, std::vector<double>{1, 2, 3});
  EXPECT_DOUBLE_EQ(c.mean_diff, 3.0);
  EXPECT_TRUE(std::isnan(c.se));
  EXPECT_TRUE(std::isnan(c.hedges_g));
}

TEST(EdgeCases, WelchWithBothVariancesZeroIsExact) {
  const WelchContrast c =
      welch_contrast(std::vector<double>{2, 2, 2}, std::vector<double>{1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(c.mean_diff, 1.0);
  EXPECT_DOUBLE_EQ(c.ci_low, 1.0);
  EXPECT_DOUBLE_EQ(c.ci_high, 1.0);
  EXPECT_EQ(c.p_value, 0.0);
  EXPECT_TRUE(std::isnan(c.df));
}

TEST(EdgeCases, WilsonRejectsImpossibleCounts) {
  EXPECT_THAT(invalid_input_message([] { wilson_interval(0, 0); }), HasSubstr("no trials"));
  EXPECT_THAT(invalid_input_message([] { wilson_interval(5, 4); }), HasSubstr("exceed"));
}

TEST(EdgeCases, AdjustmentRejectsValuesThatAreNotProbabilities) {
  EXPECT_THAT(invalid_input_message([] {
                holm_adjust(std::vector<double>{0.1, kNaN});
              }),
              HasSubstr("index 1"));
  EXPECT_THAT(invalid_input_message([] { benjamini_hochberg_adjust(std::vector<double>{1.5}); }),
              HasSubstr("index 0"));
  EXPECT_TRUE(holm_adjust(std::vector<double>{}).empty());
  EXPECT_THAT(adjust_p_values(std::vector<double>{0.2, 0.01}, Adjustment::kNone),
              ::testing::ElementsAre(0.2, 0.01));
}

TEST(EdgeCases, BcaOfConstantDataIsNaNNotAFakeInterval) {
  const std::vector<double> xs = {2.0, 2.0, 2.0, 2.0, 2.0};
  BootstrapOptions options;
  options.resamples = 100;
  const BootstrapResult r = bootstrap(xs, mean_statistic, options);
  EXPECT_DOUBLE_EQ(r.percentile.low, 2.0);
  EXPECT_DOUBLE_EQ(r.percentile.high, 2.0);
  EXPECT_TRUE(std::isnan(r.bca.interval.low));
  EXPECT_TRUE(std::isnan(r.bca.interval.high));
}

TEST(EdgeCases, PrecisionReportsHalfWidthAndWhetherTargetIsMet) {
  Summary s;
  s.n = 100;
  s.mean = -4.0;
  s.ci_low = -5.0;
  s.ci_high = -3.0;
  const Precision loose = achieved_precision(s, PrecisionTarget{2.0, 0.5});
  EXPECT_DOUBLE_EQ(loose.half_width, 1.0);
  EXPECT_DOUBLE_EQ(loose.relative, 0.25);
  EXPECT_TRUE(loose.target_met);
  EXPECT_EQ(loose.repetitions_needed, 100u);
  // Relative target 0.125 of |mean| 4 is 0.5: half-width must halve, so 4x the repetitions.
  const Precision tight = achieved_precision(s, PrecisionTarget{2.0, 0.125});
  EXPECT_FALSE(tight.target_met);
  EXPECT_EQ(tight.repetitions_needed, 400u);
  const Precision absolute = achieved_precision(s, PrecisionTarget{0.1});
  EXPECT_FALSE(absolute.target_met);
  EXPECT_EQ(absolute.repetitions_needed, 10000u);
}

TEST(EdgeCases, PrecisionOfSingleValueOrZeroMeanIsNeverMetSilently) {
  const Precision one = achieved_precision(summarize(std::vector<double>{1.0}), {});
  EXPECT_TRUE(std::isnan(one.half_width));
  EXPECT_FALSE(one.target_met);
  EXPECT_EQ(one.repetitions_needed, 0u);
  const Precision zero_mean =
      achieved_precision(summarize(std::vector<double>{-1.0, 1.0}), PrecisionTarget{kInf, 0.1});
  EXPECT_EQ(zero_mean.relative, kInf);
  EXPECT_FALSE(zero_mean.target_met);
}

}  // namespace
}  // namespace proteus::stats
