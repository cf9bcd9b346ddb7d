// Dual-flow batch: hand-computed separate buy and sell clears, no maker-maker and no
// taker-taker matching, and the PT-017 configuration gate.
#include "engine/mechanisms/dual_flow.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/config.hpp"
#include "engine/market_sim.hpp"
#include "engine/mechanisms/factory.hpp"

namespace proteus::engine {
namespace {

using ::testing::HasSubstr;

constexpr AgentId kA{1};
constexpr AgentId kB{2};
constexpr AgentId kC{3};
constexpr AgentId kD{4};
constexpr SimTime kDelta = SimTime::from_ms(100);

OrderRequest request(std::uint64_t id, AgentId owner, Side side, OrderKind kind, std::int64_t price,
                     std::int64_t lots) {
  return OrderRequest{OrderId{id}, owner, side, kind, Price{price}, Qty{lots}};
}

class DualFlowBatch : public ::testing::Test {
 protected:
  DualFlow mech{MarketRules{}, BatchParams{kDelta, TieRule::kImbalance, Allocation::kTime},
                RandomStream{1, StreamId::kMechanism, 0}};
  Outcomes out;
};

TEST_F(DualFlowBatch, CrossedMakerOrdersNeverTradeWithEachOther) {
  mech.on_order(SimTime::from_ms(1), request(1, kA, Side::kBuy, OrderKind::kLimit, 495, 1), out);
  mech.on_order(SimTime::from_ms(2), request(2, kB, Side::kSell, OrderKind::kLimit, 490, 1), out);
  out.clear();
  mech.on_timer(kDelta, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(mech.open_orders(), 2u);
  EXPECT_EQ(mech.name(), "dual_flow");
}

TEST_F(DualFlowBatch, BuyTakersMeetMakerAsksAndSellTakersMakerBidsInSeparateClears) {
  mech.on_order(SimTime::from_ms(1), request(1, kA, Side::kBuy, OrderKind::kLimit, 495, 1), out);
  mech.on_order(SimTime::from_ms(2), request(2, kB, Side::kSell, OrderKind::kLimit, 490, 1), out);
  mech.on_order(SimTime::from_ms(3), request(3, kC, Side::kBuy, OrderKind::kIoc, 520, 2), out);
  mech.on_order(SimTime::from_ms(4), request(4, kD, Side::kSell, OrderKind::kMarket, 0, 1), out);
  out.clear();
  mech.on_timer(kDelta, out);
  ASSERT_EQ(out.size(), 3u);
  // Buy clear: IOC 2@520 vs ask 1@490. Range [490, 520], D = 2, S = 1: volume 1 and
  // imbalance 1 everywhere -> floor((490 + 520) / 2) = 505. The ask rested first: maker.
  EXPECT_EQ(out[0].kind, OutcomeKind::kTrade);
  EXPECT_EQ(out[0].price.ticks, 505);
  EXPECT_EQ(out[0].qty.lots, 1);
  EXPECT_EQ(out[0].agent, kC);
  EXPECT_EQ(out[0].counter_agent, kB);
  // Sell clear: bid 1@495 vs market sell 1: the only priced order fixes the price at 495.
  EXPECT_EQ(out[1].kind, OutcomeKind::kTrade);
  EXPECT_EQ(out[1].price.ticks, 495);
  EXPECT_EQ(out[1].agent, kD);
  EXPECT_EQ(out[1].counter_agent, kA);
  // The IOC's second lot ends with the batch.
  EXPECT_EQ(out[2].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[2].reason, Reason::kUnfilledIoc);
  EXPECT_EQ(out[2].order.value, 3u);
  // The sell clear ran last: its price is the published one.
  EXPECT_EQ(mech.public_view().last_price, Price{495});
  EXPECT_FALSE(mech.public_view().shows_book);
}

TEST_F(DualFlowBatch, TakersNeverTradeWithEachOther) {
  mech.on_order(SimTime::from_ms(1), request(1, kA, Side::kBuy, OrderKind::kIoc, 510, 1), out);
  mech.on_order(SimTime::from_ms(2), request(2, kB, Side::kSell, OrderKind::kMarket, 0, 1), out);
  out.clear();
  mech.on_timer(kDelta, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[0].reason, Reason::kUnfilledIoc);
  // The market sell's clear (against maker bids) had no opposite order at all.
  EXPECT_EQ(out[1].reason, Reason::kNoLiquidity);
}

TEST(DualFlowClassification, LimitOrdersAreMakerFlowOthersTakerFlow) {
  EXPECT_TRUE(is_maker_flow(OrderKind::kLimit));
  EXPECT_FALSE(is_maker_flow(OrderKind::kIoc));
  EXPECT_FALSE(is_maker_flow(OrderKind::kMarket));
}

TEST(DualFlowGate, ConfigWithoutAcknowledgementIsRefusedWithTheKeyToSet) {
  try {
    load_scenario("[run]\nmechanism = \"dual_flow\"\n", "gate.toml");
    FAIL() << "dual_flow loaded without the gate acknowledgement";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("gate.toml:2:13: "));
    EXPECT_THAT(e.what(), HasSubstr("PT-017"));
    EXPECT_THAT(e.what(), HasSubstr("mechanism.dual_flow.acknowledge_gate = true"));
  }
}

TEST(DualFlowGate, AcknowledgedConfigLoadsAndOverrideCanSwitchIt) {
  const ScenarioSpec spec = load_scenario(
      "[run]\nmechanism = \"dual_flow\"\n[mechanism.dual_flow]\nacknowledge_gate = true\n"
      "delta_ms = 250\nallocation = \"pro_rata\"\n",
      "ok.toml");
  EXPECT_TRUE(spec.mechanism.dual_flow.acknowledge_gate);
  EXPECT_EQ(spec.mechanism.dual_flow.batch.delta_ms, 250.0);
  EXPECT_EQ(spec.mechanism.dual_flow.batch.allocation, Allocation::kProRata);
  const std::vector<std::string> set{"run.mechanism=dual_flow"};
  EXPECT_THROW(load_scenario("", "x.toml", set), ConfigError);
  // Other mechanisms do not need the acknowledgement.
  EXPECT_NO_THROW(load_scenario("[run]\nmechanism = \"fba\"\n", "fba.toml"));
}

TEST(DualFlowGate, FactoryRefusesAnUnacknowledgedSpecToo) {
  ScenarioSpec spec;
  spec.run.mechanism = MechanismKind::kDualFlow;
  EXPECT_THROW(make_mechanism(spec, MarketRules{}, 1), std::invalid_argument);
  spec.mechanism.dual_flow.acknowledge_gate = true;
  EXPECT_EQ(make_mechanism(spec, MarketRules{}, 1)->name(), "dual_flow");
}

}  // namespace
}  // namespace proteus::engine
