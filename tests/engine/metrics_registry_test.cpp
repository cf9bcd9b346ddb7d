// The metric registry built from a run's spec: column names and order, one adverse-selection
// column per metrics.as_horizons_ms entry, and that the horizons change only those columns.
#include "engine/metrics_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/choices.hpp"
#include "engine/config.hpp"
#include "engine/simulation.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> names(const MetricRegistry& registry) {
  std::vector<std::string> out;
  for (const MetricInfo& m : registry) out.push_back(m.name);
  return out;
}

ScenarioSpec quickstart() {
  return load_scenario_file(std::string(PROTEUS_SOURCE_DIR) + "/configs/quickstart.toml");
}

TEST(MetricRegistry, DefaultMarketColumnsAreThePanelsColumnsInOrder) {
  // The columns every panel had before the P&L decomposition, in this order, then the
  // decomposition and the per-class adverse selection (new columns only ever go after them,
  // so a metric's registry position, which seeds its bootstrap, stays put).
  const std::vector<std::string> all = names(metric_registry(ScenarioSpec{}));
  const std::vector<std::string> before(all.begin(), all.begin() + 23);
  const std::vector<std::string> after(all.begin() + 23, all.end());
  EXPECT_THAT(before, ElementsAre("mm_pnl", "mm_sharpe", "mm_max_drawdown", "mm_inventory_var",
                                  "mm_final_inventory", "mm_fills", "mm_survival", "as_loss_100ms",
                                  "as_loss_1s", "as_loss_10s", "exec_error", "slippage",
                                  "fill_prob", "time_to_exec", "price_rmse", "quoted_spread",
                                  "effective_spread", "depth", "realized_vol", "shock_half_life",
                                  "volume", "trade_count", "message_count"));
  EXPECT_THAT(after, ElementsAre("effective_spread_latent", "mm_spread_pnl", "mm_spread_informed",
                                 "mm_spread_noise", "mm_spread_sniper", "mm_adverse_informed",
                                 "mm_adverse_noise", "mm_adverse_sniper", "mm_fee_pnl",
                                 "informed_pnl", "noise_pnl", "sniper_pnl", "mm_time_to_kill",
                                 "mm_quoted_spread", "as_informed_100ms", "as_informed_1s",
                                 "as_informed_10s", "as_noise_100ms", "as_noise_1s", "as_noise_10s",
                                 "as_sniper_100ms", "as_sniper_1s", "as_sniper_10s"));
}

TEST(MetricRegistry, EnumIndicesNameTheirColumnsForAnyHorizonCount) {
  const std::vector<std::string> fixed = {"mm_pnl",
                                          "mm_sharpe",
                                          "mm_max_drawdown",
                                          "mm_inventory_var",
                                          "mm_final_inventory",
                                          "mm_fills",
                                          "mm_survival",
                                          "exec_error",
                                          "slippage",
                                          "fill_prob",
                                          "time_to_exec",
                                          "price_rmse",
                                          "quoted_spread",
                                          "effective_spread",
                                          "depth",
                                          "realized_vol",
                                          "shock_half_life",
                                          "volume",
                                          "trade_count",
                                          "message_count",
                                          "effective_spread_latent",
                                          "mm_spread_pnl",
                                          "mm_spread_informed",
                                          "mm_spread_noise",
                                          "mm_spread_sniper",
                                          "mm_adverse_informed",
                                          "mm_adverse_noise",
                                          "mm_adverse_sniper",
                                          "mm_fee_pnl",
                                          "informed_pnl",
                                          "noise_pnl",
                                          "sniper_pnl",
                                          "mm_time_to_kill",
                                          "mm_quoted_spread"};
  ASSERT_EQ(fixed.size(), kMarketMetricCount);
  for (const std::vector<double>& horizons :
       {std::vector<double>{}, std::vector<double>{250.0}, std::vector<double>{5, 50, 500, 5000}}) {
    const MetricRegistry r = metric_registry("market", horizons);
    ASSERT_EQ(r.size(), kMarketMetricCount + 4 * horizons.size());
    for (std::size_t m = 0; m < kMarketMetricCount; ++m) {
      EXPECT_EQ(r[market_metric_index(static_cast<MarketMetric>(m), horizons.size())].name,
                fixed[m]);
    }
    for (std::size_t h = 0; h < horizons.size(); ++h) {
      EXPECT_EQ(r[as_loss_index(h)].name, as_loss_name(horizons[h]));
      EXPECT_EQ(r[as_loss_index(h)].units, "payoff");
    }
  }
}

TEST(MetricRegistry, HorizonNamesUseWholeSecondsThenMillisecondsThenADecimalP) {
  EXPECT_EQ(as_loss_name(100.0), "as_loss_100ms");
  EXPECT_EQ(as_loss_name(1000.0), "as_loss_1s");
  EXPECT_EQ(as_loss_name(10000.0), "as_loss_10s");
  EXPECT_EQ(as_loss_name(1500.0), "as_loss_1500ms");
  EXPECT_EQ(as_loss_name(250.0), "as_loss_250ms");
  EXPECT_EQ(as_loss_name(0.5), "as_loss_0p5ms");
  EXPECT_EQ(as_loss_name(60000.0), "as_loss_60s");
}

