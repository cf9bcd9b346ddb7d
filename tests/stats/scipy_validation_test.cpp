// Compares proteus::stats with SciPy/NumPy values computed at test time by scipy_reference.py
// on seeded fixtures (the fixture file carries both the inputs and SciPy's answers).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "close.hpp"
#include "reference.hpp"
#include "stats/bootstrap.hpp"
#include "stats/contrast.hpp"
#include "stats/distributions.hpp"
#include "stats/multiple.hpp"
#include "stats/proportion.hpp"
#include "stats/summary.hpp"
#include "stats/tail.hpp"

namespace proteus::stats {
namespace {

using testing::is_close;
using testing::scipy_reference;

// Boost.Math and SciPy's special functions agree to ~1e-14; sums differ in order.
constexpr double kTol = 1e-11;

TEST(ScipySummary, MatchesStdSemAndTInterval) {
  const auto& ref = scipy_reference();
  const Summary s95 = summarize(ref.at("summary.x"), 0.95);
  EXPECT_EQ(s95.n, 30u);
  EXPECT_TRUE(is_close(s95.mean, ref.value("summary.expected", 0), kTol));
  EXPECT_TRUE(is_close(s95.sd, ref.value("summary.expected", 1), kTol));
  EXPECT_TRUE(is_close(s95.se, ref.value("summary.expected", 2), kTol));
  EXPECT_TRUE(is_close(s95.ci_low, ref.value("summary.ci95", 0), kTol));
  EXPECT_TRUE(is_close(s95.ci_high, ref.value("summary.ci95", 1), kTol));
  const Summary s90 = summarize(ref.at("summary.x"), 0.90);
  EXPECT_TRUE(is_close(s90.ci_low, ref.value("summary.ci90", 0), kTol));
  EXPECT_TRUE(is_close(s90.ci_high, ref.value("summary.ci90", 1), kTol));
}

TEST(ScipyPaired, MatchesTtestRel) {
  const auto& ref = scipy_reference();
  const PairedContrast c = paired_contrast(ref.at("paired.a"), ref.at("paired.b"), 0.95);
  EXPECT_EQ(c.n, 25u);
  EXPECT_TRUE(is_close(c.t, ref.value("paired.t_p", 0), kTol));
  EXPECT_TRUE(is_close(c.p_value, ref.value("paired.t_p", 1), kTol));
  EXPECT_TRUE(is_close(c.mean_diff, ref.value("paired.mean_sd", 0), kTol));
  EXPECT_TRUE(is_close(c.sd_diff, ref.value("paired.mean_sd", 1), kTol));
  EXPECT_TRUE(is_close(c.ci_low, ref.value("paired.ci95", 0), kTol));
  EXPECT_TRUE(is_close(c.ci_high, ref.value("paired.ci95", 1), kTol));
  EXPECT_TRUE(is_close(c.d_z, ref.value("paired.d_z"), kTol));
  EXPECT_TRUE(is_close(c.vrf, ref.value("paired.vrf"), kTol));
  EXPECT_GT(c.vrf, 1.0);  // the shared base makes pairing pay
  const PairedContrast c99 = paired_contrast(ref.at("paired.a"), ref.at("paired.b"), 0.99);
  EXPECT_TRUE(is_close(c99.ci_low, ref.value("paired.ci99", 0), kTol));
  EXPECT_TRUE(is_close(c99.ci_high, ref.value("paired.ci99", 1), kTol));
}

TEST(ScipyWelch, MatchesTtestIndUnequalVariance) {
  const auto& ref = scipy_reference();
  const WelchContrast c = welch_contrast(ref.at("welch.a"), ref.at("welch.b"), 0.95);
  EXPECT_EQ(c.n_a, 18u);
  EXPECT_EQ(c.n_b, 27u);
  EXPECT_TRUE(is_close(c.t, ref.value("welch.t_p_df", 0), kTol));
  EXPECT_TRUE(is_close(c.p_value, ref.value("welch.t_p_df", 1), kTol));
  EXPECT_TRUE(is_close(c.df, ref.value("welch.t_p_df", 2), kTol));
  EXPECT_TRUE(is_close(c.ci_low, ref.value("welch.ci95", 0), kTol));
  EXPECT_TRUE(is_close(c.ci_high, ref.value("welch.ci95", 1), kTol));
  EXPECT_TRUE(is_close(c.cohens_d, ref.value("welch.cohen_hedges", 0), kTol));
  EXPECT_TRUE(is_close(c.hedges_g, ref.value("welch.cohen_hedges", 1), kTol));
}

TEST(ScipyHedges, ExactCorrectionMatchesLogGammaDefinition) {
  const auto& ref = scipy_reference();
  const auto& dfs = ref.at("hedges_j.df");
  ASSERT_EQ(dfs.size(), ref.at("hedges_j.value").size());
  for (std::size_t i = 0; i < dfs.size(); ++i) {
    EXPECT_TRUE(is_close(hedges_correction(dfs[i]), ref.value("hedges_j.value", i), 1e-13))
        << "df = " << dfs[i];
  }
}

TEST(ScipyBootstrap, BcaOnFixedDistributionMatchesScipyBootstrap) {
  const auto& ref = scipy_reference();
  const auto& data = ref.at("bca.data");
  const auto& boot = ref.at("bca.boot");
  const std::vector<double> jack = jackknife(data, mean_statistic);
  for (const auto& [level, tag] : {std::pair{0.95, "95"}, std::pair{0.90, "90"}}) {
    const BcaInterval bca = bca_interval(boot, mean_statistic(data), jack, level);
    EXPECT_TRUE(is_close(bca.z0, ref.value(std::string("bca.z0_a") + tag, 0), kTol)) << tag;
    EXPECT_TRUE(is_close(bca.acceleration, ref.value(std::string("bca.z0_a") + tag, 1), kTol));
    EXPECT_TRUE(is_close(bca.interval.low, ref.value(std::string("bca.bca") + tag, 0), kTol));
    EXPECT_TRUE(is_close(bca.interval.high, ref.value(std::string("bca.bca") + tag, 1), kTol));
    const Interval pct = percentile_interval(boot, level);
    EXPECT_TRUE(is_close(pct.low, ref.value(std::string("bca.percentile") + tag, 0), kTol));
    EXPECT_TRUE(is_close(pct.high, ref.value(std::string("bca.percentile") + tag, 1), kTol));
  }
}

TEST(ScipyBootstrap, SplitMix64MatchesIndependentPython) {
  const auto& ref = scipy_reference();
  const std::uint64_t seeds[] = {0, 1234567, ~std::uint64_t{0}};
  const std::uint64_t indices[] = {0, 1, 2, 1000, std::uint64_t{1} << 40};
  for (int s = 0; s < 3; ++s) {
    const auto& halves = ref.at("splitmix.seed" + std::to_string(s));
    ASSERT_EQ(halves.size(), 10u);
    for (std::size_t i = 0; i < 5; ++i) {
      const auto expected = (static_cast<std::uint64_t>(halves[2 * i]) << 32) |
                            static_cast<std::uint64_t>(halves[2 * i + 1]);
      EXPECT_EQ(splitmix64(seeds[s], indices[i]), expected) << "seed " << s << " index " << i;
    }
  }
}

TEST(ScipyBootstrap, WholePipelineMatchesPythonResamplingAndScipyBca) {
  const auto& ref = scipy_reference();
  BootstrapOptions options;
  options.seed = static_cast<std::uint64_t>(ref.value("pipeline.seed_resamples", 0));
  options.resamples = static_cast<std::uint64_t>(ref.value("pipeline.seed_resamples", 1));
  options.level = 0.95;
  const BootstrapResult r = bootstrap(ref.at("pipeline.data"), mean_statistic, options);
  EXPECT_TRUE(is_close(r.percentile.low, ref.value("pipeline.percentile95", 0), 1e-10));
  EXPECT_TRUE(is_close(r.percentile.high, ref.value("pipeline.percentile95", 1), 1e-10));
  EXPECT_TRUE(is_close(r.bca.interval.low, ref.value("pipeline.bca95", 0), 1e-10));
  EXPECT_TRUE(is_close(r.bca.interval.high, ref.value("pipeline.bca95", 1), 1e-10));
}

TEST(ScipyWilson, MatchesBinomtestProportionCi) {
  const auto& ref = scipy_reference();
  const char* names[] = {"wilson.0_20_0.95",   "wilson.1_29_0.95",   "wilson.15_148_0.95",
                         "wilson.81_263_0.95", "wilson.20_20_0.95",  "wilson.37_50_0.95",
                         "wilson.81_263_0.99", "wilson.500_1000_0.9"};
  for (const char* name : names) {
    const auto& v = ref.at(name);
    const Proportion p =
        wilson_interval(static_cast<std::uint64_t>(v[0]), static_cast<std::uint64_t>(v[1]), v[2]);
    EXPECT_TRUE(is_close(p.ci_low, v[3], 1e-12)) << name;
    EXPECT_TRUE(is_close(p.ci_high, v[4], 1e-12)) << name;
  }
}

TEST(ScipyQuantile, MatchesNumpyDefaultMethod) {
  const auto& ref = scipy_reference();
  for (const auto& [data, expected] : {std::pair{"quantile.x", "quantile.expected"},
                                       std::pair{"quantile.small", "quantile.small_expected"}}) {
    const std::vector<double> got = quantiles(ref.at(data), ref.at("quantile.q"));
    ASSERT_EQ(got.size(), ref.at(expected).size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_TRUE(is_close(got[i], ref.value(expected, i), 1e-14))
          << data << " q=" << ref.value("quantile.q", i);
    }
  }
}

TEST(ScipyTail, VarAndCvarMatchNumpyDefinitions) {
  const auto& ref = scipy_reference();
  for (const char* tag : {"tail.var_cvar95", "tail.var_cvar99", "tail.var_cvar50"}) {
    const auto& v = ref.at(tag);
    const TailRisk r = tail_risk(ref.at("tail.pnl"), v[0]);
    EXPECT_TRUE(is_close(r.var, v[1], 1e-13)) << tag;
    EXPECT_TRUE(is_close(r.cvar, v[2], 1e-12)) << tag;
    EXPECT_GE(r.cvar, r.var);
  }
}

TEST(ScipyTail, MaxDrawdownMatchesNumpyRunningMaximum) {
  const auto& ref = scipy_reference();
  EXPECT_TRUE(
      is_close(max_drawdown(ref.at("drawdown.path")), ref.value("drawdown.expected"), 1e-13));
}

TEST(ScipyMultiple, HolmAndBenjaminiHochbergMatchDefinitions) {
  const auto& ref = scipy_reference();
  const std::vector<double> holm = holm_adjust(ref.at("multiple.p"));
  const std::vector<double> bh = benjamini_hochberg_adjust(ref.at("multiple.p"));
  ASSERT_EQ(holm.size(), ref.at("multiple.holm").size());
  ASSERT_EQ(bh.size(), ref.at("multiple.bh").size());
  for (std::size_t i = 0; i < holm.size(); ++i) {
    EXPECT_TRUE(is_close(holm[i], ref.value("multiple.holm", i), 1e-15)) << i;
    EXPECT_TRUE(is_close(bh[i], ref.value("multiple.bh", i), 1e-15)) << i;
  }
}

}  // namespace
}  // namespace proteus::stats
