// RFQ: deterministic dealer selection, best valid quote within the taker's limit, TTL expiry
// exactly at the boundary, response latency longer than the TTL, cancels and the dealer rule.
#include "engine/mechanisms/rfq.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/market_sim.hpp"
#include "engine/simulation.hpp"

namespace proteus::engine {
namespace {

constexpr AgentId kTaker{9};
constexpr SimTime kT0 = SimTime::from_ms(1000);

OrderRequest ioc_order(std::uint64_t id, Side side, std::int64_t limit, std::int64_t lots = 2) {
  return OrderRequest{OrderId{id}, kTaker, side, OrderKind::kIoc, Price{limit}, Qty{lots}};
}
OrderRequest market_order(std::uint64_t id, Side side, std::int64_t lots = 2) {
  return OrderRequest{OrderId{id}, kTaker, side, OrderKind::kMarket, Price{}, Qty{lots}};
}

RfqParams rfq_params(int competition, std::int64_t response_ms = 5, std::int64_t ttl_ms = 50) {
  return RfqParams{{AgentId{0}, AgentId{1}, AgentId{2}},
                   competition,
                   SimTime::from_ms(response_ms),
                   SimTime::from_ms(ttl_ms)};
}

std::vector<std::uint32_t> asked_dealers(const Outcomes& out) {
  std::vector<std::uint32_t> d;
  for (const Outcome& o : out) {
    if (o.kind == OutcomeKind::kQuoteRequest) d.push_back(o.agent.value);
  }
  return d;
}

TEST(RfqDealers, RoundRobinByRequestNumberWrapsAroundTheDealerList) {
  Rfq rfq(MarketRules{}, rfq_params(2));
  std::vector<std::vector<std::uint32_t>> asked;
  for (std::uint64_t id = 1; id <= 4; ++id) {
    Outcomes out;
    rfq.on_order(kT0, ioc_order(id, Side::kBuy, 600), out);
    asked.push_back(asked_dealers(out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].order.value, id);
    EXPECT_EQ(out[0].side, Side::kBuy);
    EXPECT_EQ(out[0].qty.lots, 2);
  }
  using ::testing::ElementsAre;
  EXPECT_THAT(asked, ElementsAre(ElementsAre(0u, 1u), ElementsAre(1u, 2u), ElementsAre(2u, 0u),
                                 ElementsAre(0u, 1u)));
}

TEST(RfqDealers, CompetitionAboveTheDealerCountAsksEveryone) {
  Rfq rfq(MarketRules{}, rfq_params(10));
  Outcomes out;
  rfq.on_order(kT0, ioc_order(1, Side::kBuy, 600), out);
  EXPECT_THAT(asked_dealers(out), ::testing::ElementsAre(0u, 1u, 2u));
}

TEST(RfqQuotes, TakerBuysFromTheLowestValidQuoteWithinItsLimit) {
  Rfq rfq(MarketRules{}, rfq_params(3));
  Outcomes out;
  rfq.on_order(kT0, ioc_order(1, Side::kBuy, 508), out);
  rfq.on_quote(kT0, AgentId{0}, OrderId{1}, Price{510});  // above the limit
  rfq.on_quote(kT0, AgentId{1}, OrderId{1}, Price{506});
  rfq.on_quote(kT0, AgentId{2}, OrderId{1}, Price{507});
  EXPECT_EQ(rfq.next_timer(), kT0 + SimTime::from_ms(5));
  out.clear();
  rfq.on_timer(kT0 + SimTime::from_ms(4), out);  // early: nothing due
  EXPECT_TRUE(out.empty());
  rfq.on_timer(kT0 + SimTime::from_ms(5), out);
  ASSERT_EQ(out.size(), 1u);
  const Outcome& t = out[0];
  EXPECT_EQ(t.kind, OutcomeKind::kTrade);
  EXPECT_EQ(t.agent, kTaker);
  EXPECT_EQ(t.order.value, 1u);
  EXPECT_EQ(t.side, Side::kBuy);
  EXPECT_EQ(t.price.ticks, 506);
  EXPECT_EQ(t.qty.lots, 2);
  EXPECT_EQ(t.remaining.lots, 0);
  EXPECT_EQ(t.counter_agent, AgentId{1});
  EXPECT_EQ(t.counter_order.value, 0u);
  EXPECT_EQ(rfq.public_view().last_price, Price{506});
  EXPECT_FALSE(rfq.public_view().shows_book);
  EXPECT_FALSE(rfq.next_timer().has_value());
}

TEST(RfqQuotes, SellerTakesTheHighestBidAndTheEarlierDealerOnEqualPrices) {
  Rfq rfq(MarketRules{}, rfq_params(3));
  Outcomes out;
  rfq.on_order(kT0, market_order(1, Side::kSell), out);
  rfq.on_quote(kT0, AgentId{0}, OrderId{1}, Price{480});
  rfq.on_quote(kT0, AgentId{1}, OrderId{1}, Price{490});
  rfq.on_quote(kT0, AgentId{2}, OrderId{1}, Price{490});
  out.clear();
  rfq.on_timer(kT0 + SimTime::from_ms(5), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].price.ticks, 490);
  EXPECT_EQ(out[0].counter_agent, AgentId{1});
}

TEST(RfqQuotes, NoAcceptableQuoteExpiresTheRequest) {
  Rfq rfq(MarketRules{}, rfq_params(2));
  Outcomes out;
  rfq.on_order(kT0, ioc_order(1, Side::kBuy, 500), out);
  rfq.on_quote(kT0, AgentId{0}, OrderId{1}, Price{501});
  rfq.on_quote(kT0, AgentId{1}, OrderId{1}, std::nullopt);  // declined
  out.clear();
  rfq.on_timer(kT0 + SimTime::from_ms(5), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[0].reason, Reason::kExpired);
  EXPECT_EQ(out[0].qty.lots, 2);
  EXPECT_FALSE(rfq.public_view().last_price.has_value());
}

Outcomes run_one(std::int64_t response_ns, std::int64_t ttl_ns) {
  Rfq rfq(MarketRules{}, RfqParams{{AgentId{0}}, 1, SimTime{response_ns}, SimTime{ttl_ns}});
  Outcomes out;
  rfq.on_order(kT0, market_order(1, Side::kBuy), out);
  rfq.on_quote(kT0, AgentId{0}, OrderId{1}, Price{520});
  out.clear();
  rfq.on_timer(kT0 + SimTime{response_ns}, out);
  return out;
}

TEST(RfqTtl, QuoteIsFirmUpToButExcludingRequestPlusTtl) {
  // Quotes reach the taker at t0 + response and are firm while t < t0 + ttl.
  const Outcomes before = run_one(49'999'999, 50'000'000);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].kind, OutcomeKind::kTrade);
  const Outcomes at = run_one(50'000'000, 50'000'000);
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(at[0].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(at[0].reason, Reason::kExpired);
}