TEST(MetricRegistry, ReportRolesLiveInTheEntries) {
  const MetricRegistry market = metric_registry(ScenarioSpec{});
  EXPECT_THAT(market.primary(),
              ElementsAre("mm_pnl", "as_loss_1s", "quoted_spread", "effective_spread", "price_rmse",
                          "mm_survival", "mm_spread_pnl", "mm_spread_informed", "mm_spread_noise",
                          "effective_spread_latent", "as_informed_1s", "mm_quoted_spread"));
  EXPECT_EQ(market[*market.index_of("mm_survival")].kind, MetricKind::kProportion);
  EXPECT_EQ(market[*market.index_of("mm_pnl")].kind, MetricKind::kPnl);
  EXPECT_EQ(market[*market.index_of("volume")].kind, MetricKind::kMean);
  EXPECT_FALSE(market.index_of("profit").has_value());
  // Without a 1 s horizon the default adverse-selection column is the one nearest 1 s.
  const std::vector<double> far = {50.0, 2000.0};
  EXPECT_THAT(
      metric_registry("market", far).primary(),
      ElementsAre("mm_pnl", "as_loss_50ms", "quoted_spread", "effective_spread", "price_rmse",
                  "mm_survival", "mm_spread_pnl", "mm_spread_informed", "mm_spread_noise",
                  "effective_spread_latent", "as_informed_50ms", "mm_quoted_spread"));
  const MetricRegistry as2008 = metric_registry("as2008", far);
  EXPECT_THAT(names(as2008), ElementsAre("profit", "final_inventory", "mean_spread"));
  EXPECT_EQ(as2008[0].kind, MetricKind::kPnl);
  EXPECT_THROW(metric_registry("nowhere", far), std::invalid_argument);
}

TEST(MetricRegistry, HorizonsFromTheSpecGiveTheirColumnsAndLeaveTheMarketUnchanged) {
  ScenarioSpec spec = quickstart();
  spec.metrics.as_horizons_ms = {1000.0};
  const RunResult one = run_scenario(spec, RunKey{spec.run.seed, 3});
  spec.metrics.as_horizons_ms = {20.0, 1000.0, 30000.0};
  const RunResult three = run_scenario(spec, RunKey{spec.run.seed, 3});
  ASSERT_EQ(one.status, RunStatus::kOk) << one.message;
  ASSERT_EQ(three.status, RunStatus::kOk) << three.message;
  const MetricRegistry r1 = metric_registry("market", std::vector<double>{1000.0});
  const MetricRegistry r3 = metric_registry(spec);
  ASSERT_EQ(one.metrics.size(), r1.size());
  ASSERT_EQ(three.metrics.size(), r3.size());
  // Horizons only observe: the same run, and every column both have, is identical.
  EXPECT_EQ(one.events_processed, three.events_processed);
  for (std::size_t i = 0; i < r1.size(); ++i) {
    const std::size_t j = r3.index_of(r1[i].name).value();
    const double a = one.metrics[i];
    const double b = three.metrics[j];
    EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b)))
        << r1[i].name << ": " << a << " vs " << b;
  }
  // The new horizons measure something different from the 1 s one.
  const double as20 = three.metrics[r3.index_of("as_loss_20ms").value()];
  const double as1s = three.metrics[r3.index_of("as_loss_1s").value()];
  const double as30s = three.metrics[r3.index_of("as_loss_30s").value()];
  EXPECT_TRUE(std::isfinite(as20) && std::isfinite(as30s));
  EXPECT_NE(as20, as1s);
  EXPECT_NE(as30s, as1s);
}

}  // namespace
}  // namespace proteus::engine

