// The predecessor's rules as options (issue 14): its FBA clearing price and time priority
// (expected values from pyproteus fba.py run on the same orders: 0.51 x 2 to the first buy,
// 0.5015, 0.60 x 4, then 0.535 x 2 for the orders left crossed), the RFQ requesters and
// latent dealers, and the diagnostic counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "engine/diagnostics.hpp"
#include "engine/mechanisms/batch_auction.hpp"
#include "engine/mechanisms/uniform_clearing.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/simulation.hpp"

namespace proteus::engine {
namespace {

using ::testing::ElementsAre;

BatchOrder limit_order(std::uint64_t id, Side side, std::int64_t price, std::int64_t lots) {
  return BatchOrder{OrderId{id},
                    AgentId{static_cast<std::uint32_t>(id)},
                    side,
                    OrderKind::kLimit,
                    Price{price},
                    lots,
                    id};
}

Clearing clear_orders(const std::vector<BatchOrder>& buys, const std::vector<BatchOrder>& sells,
                      TieRule tie, Allocation alloc) {
  RandomStream rng{7, StreamId::kMechanism, 0};
  return clear_uniform(buys, sells, ClearingRules{tie, alloc, 1000}, std::nullopt, rng);
}

TEST(PredecessorClear, CandidatesAreLimitsThenLeastImbalanceThenMidpoint) {
  // Limits 500, 520, 530, 540: volume 2 at each; imbalance 3 at 500 and 520, 4 above.
  const std::vector buys{limit_order(1, Side::kBuy, 520, 3), limit_order(2, Side::kBuy, 540, 2)};
  const std::vector sells{limit_order(3, Side::kSell, 500, 2), limit_order(4, Side::kSell, 530, 4)};
  const Clearing c =
      clear_orders(buys, sells, TieRule::kImbalanceMidpoint, Allocation::kTimeAnyPrice);
  ASSERT_TRUE(c.price.has_value());
  EXPECT_EQ(c.price->ticks, 510);
  EXPECT_EQ(c.volume, 2);
  // Time priority over every buy that accepts 510: the earlier buy at 520 fills, not the 540.
  EXPECT_THAT(c.buy_fills, ElementsAre(2, 0));
  EXPECT_THAT(c.sell_fills, ElementsAre(2, 0));
  // Price priority (allocation "time") gives the lots to the 540 buy instead.
  const Clearing by_price =
      clear_orders(buys, sells, TieRule::kImbalanceMidpoint, Allocation::kTime);
  EXPECT_THAT(by_price.buy_fills, ElementsAre(0, 2));
}

TEST(PredecessorClear, MidpointBetweenTicksIsFloored) {
  const Clearing c =
      clear_orders({limit_order(1, Side::kBuy, 503, 1)}, {limit_order(2, Side::kSell, 500, 1)},
                   TieRule::kImbalanceMidpoint, Allocation::kTimeAnyPrice);
  ASSERT_TRUE(c.price.has_value());
  EXPECT_EQ(c.price->ticks, 501);  // the predecessor's 0.5015, floored to a whole tick
  EXPECT_EQ(c.volume, 1);
}

TEST(PredecessorClear, LeastImbalancePicksASingleLimit) {
  // Volume 4 at 450, 550 and 600; imbalance 2, 2 and 1: the price is 600.
  const Clearing c =
      clear_orders({limit_order(1, Side::kBuy, 600, 5), limit_order(4, Side::kBuy, 550, 1)},
                   {limit_order(2, Side::kSell, 400, 2), limit_order(3, Side::kSell, 450, 2)},
                   TieRule::kImbalanceMidpoint, Allocation::kTimeAnyPrice);
  ASSERT_TRUE(c.price.has_value());
  EXPECT_EQ(c.price->ticks, 600);
  EXPECT_EQ(c.volume, 4);
  EXPECT_THAT(c.buy_fills, ElementsAre(4, 0));
  EXPECT_THAT(c.sell_fills, ElementsAre(2, 2));
}

TEST(PredecessorClear, UncrossedLimitsTradeNothing) {
  const Clearing c =
      clear_orders({limit_order(1, Side::kBuy, 480, 1)}, {limit_order(2, Side::kSell, 500, 1)},
                   TieRule::kImbalanceMidpoint, Allocation::kTimeAnyPrice);
  EXPECT_FALSE(c.price.has_value());
  EXPECT_EQ(c.volume, 0);
}

OrderRequest order_request(std::uint64_t id, Side side, std::int64_t price, std::int64_t lots) {
  return OrderRequest{OrderId{id},  AgentId{static_cast<std::uint32_t>(id)},
                      side,         OrderKind::kLimit,
                      Price{price}, Qty{lots}};
}

TEST(PredecessorBatch, CarriedOrdersOutsideTheCrossingAndStillCrossedOnesClearAsThePredecessor) {
  BatchAuction fba{
      MarketRules{},
      BatchParams{SimTime::from_ms(100), TieRule::kImbalanceMidpoint, Allocation::kTimeAnyPrice},
      RandomStream{1, StreamId::kMechanism, 0}};
  Outcomes out;
  // Resting far from the action: a bid at 400 and an ask at 700 never take part.
  fba.on_order(SimTime::from_ms(1), order_request(10, Side::kBuy, 400, 5), out);
  fba.on_order(SimTime::from_ms(2), order_request(11, Side::kSell, 700, 5), out);
  // The book of PredecessorClear.CandidatesAreLimits...: 2 lots at 510 to the earlier buy.
  fba.on_order(SimTime::from_ms(3), order_request(1, Side::kBuy, 520, 3), out);
  fba.on_order(SimTime::from_ms(4), order_request(2, Side::kBuy, 540, 2), out);
  fba.on_order(SimTime::from_ms(5), order_request(3, Side::kSell, 500, 2), out);
  fba.on_order(SimTime::from_ms(6), order_request(4, Side::kSell, 530, 4), out);
  out.clear();
  fba.on_timer(SimTime::from_ms(100), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kTrade);
  EXPECT_EQ(out[0].price.ticks, 510);
  EXPECT_EQ(out[0].qty.lots, 2);
  EXPECT_EQ(out[0].agent.value, 3u);          // the sell arrived later: taker
  EXPECT_EQ(out[0].counter_order.value, 1u);  // the buy at 520, not the one at 540
  // Still crossed after the clear (540 >= 530, left by time priority): the next batch trades
  // them, 2 lots; 530 and 540 both match 2 with imbalance 2: the midpoint, 535 (fba.py gives
  // 0.535 x 2, buyer the 540, seller the 530, on these orders).
  out.clear();
  fba.on_timer(SimTime::from_ms(200), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].price.ticks, 535);
  EXPECT_EQ(out[0].qty.lots, 2);
  EXPECT_EQ(out[0].agent.value, 4u);
  EXPECT_EQ(out[0].counter_order.value, 2u);
  EXPECT_EQ(fba.open_orders(), 4u);  // 400 x 5, 700 x 5, 520 x 1, 530 x 2
}

TEST(RunDiagnostics, CountsTradesByCounterpartyClassAndOrdersBySize) {
  RunDiagnostics d(0.5);
  d.on_trade(Role::kMarketMaker, Role::kMarketMaker, Qty{2}, false);
  d.on_trade(Role::kMarketMaker, Role::kInformed, Qty{3}, false);
  d.on_trade(Role::kNoise, Role::kMarketMaker, Qty{1}, true);
  d.on_trade(Role::kNoise, Role::kInformed, Qty{4}, false);
  d.on_order(Role::kNoise, Qty{1});
  d.on_order(Role::kNoise, Qty{4});
  d.on_quote();
  d.on_mm_decision(true);
  d.on_mm_decision(false);
  const std::vector<double> v = d.values();
  const auto names = diagnostic_names();
  ASSERT_EQ(v.size(), names.size());
  auto at = [&](std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return v[i];
    }
    ADD_FAILURE() << "no diagnostic " << name;
    return std::nan("");
  };
  EXPECT_EQ(at("n_mm_self"), 1);
  EXPECT_EQ(at("n_mm_vs_trader"), 2);
  EXPECT_EQ(at("n_mm_vs_inf"), 1);
  EXPECT_EQ(at("n_mm_vs_noise"), 1);
  EXPECT_EQ(at("n_trader_trader"), 1);
  EXPECT_EQ(at("n_trades_after_T"), 1);
  EXPECT_EQ(at("mm_traded_volume"), 2.0);  // 4 lots of 0.5
  EXPECT_EQ(at("mm_self_volume"), 1.0);
  EXPECT_EQ(at("n_noise_orders"), 2);
  EXPECT_EQ(at("noise_order_size_mean"), 1.25);
  EXPECT_TRUE(std::isnan(at("inf_order_size_mean")));
  EXPECT_EQ(at("n_rfq_quotes"), 1);
  EXPECT_EQ(at("n_mm_decisions"), 2);
  EXPECT_EQ(at("n_mm_one_sided_decisions"), 1);
}

