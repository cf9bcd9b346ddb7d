// The metric registry built from a run's spec: column names and order, one adverse-selection
// column per metrics.as_horizons_ms entry, and that the horizons change only those columns.
#include "engine/metrics_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "engine/simulation.hpp"

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
  // The columns every panel written before horizons were configurable has, in this order.
  EXPECT_THAT(
      names(metric_registry(ScenarioSpec{})),
      ElementsAre("mm_pnl", "mm_sharpe", "mm_max_drawdown", "mm_inventory_var",
                  "mm_final_inventory", "mm_fills", "mm_survival", "as_loss_100ms", "as_loss_1s",
                  "as_loss_10s", "exec_error", "slippage", "fill_prob", "time_to_exec",
                  "price_rmse", "quoted_spread", "effective_spread", "depth", "realized_vol",
                  "shock_half_life", "volume", "trade_count", "message_count"));
}

TEST(MetricRegistry, EnumIndicesNameTheirColumnsForAnyHorizonCount) {
  const std::vector<std::string> fixed = {
      "mm_pnl",           "mm_sharpe",          "mm_max_drawdown",
      "mm_inventory_var", "mm_final_inventory", "mm_fills",
      "mm_survival",      "exec_error",         "slippage",
      "fill_prob",        "time_to_exec",       "price_rmse",
      "quoted_spread",    "effective_spread",   "depth",
      "realized_vol",     "shock_half_life",    "volume",
      "trade_count",      "message_count"};
  ASSERT_EQ(fixed.size(), kMarketMetricCount);
  for (const std::vector<double>& horizons :
       {std::vector<double>{}, std::vector<double>{250.0}, std::vector<double>{5, 50, 500, 5000}}) {
    const MetricRegistry r = metric_registry("market", horizons);
    ASSERT_EQ(r.size(), kMarketMetricCount + horizons.size());
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
  EXPECT_THAT(market.primary(), ElementsAre("mm_pnl", "as_loss_1s", "quoted_spread",
                                            "effective_spread", "price_rmse", "mm_survival"));
  EXPECT_EQ(market[*market.index_of("mm_survival")].kind, MetricKind::kProportion);
  EXPECT_EQ(market[*market.index_of("mm_pnl")].kind, MetricKind::kPnl);
  EXPECT_EQ(market[*market.index_of("volume")].kind, MetricKind::kMean);
  EXPECT_FALSE(market.index_of("profit").has_value());
  // Without a 1 s horizon the default adverse-selection column is the one nearest 1 s.
  const std::vector<double> far = {50.0, 2000.0};
  EXPECT_THAT(metric_registry("market", far).primary(),
              ElementsAre("mm_pnl", "as_loss_50ms", "quoted_spread", "effective_spread",
                          "price_rmse", "mm_survival"));
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