TEST(RfqTtl, ResponseLatencyLongerThanTtlAlwaysExpires) {
  const Outcomes out = run_one(80'000'000, 50'000'000);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].reason, Reason::kExpired);
}

TEST(RfqOrders, LimitOrdersAreUnsupportedAndBadRequestsRejected) {
  Rfq rfq(MarketRules{}, rfq_params(1));
  Outcomes out;
  rfq.on_order(kT0,
               OrderRequest{OrderId{1}, kTaker, Side::kBuy, OrderKind::kLimit, Price{500}, Qty{1}},
               out);
  rfq.on_order(kT0, ioc_order(2, Side::kBuy, 0), out);
  rfq.on_order(kT0, market_order(3, Side::kBuy, 0), out);
  rfq.on_order(kT0, market_order(3, Side::kBuy, 1), out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].reason, Reason::kUnsupportedOrder);
  EXPECT_EQ(out[1].reason, Reason::kPriceOutOfRange);
  EXPECT_EQ(out[2].reason, Reason::kBadQuantity);
  EXPECT_EQ(out[3].reason, Reason::kDuplicateOrderId);
  EXPECT_EQ(rfq.pending_requests(), 0u);
}

TEST(RfqOrders, NoDealersMeansNoLiquidityAtOnce) {
  Rfq rfq(MarketRules{}, RfqParams{{}, 1, SimTime::from_ms(5), SimTime::from_ms(50)});
  Outcomes out;
  rfq.on_order(kT0, market_order(1, Side::kBuy), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[0].reason, Reason::kNoLiquidity);
}

TEST(RfqOrders, TakerCancelsAPendingRequest) {
  Rfq rfq(MarketRules{}, rfq_params(1));
  Outcomes out;
  rfq.on_order(kT0, market_order(1, Side::kBuy), out);
  rfq.on_quote(kT0, AgentId{0}, OrderId{1}, Price{520});
  out.clear();
  rfq.on_cancel(kT0, AgentId{0}, OrderId{1}, out);  // the dealer cannot cancel it
  rfq.on_cancel(kT0 + SimTime::from_ms(1), kTaker, OrderId{1}, out);
  rfq.on_cancel(kT0 + SimTime::from_ms(2), kTaker, OrderId{1}, out);
  rfq.on_cancel(kT0 + SimTime::from_ms(2), kTaker, OrderId{5}, out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelRejected);
  EXPECT_EQ(out[0].reason, Reason::kUnknownOrder);
  EXPECT_EQ(out[1].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[1].reason, Reason::kUserCancel);
  EXPECT_EQ(out[2].reason, Reason::kTooLate);
  EXPECT_EQ(out[3].reason, Reason::kUnknownOrder);
  out.clear();
  rfq.on_timer(kT0 + SimTime::from_ms(5), out);
  EXPECT_TRUE(out.empty());
}

class CountingSink final : public EventSink {
 public:
  void write(std::string_view line) override {
    trades += line.find(R"("type":"trade")") != std::string_view::npos ? 1 : 0;
    expired += line.find(R"("reason":"expired")") != std::string_view::npos ? 1 : 0;
  }
  int trades = 0;
  int expired = 0;
};

TEST(RfqRun, EngineExpiresEveryRequestWhenResponseLatencyReachesTheTtl) {
  ScenarioSpec spec;
  spec.run.duration_s = 5.0;
  spec.run.mechanism = MechanismKind::kRfq;
  spec.agents.noise.count = 4;
  spec.agents.noise.rate = 4.0;
  spec.mechanism.rfq.ttl_ms = 20.0;
  for (const double response : {19.0, 20.0, 35.0}) {
    spec.mechanism.rfq.response_ms = response;
    CountingSink sink;
    const RunResult r = run_scenario(spec, RunKey{4, 0}, &sink);
    ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
    if (response < 20.0) {
      EXPECT_GT(sink.trades, 20) << response;
    } else {
      EXPECT_EQ(sink.trades, 0) << response;
      EXPECT_GT(sink.expired, 20) << response;
    }
  }
}

}  // namespace
}  // namespace proteus::engine