constexpr const char* kRfqScenario = R"(
[run]
duration_s = 20.0
mechanism = "rfq"
[market]
tick_size = 0.00001
lot_size = 0.1
[agents.market_maker]
count = 1
[agents.market_maker.signal]
delay_ms = 0.0
noise = 0.0
[agents.dealer]
enabled = true
[agents.informed]
count = 0
[agents.noise]
count = 0
[agents.requester]
enabled = true
[mechanism.rfq]
response_ms = 6.0
ttl_ms = 100.0
[latency.default.submit]
value_ms = 0.0
[latency.default.ack]
value_ms = 0.0
)";

double metric(const ScenarioSpec& spec, const RunResult& r, std::string_view name) {
  return r.metrics[metric_registry(spec).index_of(name).value()];
}
double diagnostic(const RunResult& r, std::string_view name) {
  const auto names = diagnostic_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return r.diagnostics[i];
  }
  return std::nan("");
}

TEST(PredecessorRfq, EveryRequestTradesAtTheLatentValuePlusAWidenedHalfSpread) {
  const ScenarioSpec spec = load_scenario(kRfqScenario, "rfq-test");
  double informed = 0.0;
  double requests = 0.0;
  for (std::uint64_t rep = 0; rep < 20; ++rep) {
    const RunResult r = run_scenario(spec, RunKey{5, rep});
    ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
    const double n = diagnostic(r, "n_inf_orders") + diagnostic(r, "n_noise_orders");
    // 201 chances (t = 0 .. 20 s); a request at t = 20 s would trade after the horizon.
    EXPECT_GE(n, 60);
    EXPECT_LE(n, 140);
    const double trades = metric(spec, r, "trade_count");
    EXPECT_GE(trades, n - 1);
    EXPECT_LE(trades, n);
    EXPECT_EQ(diagnostic(r, "n_rfq_quotes"), n);
    EXPECT_EQ(diagnostic(r, "n_mm_vs_trader"), trades);
    EXPECT_EQ(diagnostic(r, "n_mm_orders"), 0);  // quotes are not orders
    // |price - p_t| is 0.01 + U(0, 0.0015), to a 1e-5 tick: lot-weighted mean near 0.01075.
    const double err = metric(spec, r, "exec_error");
    EXPECT_GT(err, 0.01 - 1e-5);
    EXPECT_LT(err, 0.0115 + 1e-5);
    EXPECT_EQ(metric(spec, r, "time_to_exec"), 6.0);
    EXPECT_GE(diagnostic(r, "inf_order_size_mean"), 0.5);
    EXPECT_LE(diagnostic(r, "inf_order_size_mean"), 2.0);
    informed += diagnostic(r, "n_inf_orders");
    requests += n;
  }
  // 20 runs x 201 chances x 0.5: the informed share of about 2000 requests is 0.5 +/- 0.011.
  EXPECT_NEAR(informed / requests, 0.5, 0.045);
  EXPECT_NEAR(requests / (20 * 201), 0.5, 0.045);
}

