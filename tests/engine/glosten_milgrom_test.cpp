// The reduced-form Glosten-Milgrom (1985) environment against its closed forms: the spread at
// a prior of 1/2 is mu (v_high - v_low), the market maker's expected profit is zero, and its
// quotes converge to the true value as trades arrive.
#include "engine/glosten_milgrom.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

constexpr std::size_t kMm = 0, kInformed = 1, kNoise = 2, kInitialSpread = 3, kMeanSpread = 4,
                      kFinalSpread = 5, kBeliefError = 6;

GlostenMilgromSpec spec_of(double mu, double v_low = 0.0, double v_high = 1.0, double prior = 0.5,
                           int trades = 100) {
  GlostenMilgromSpec s;
  s.mu = mu;
  s.v_low = v_low;
  s.v_high = v_high;
  s.prior = prior;
  s.trades = trades;
  return s;
}

struct Moments {
  double mean = 0.0;
  double se = 0.0;
};

Moments moments(const std::vector<double>& x) {
  double sum = 0.0, sq = 0.0;
  for (double v : x) sum += v;
  const auto n = static_cast<double>(x.size());
  const double mean = sum / n;
  for (double v : x) sq += (v - mean) * (v - mean);
  return {mean, std::sqrt(sq / (n - 1.0) / n)};
}

std::vector<std::vector<double>> runs(const GlostenMilgromSpec& spec, int n) {
  std::vector<std::vector<double>> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int rep = 0; rep < n; ++rep) {
    const RunResult r = run_glosten_milgrom(spec, RunKey{1985, static_cast<std::uint64_t>(rep)});
    EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
    out.push_back(r.metrics);
  }
  return out;
}

std::vector<double> column(const std::vector<std::vector<double>>& rows, std::size_t j) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r[j]);
  return out;
}

TEST(GlostenMilgrom, RegistryNamesTheColumnsInRunOrder) {
  const MetricRegistry r = metric_registry("glosten_milgrom", {});
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[kMm].name, "mm_pnl");
  EXPECT_EQ(r[kInformed].name, "informed_pnl");
  EXPECT_EQ(r[kNoise].name, "noise_pnl");
  EXPECT_EQ(r[kInitialSpread].name, "initial_spread");
  EXPECT_EQ(r[kMeanSpread].name, "mean_spread");
  EXPECT_EQ(r[kFinalSpread].name, "final_spread");
  EXPECT_EQ(r[kBeliefError].name, "belief_error");
}

TEST(GlostenMilgrom, SpreadAtAnEvenPriorIsMuTimesTheValueRange) {
  // ask = v_low + (v_high - v_low)(1 + mu)/2, bid = v_low + (v_high - v_low)(1 - mu)/2.
  for (const auto& [mu, lo, hi] : {std::tuple{0.3, 0.0, 1.0}, std::tuple{0.5, 10.0, 14.0},
                                   std::tuple{0.05, -2.0, 3.0}, std::tuple{1.0, 0.0, 1.0}}) {
    const GlostenMilgromSpec s = spec_of(mu, lo, hi);
    const GmQuotes q = gm_quotes(s, 0.5);
    EXPECT_NEAR(q.ask - q.bid, mu * (hi - lo), 1e-12) << "mu " << mu;
    EXPECT_NEAR(q.ask, lo + (hi - lo) * (1.0 + mu) / 2.0, 1e-12);
    EXPECT_NEAR(q.bid, lo + (hi - lo) * (1.0 - mu) / 2.0, 1e-12);
    const RunResult r = run_glosten_milgrom(s, RunKey{3, 0});
    EXPECT_NEAR(r.metrics[kInitialSpread], mu * (hi - lo), 1e-12);
  }
  // Without informed traders the flow carries no information: zero spread, belief unchanged.
  const GlostenMilgromSpec none = spec_of(0.0);
  EXPECT_EQ(gm_posterior(none, 0.37, true), 0.37);
  const RunResult r = run_glosten_milgrom(none, RunKey{3, 1});
  EXPECT_EQ(r.metrics[kMeanSpread], 0.0);
  EXPECT_EQ(r.metrics[kBeliefError], 0.5);  // still the prior mean 1/2 against V in {0, 1}
}

