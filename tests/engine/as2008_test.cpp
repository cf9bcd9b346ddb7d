// The reduced-form Avellaneda-Stoikov environment against the paper's Table 1 (gamma = 0.1),
// closed forms for the symmetric strategy and an independent NumPy simulation.
#include "engine/as2008.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

struct Summary {
  double mean = 0.0;
  double sd = 0.0;
  double se() const { return sd / std::sqrt(1000.0); }
};

Summary summarise(const std::vector<double>& v) {
  double sum = 0.0;
  for (const double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0.0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1))};
}

struct TableRow {
  Summary profit;
  Summary final_q;
  Summary spread;
};

constexpr int kReps = 1000;  // as in the paper

TableRow simulate(As2008Strategy strategy) {
  As2008Spec spec;  // defaults: s0 100, T 1, sigma 2, dt 0.005, k 1.5, A 140, gamma 0.1
  spec.strategy = strategy;
  std::vector<double> profit;
  std::vector<double> q;
  std::vector<double> spread;
  for (int r = 0; r < kReps; ++r) {
    const RunResult res = run_as2008(spec, RunKey{.master_seed = 2008, .rep = std::uint64_t(r)});
    EXPECT_EQ(res.status, RunStatus::kOk);
    profit.push_back(res.metrics[0]);
    q.push_back(res.metrics[1]);
    spread.push_back(res.metrics[2]);
  }
  return {summarise(profit), summarise(q), summarise(spread)};
}

// Tolerance for comparing our mean with a published mean: 3 standard errors of the
// difference of two independent 1000-run means.
double mean_tolerance(double our_se, double paper_sd) {
  const double paper_se = paper_sd / std::sqrt(1000.0);
  return 3.0 * std::sqrt(our_se * our_se + paper_se * paper_se);
}

// Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book", Quantitative
// Finance 8(3), 217-224, Table 1 (gamma = 0.1, 1000 simulations):
//   strategy   spread  profit  std(profit)  final q  std(final q)
//   inventory  1.49    62.94   5.89         0.08     4.56
//   symmetric  1.49    67.21   13.43        0.01     8.63

TEST(As2008, InventoryStrategyReproducesPaperTable1) {
  const TableRow row = simulate(As2008Strategy::kInventory);
  // Spread: mean over steps i = 0..199 of gamma sigma^2 (T - i dt) + (2/gamma) ln(1 + gamma/k)
  // = 0.4 * (1 - 0.005 * 99.5) + 20 ln(16/15) = 0.201 + 1.2907704 = 1.4917704 (every run).
  EXPECT_NEAR(row.spread.mean, 0.201 + 20.0 * std::log(16.0 / 15.0), 1e-12);
  EXPECT_NEAR(row.spread.mean, 1.49, 0.005);  // the paper rounds to 2 decimals
  EXPECT_NEAR(row.profit.mean, 62.94, mean_tolerance(row.profit.se(), 5.89));
  EXPECT_NEAR(row.profit.sd, 5.89, 0.15 * 5.89);
  EXPECT_NEAR(row.final_q.mean, 0.08, mean_tolerance(row.final_q.se(), 4.56));
  // The paper's std(final q) = 4.56 is NOT reproduced by this model: every variant tried
  // (fill before or after the mid step, 1 - e^(-lambda dt) fill probabilities, one fill per
  // step, T - t at either end of the step) gives 2.9 to 3.4 (docs/model.md). We check instead
  // against an independent NumPy simulation of the same model (400 000 runs, numpy default_rng
  // seed 3): mean profit 63.39, sd profit 6.45, sd final q 2.95; SE of a sd ~ sd / sqrt(2n).
  EXPECT_NEAR(row.profit.mean, 63.39, 3.0 * row.profit.se());
  EXPECT_NEAR(row.profit.sd, 6.45, 4.0 * 6.45 / std::sqrt(2000.0));
  EXPECT_NEAR(row.final_q.sd, 2.95, 4.0 * 2.95 / std::sqrt(2000.0));
}