TEST(PredecessorRfq, SecondDealerShadesByOneStep) {
  ScenarioSpec spec = load_scenario(kRfqScenario, "rfq-test");
  spec.agents.market_maker.count = 2;
  spec.mechanism.rfq.dealers = 2;  // both asked: dealer 1 quotes 0.01 - 0.0015 + U(0, 0.0015)
  const RunResult r = run_scenario(spec, RunKey{5, 0});
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  const double err = metric(spec, r, "exec_error");
  EXPECT_GT(err, 0.0085 - 1e-5);
  EXPECT_LT(err, 0.01 + 1e-5);
}

TEST(PredecessorRfq, RequestersShareOneStreamSoAtMostOneRequestsPerStep) {
  ScenarioSpec spec = load_scenario(kRfqScenario, "rfq-test");
  spec.agents.requester.probability = 1.0;  // a request at every step, exactly one
  const RunResult r = run_scenario(spec, RunKey{9, 0});
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(diagnostic(r, "n_inf_orders") + diagnostic(r, "n_noise_orders"), 201);
}

TEST(PredecessorFba, DrainBooksTheLastOrdersButClearsNoBatchAfterTheHorizon) {
  // The t = T decision's orders arrive at T + 2 ms; the predecessor never clears them (no
  // later event): 402 market-maker orders, none trading after T.
  const ScenarioSpec spec =
      load_scenario_file(std::string(PROTEUS_SOURCE_DIR) + "/configs/predecessor-fba.toml");
  const RunResult r = run_scenario(spec, RunKey{spec.run.seed, 0});
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(diagnostic(r, "n_mm_decisions"), 201);
  EXPECT_GE(diagnostic(r, "n_mm_orders"), 400);  // 2 per decision, 1 at the inventory limit
  EXPECT_LE(diagnostic(r, "n_mm_orders"), 402);
  EXPECT_EQ(diagnostic(r, "n_trades_after_T"), 0);
  EXPECT_GT(metric(spec, r, "trade_count"), 0);
}

}  // namespace
}  // namespace proteus::engine
