// The reduced-form Avellaneda-Stoikov environment against every row the paper publishes
// (Tables 1-3: gamma 0.1, 0.01 and 0.5; inventory and symmetric strategies), closed forms for the
// symmetric strategy and an independent NumPy simulation (docs/model.md).
#include "engine/as2008.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

constexpr int kPaperReps = 1000;  // the paper's paths per row
constexpr int kReps = 10000;      // ours per row

struct Summary {
  double mean = 0.0;
  double sd = 0.0;
};

Summary summarise(const std::vector<double>& v) {
  double sum = 0.0;
  for (const double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0.0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1))};
}

struct Simulated {
  Summary profit;
  Summary final_q;
  Summary spread;
};

Simulated simulate(As2008Spec spec) {
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

// One published row: Avellaneda & Stoikov (2008), "High-frequency trading in a limit order
// book", Quantitative Finance 8(3), 217-224, section 4, Tables 1-3 (1000 simulations each).
struct PaperRow {
  double gamma;
  As2008Strategy strategy;
  double spread, profit, sd_profit, final_q, sd_final_q;
};

constexpr std::array<PaperRow, 6> kPaper = {{
    {0.1, As2008Strategy::kInventory, 1.29, 62.94, 5.89, 0.10, 2.80},
    {0.1, As2008Strategy::kSymmetric, 1.29, 67.21, 13.43, -0.018, 8.66},
    {0.01, As2008Strategy::kInventory, 1.33, 66.78, 8.76, -0.02, 4.70},
    {0.01, As2008Strategy::kSymmetric, 1.33, 67.36, 13.40, -0.31, 8.65},
    {0.5, As2008Strategy::kInventory, 1.15, 33.92, 4.72, -0.02, 1.88},
    {0.5, As2008Strategy::kSymmetric, 1.15, 66.20, 14.53, 0.25, 9.06},
}};

// |ours - paper| in standard errors of the difference of a 10,000-run and a 1000-run mean.
double mean_z(Summary ours, double paper_mean, double paper_sd) {
  const double se = std::sqrt(ours.sd * ours.sd / kReps + paper_sd * paper_sd / kPaperReps);
  return std::abs(ours.mean - paper_mean) / se;
}

// The same for two standard deviations (the SE of a sample sd is about sd / sqrt(2n)).
double sd_z(double ours, double paper) {
  const double se = std::sqrt(ours * ours / (2.0 * kReps) + paper * paper / (2.0 * kPaperReps));
  return std::abs(ours - paper) / se;
}

std::string label(const PaperRow& row) {
  return "gamma " + std::to_string(row.gamma) +
         (row.strategy == As2008Strategy::kInventory ? " inventory" : " symmetric");
}

// The three published cells this model does not reproduce (docs/model.md, "Known mismatches"):
// each is checked against the independent NumPy simulation of the same model instead
// (400,000 runs, numpy default_rng seed 3, the script in docs/model.md).
struct Mismatch {
  double gamma;
  As2008Strategy strategy;
  const char* column;
  double numpy;
};
constexpr std::array<Mismatch, 3> kMismatches = {{
    {0.1, As2008Strategy::kInventory, "profit", 62.222},
    {0.01, As2008Strategy::kInventory, "sd_final_q", 5.261},
    {0.5, As2008Strategy::kInventory, "profit", 20.937},
}};

const Mismatch* mismatch(const PaperRow& row, const std::string& column) {
  for (const Mismatch& m : kMismatches) {
    if (m.gamma == row.gamma && m.strategy == row.strategy && column == m.column) return &m;
  }
  return nullptr;
}

TEST(As2008, EveryPublishedRowWithinMonteCarloErrorExceptTheListedMismatches) {
  for (const PaperRow& row : kPaper) {
    SCOPED_TRACE(label(row));
    As2008Spec spec;  // defaults: s0 100, T 1, sigma 2, dt 0.005, k 1.5, A 140, constant spread
    spec.gamma = row.gamma;
    spec.strategy = row.strategy;
    const Simulated ours = simulate(spec);
    // The spread is (2/gamma) ln(1 + gamma/k) at every step of every run.
    const double arrival_spread = 2.0 / row.gamma * std::log1p(row.gamma / 1.5);
    EXPECT_NEAR(ours.spread.mean, arrival_spread, 1e-12);
    EXPECT_NEAR(ours.spread.sd, 0.0, 1e-12);
    EXPECT_NEAR(ours.spread.mean, row.spread, 0.005);  // the paper rounds to 2 decimals

    const double z_profit = mean_z(ours.profit, row.profit, row.sd_profit);
    const double z_q = mean_z(ours.final_q, row.final_q, row.sd_final_q);
    const double z_sd_profit = sd_z(ours.profit.sd, row.sd_profit);
    const double z_sd_q = sd_z(ours.final_q.sd, row.sd_final_q);
    const std::array<std::pair<const char*, double>, 4> cells = {{
        {"profit", z_profit},
        {"final_q", z_q},
        {"sd_profit", z_sd_profit},
        {"sd_final_q", z_sd_q},
    }};
    for (const auto& [column, z] : cells) {
      SCOPED_TRACE(column);
      if (const Mismatch* m = mismatch(row, column)) {
        // Documented: the paper's value is out of reach, the model's is the NumPy one.
        EXPECT_GT(z, 3.0);
        const bool is_sd = std::string(column).starts_with("sd_");
        const Summary& s = std::string(column).ends_with("profit") ? ours.profit : ours.final_q;
        const double value = is_sd ? s.sd : s.mean;
        const double se = is_sd ? s.sd / std::sqrt(2.0 * kReps) : s.sd / std::sqrt(kReps);
        EXPECT_NEAR(value, m->numpy, 3.0 * se);
        continue;
      }
      // Means within 3 standard errors of the difference, sds within 4 (heavier tails).
      EXPECT_LT(z, std::string(column).starts_with("sd_") ? 4.0 : 3.0);
    }
  }
}

TEST(As2008, SymmetricStrategyMatchesItsClosedForms) {
  // Quotes fixed at s +/- d, d = (1/gamma) ln(1 + gamma/k); the mid then moves by h = sigma
  // sqrt(dt); a side at distance d -/+ h fills with p_-/+ = A e^(-k (d -/+ h)) dt:
  //   E[profit] = N [p_+ (d + h) + p_- (d - h)] (each fill earns its distance to the new mid,
  //               later mid moves have mean 0);
  //   Var[q_T]  = N [2 pbar (1 - pbar) - 2 (p_+ p_- - pbar^2)], pbar = (p_+ + p_-) / 2.
  // gamma 0.1: 66.9708 and 8.9708^2 (checked by hand against the NumPy run: 66.972, 8.968).
  for (const double gamma : {0.1, 0.01, 0.5}) {
    SCOPED_TRACE(gamma);
    As2008Spec spec;
    spec.gamma = gamma;
    spec.strategy = As2008Strategy::kSymmetric;
    const Simulated ours = simulate(spec);
    const double d = std::log1p(gamma / 1.5) / gamma;
    const double h = 2.0 * std::sqrt(0.005);
    const double p_plus = 140.0 * std::exp(-1.5 * (d + h)) * 0.005;
    const double p_minus = 140.0 * std::exp(-1.5 * (d - h)) * 0.005;
    const double pbar = (p_plus + p_minus) / 2.0;
    const double expected_profit = 200.0 * (p_plus * (d + h) + p_minus * (d - h));
    const double expected_q_sd =
        std::sqrt(200.0 * (2.0 * pbar * (1.0 - pbar) - 2.0 * (p_plus * p_minus - pbar * pbar)));
    if (gamma == 0.1) {
      EXPECT_NEAR(expected_profit, 66.9708, 1e-4);
      EXPECT_NEAR(expected_q_sd, 8.9708, 1e-4);
    }
    EXPECT_NEAR(ours.profit.mean, expected_profit, 3.0 * ours.profit.sd / std::sqrt(kReps));
    EXPECT_NEAR(ours.final_q.mean, 0.0, 3.0 * ours.final_q.sd / std::sqrt(kReps));
    EXPECT_NEAR(ours.final_q.sd, expected_q_sd, 4.0 * expected_q_sd / std::sqrt(2.0 * kReps));
  }
}

TEST(As2008, FiniteHorizonSpreadAddsTheInventoryRiskTerm) {
  // spread = "finite_horizon": mean over steps i = 0..199 of gamma sigma^2 (T - i dt) +
  // (2/gamma) ln(1 + gamma/k) = 0.4 * (1 - 0.005 * 99.5) + 20 ln(16/15) at gamma 0.1; the
  // symmetric strategy quotes that average, 0.2 + 20 ln(16/15), at every step.
  As2008Spec spec;
  spec.spread = As2008Spread::kFiniteHorizon;
  const RunResult inv = run_as2008(spec, RunKey{.master_seed = 1, .rep = 0});
  EXPECT_NEAR(inv.metrics[2], 0.201 + 20.0 * std::log(16.0 / 15.0), 1e-12);
  spec.strategy = As2008Strategy::kSymmetric;
  const RunResult sym = run_as2008(spec, RunKey{.master_seed = 1, .rep = 0});
  EXPECT_NEAR(sym.metrics[2], 0.2 + 20.0 * std::log(16.0 / 15.0), 1e-12);
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