TEST(GlostenMilgrom, BayesUpdateMatchesHandComputedPosteriors) {
  const GlostenMilgromSpec s = spec_of(0.3);
  // P(buy | H) = 0.65, P(buy | L) = 0.35: after one buy from 1/2, 0.65; after two, 0.65^2 /
  // (0.65^2 + 0.35^2); a buy then a sell returns to 1/2.
  const double one = gm_posterior(s, 0.5, true);
  EXPECT_NEAR(one, 0.65, 1e-15);
  EXPECT_NEAR(gm_posterior(s, one, true), 0.4225 / (0.4225 + 0.1225), 1e-15);
  EXPECT_NEAR(gm_posterior(s, one, false), 0.5, 1e-15);
  // The ask after a buy is E[V | buy, buy] for V in {0, 1}.
  EXPECT_NEAR(gm_quotes(s, one).ask, 0.4225 / (0.4225 + 0.1225), 1e-15);
}

TEST(GlostenMilgrom, MarketMakerExpectedProfitIsZeroAndTradersPnlSumsToItsLoss) {
  for (const GlostenMilgromSpec& s :
       {spec_of(0.3), spec_of(0.6, 10.0, 14.0, 0.5, 40), spec_of(0.2, 0.0, 1.0, 0.3, 60)}) {
    const auto rows = runs(s, 20000);
    for (const auto& r : rows) {
      EXPECT_NEAR(r[kMm] + r[kInformed] + r[kNoise], 0.0, 1e-9 * (s.v_high - s.v_low) * s.trades);
    }
    const Moments mm = moments(column(rows, kMm));
    EXPECT_NEAR(mm.mean, 0.0, 4.0 * mm.se) << "mu " << s.mu << " prior " << s.prior;
    EXPECT_GT(mm.se, 0.0);
    // The informed gain what the uninformed lose.
    EXPECT_GT(moments(column(rows, kInformed)).mean, 10.0 * moments(column(rows, kInformed)).se);
    EXPECT_LT(moments(column(rows, kNoise)).mean, -10.0 * moments(column(rows, kNoise)).se);
  }
}

TEST(GlostenMilgrom, QuotesConvergeToTheTrueValueAsTradesArrive) {
  const GlostenMilgromSpec s = spec_of(0.3);
  std::vector<double> short_err, long_err, final_spread;
  for (int trades : {5, 200}) {
    GlostenMilgromSpec t = s;
    t.trades = trades;
    const auto rows = runs(t, 2000);
    (trades == 5 ? short_err : long_err) = column(rows, kBeliefError);
    if (trades == 200) final_spread = column(rows, kFinalSpread);
  }
  // Before any trade the error is (v_high - v_low) / 2 = 0.5.
  EXPECT_LT(moments(short_err).mean, 0.5);
  EXPECT_LT(moments(long_err).mean, 0.01);
  EXPECT_LT(moments(long_err).mean, moments(short_err).mean / 10.0);
  EXPECT_LT(moments(final_spread).mean, 0.01);  // the spread closes as the belief settles
}

TEST(GlostenMilgrom, RunIsAPureFunctionOfTheKeyAndRejectsBadSpecs) {
  const GlostenMilgromSpec s = spec_of(0.3);
  const RunResult a = run_glosten_milgrom(s, RunKey{9, 4});
  const RunResult b = run_glosten_milgrom(s, RunKey{9, 4});
  EXPECT_EQ(a.metrics, b.metrics);
  EXPECT_EQ(a.seed, repetition_key(9, 4));
  EXPECT_EQ(a.events_processed, 100u);
  const RunResult bad = run_glosten_milgrom(spec_of(0.3, 1.0, 1.0), RunKey{9, 4});
  EXPECT_EQ(bad.status, RunStatus::kError);
  EXPECT_EQ(bad.metrics.size(), 7u);
  EXPECT_TRUE(std::isnan(bad.metrics[0]));
}

}  // namespace
}  // namespace proteus::engine