TEST(As2008, SymmetricStrategyReproducesPaperTable1AndClosedForms) {
  const TableRow row = simulate(As2008Strategy::kSymmetric);
  // Constant spread gamma sigma^2 T / 2 + (2/gamma) ln(1 + gamma/k) = 0.2 + 1.2907704.
  EXPECT_NEAR(row.spread.mean, 0.2 + 20.0 * std::log(16.0 / 15.0), 1e-12);
  EXPECT_NEAR(row.spread.sd, 0.0, 1e-12);
  EXPECT_NEAR(row.spread.mean, 1.49, 0.005);
  EXPECT_NEAR(row.profit.mean, 67.21, mean_tolerance(row.profit.se(), 13.43));
  EXPECT_NEAR(row.profit.sd, 13.43, 0.15 * 13.43);
  EXPECT_NEAR(row.final_q.mean, 0.01, mean_tolerance(row.final_q.se(), 8.63));
  EXPECT_NEAR(row.final_q.sd, 8.63, 0.15 * 8.63);
  // Closed forms (quotes fixed at s +/- d, d = 0.7453852; the mid then moves by h = 0.1414214;
  // a side at distance d -/+ h fills with p_-/+ = A e^(-k (d -/+ h)) dt):
  //   E[profit] = N * [p_+ (d + h) + p_- (d - h)] (each fill earns its distance to the new mid,
  //              later mid moves have mean 0) = 67.0024;
  //   Var[q_T] = N * [2 pbar (1 - pbar) - 2 (p_+ p_- - pbar^2)], pbar = (p_+ + p_-) / 2
  //              (the two sides of a step are tied by the shared mid move) = 8.5238^2.
  const double d = (0.2 + 20.0 * std::log(16.0 / 15.0)) / 2.0;
  const double h = 2.0 * std::sqrt(0.005);
  const double p_plus = 140.0 * std::exp(-1.5 * (d + h)) * 0.005;
  const double p_minus = 140.0 * std::exp(-1.5 * (d - h)) * 0.005;
  const double pbar = (p_plus + p_minus) / 2.0;
  const double expected_profit = 200.0 * (p_plus * (d + h) + p_minus * (d - h));
  const double expected_q_sd =
      std::sqrt(200.0 * (2.0 * pbar * (1.0 - pbar) - 2.0 * (p_plus * p_minus - pbar * pbar)));
  EXPECT_NEAR(expected_profit, 67.0024, 1e-4);
  EXPECT_NEAR(expected_q_sd, 8.5238, 1e-4);
  EXPECT_NEAR(row.profit.mean, expected_profit, 3.0 * row.profit.se());
  EXPECT_NEAR(row.final_q.mean, 0.0, 3.0 * row.final_q.se());
  EXPECT_NEAR(row.final_q.sd, expected_q_sd, 4.0 * expected_q_sd / std::sqrt(2000.0));
}

TEST(As2008, RunIsAPureFunctionOfTheKey) {
  const As2008Spec spec;
  const RunResult a = run_as2008(spec, RunKey{.master_seed = 9, .rep = 4});
  const RunResult b = run_as2008(spec, RunKey{.master_seed = 9, .rep = 4});
  const RunResult c = run_as2008(spec, RunKey{.master_seed = 9, .rep = 5});
  EXPECT_EQ(a.metrics, b.metrics);
  EXPECT_NE(a.metrics[0], c.metrics[0]);
  EXPECT_EQ(a.seed, repetition_key(9, 4));
  EXPECT_EQ(a.events_processed, 200u);
  EXPECT_EQ(a.metrics.size(), metric_registry("as2008", {}).size());
  EXPECT_EQ(metric_registry("as2008", {})[0].name, "profit");
  EXPECT_EQ(metric_registry("as2008", {})[1].name, "final_inventory");
  EXPECT_EQ(metric_registry("as2008", {})[2].name, "mean_spread");
}

TEST(As2008, NoArrivalsMeansNoTradesAndZeroProfit) {
  As2008Spec spec;
  spec.A = 0.0;
  const RunResult r = run_as2008(spec, RunKey{.master_seed = 1, .rep = 0});
  EXPECT_EQ(r.metrics[0], 0.0);
  EXPECT_EQ(r.metrics[1], 0.0);
}

TEST(As2008, InvalidSpecBecomesAnErrorStatusWithNanMetrics) {
  // An unknown strategy name never gets this far: the config key table rejects it.
  As2008Spec spec;
  spec.gamma = 0.0;
  const RunResult r = run_as2008(spec, RunKey{});
  EXPECT_EQ(r.status, RunStatus::kError);
  EXPECT_NE(r.message.find("gamma"), std::string::npos);
  ASSERT_EQ(r.metrics.size(), 3u);
  EXPECT_TRUE(std::isnan(r.metrics[0]));
}

}  // namespace
}  // namespace proteus::engine