namespace proteus::engine {
namespace {

double metric(const RunResult& r, const MetricRegistry& reg, const std::string& name) {
  return r.metrics.at(reg.index_of(name).value());
}

ScenarioSpec decomposition_market(const std::string& mechanism) {
  ScenarioSpec s;
  s.run.duration_s = 20.0;
  s.run.mechanism = parse_choice<MechanismKind>(mechanism).value();
  s.mechanism.dual_flow.acknowledge_gate = true;
  s.agents.market_maker.count = 2;
  s.agents.noise.count = 8;
  s.agents.noise.rate = 3.0;
  s.agents.informed.activity = 0.4;
  s.agents.informed.signal.noise = 0.005;
  s.agents.market_maker.signal.noise = 0.02;
  s.agents.market_maker.signal.delay_ms = 200.0;
  s.agents.sniper.enabled = true;
  s.market.maker_fee_micros = -100;  // a rebate for resting orders
  s.market.taker_fee_micros = 300;
  s.latent.jump_rate = 0.5;
  s.metrics.as_horizons_ms = {100.0, 1000.0, 1e9};  // the last is past the end: p_T
  return s;
}

TEST(PnlDecomposition, MarketMakerPnlIsSpreadMinusAdverseSelectionPlusFeesUnderEveryMechanism) {
  for (const std::string m : {"clob", "fba", "rfq", "dual_flow"}) {
    const ScenarioSpec spec = decomposition_market(m);
    const MetricRegistry reg = metric_registry(spec);
    for (std::uint64_t rep = 0; rep < 3; ++rep) {
      const RunResult r = run_scenario(spec, RunKey{77, rep});
      ASSERT_EQ(r.status, RunStatus::kOk) << m << ": " << r.message;
      const double pnl = metric(r, reg, "mm_pnl");
      const double spread = metric(r, reg, "mm_spread_pnl");
      const double adverse = metric(r, reg, "mm_adverse_informed") +
                             metric(r, reg, "mm_adverse_noise") +
                             metric(r, reg, "mm_adverse_sniper");
      const double fees = metric(r, reg, "mm_fee_pnl");
      EXPECT_GT(metric(r, reg, "mm_fills"), 10.0) << m;
      EXPECT_NEAR(pnl, spread - adverse + fees, 1e-9) << m << " rep " << rep;
      // Every agent's marked P&L: the market makers' and the traders' sum to minus the fees
      // the venue kept (cash is conserved and inventories sum to zero).
      const double traders = metric(r, reg, "informed_pnl") + metric(r, reg, "noise_pnl") +
                             metric(r, reg, "sniper_pnl");
      EXPECT_LT(pnl + traders, 1e-9) << m << ": the venue's net fees are >= 0 here";
      double class_spread = 0.0;
      for (const char* c : {"informed", "noise", "sniper"}) {
        const std::string cls(c);
        class_spread += metric(r, reg, "mm_spread_" + cls);
        // A horizon past the end is valued at p_T: the class's loss there is its price impact
        // minus the spread the market makers earned from it.
        EXPECT_NEAR(metric(r, reg, "as_" + cls + "_1000000s"),
                    metric(r, reg, "mm_adverse_" + cls) - metric(r, reg, "mm_spread_" + cls), 1e-9)
            << m << " " << c;
      }
      EXPECT_NEAR(class_spread, spread, 1e-9) << m;
      // The per-class columns split as_loss exactly.
      for (const char* h : {"100ms", "1s"}) {
        const double by_class = metric(r, reg, std::string("as_informed_") + h) +
                                metric(r, reg, std::string("as_noise_") + h) +
                                metric(r, reg, std::string("as_sniper_") + h);
        EXPECT_NEAR(metric(r, reg, std::string("as_loss_") + h), by_class, 1e-9) << m << " " << h;
      }
      // The effective spread against the latent value exists under every mechanism.
      EXPECT_TRUE(std::isfinite(metric(r, reg, "effective_spread_latent"))) << m;
      // So does the market makers' own quoted spread, at least their narrowest rule allows.
      EXPECT_TRUE(std::isfinite(metric(r, reg, "mm_quoted_spread"))) << m;
      EXPECT_GE(metric(r, reg, "mm_quoted_spread"),
                2 * spec.agents.market_maker.min_half_spread - 1e-3)
          << m;
      EXPECT_DOUBLE_EQ(metric(r, reg, "effective_spread_latent"),
                       2.0 * metric(r, reg, "exec_error"));
    }
  }
}

TEST(PnlDecomposition, InformedTradersTakeStaleQuotesAndNoiseTradersPayTheSpread) {
  // The market maker sees the value 200 ms late and noisier than the informed trader: the
  // informed trade at quotes behind the value (the market makers earn a negative spread from
  // them and lose at 1 s), while noise traders pay the spread.
  ScenarioSpec spec = decomposition_market("clob");
  spec.agents.sniper.enabled = false;
  spec.run.duration_s = 10.0;
  const MetricRegistry reg = metric_registry(spec);
  double spread_informed = 0.0, as_informed = 0.0, spread_noise = 0.0, informed = 0.0;
  const int n = 20;
  for (int rep = 0; rep < n; ++rep) {
    const RunResult r = run_scenario(spec, RunKey{5, static_cast<std::uint64_t>(rep)});
    ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
    spread_informed += metric(r, reg, "mm_spread_informed");
    as_informed += metric(r, reg, "as_informed_1s");
    spread_noise += metric(r, reg, "mm_spread_noise");
    informed += metric(r, reg, "informed_pnl");
  }
  EXPECT_LT(spread_informed / n, 0.0);
  EXPECT_GT(as_informed / n, 0.0);
  EXPECT_GT(spread_noise / n, 0.0);
  EXPECT_GT(informed / n, 0.0);
}

}  // namespace
}  // namespace proteus::engine
