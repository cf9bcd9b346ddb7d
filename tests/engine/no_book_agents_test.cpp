// Agents where no book is published (batch auctions, RFQ): the market maker's dealer quote
// rule and the informed trader's fallback to the last trade price, computed by hand.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "engine/agents/market_maker.hpp"
#include "engine/agents/traders.hpp"

namespace proteus::engine {
namespace {

/// A context with a fixed time, signal and view that records what the agent submits.
class FixedContext final : public AgentContext {
 public:
  struct Sent {
    Side side;
    OrderKind kind;
    Price limit;
    Qty qty;
  };
  SimTime now() const override { return SimTime::from_ms(100); }
  SimTime horizon() const override { return SimTime::from_ms(60'000); }
  double signal() override { return 0.6; }
  const PublicView& view() override { return view_; }
  const MarketRules& rules() const override { return rules_; }
  double lot_size() const override { return 1.0; }
  RandomStream& rng() override { return rng_; }
  RandomStream& arrival_rng() override { return rng_; }
  OrderId submit(Side side, OrderKind kind, Price limit, Qty qty) override {
    sent.push_back({side, kind, limit, qty});
    return OrderId{sent.size()};
  }
  void cancel(OrderId) override {}
  std::span<MessageLeg> compose(std::size_t count) override {
    legs_ = {};
    return {legs_.data(), count};
  }
  void send_message() override {
    for (MessageLeg& leg : legs_) {
      if (leg.enter)
        leg.order.id = submit(leg.order.side, leg.order.kind, leg.order.limit, leg.order.qty);
    }
  }
  std::array<MessageLeg, kMaxMessageLegs> legs_{};
  void wake_at(SimTime) override {}

  PublicView view_;
  std::vector<Sent> sent;

 private:
  MarketRules rules_;
  RandomStream rng_{1, StreamId::kDecision, 0};
};

TEST(DealerRule, MarketMakerQuotesItsBookPricesAndRespectsMaxInventory) {
  MarketMakerSpec spec;  // linear: h = max(0.004, 0.02) = 0.02, r = p_hat (no inventory)
  spec.max_inventory = 3.0;
  MarketMaker mm(spec);
  FixedContext ctx;
  EXPECT_FALSE(mm.quote_for(ctx, Side::kBuy, Qty{1}).has_value());  // no decision yet
  mm.on_decision(ctx);  // p_hat = 0.8 * 0.6 + 0.2 * 0.6 (no tape: the signal stands in)
  EXPECT_EQ(mm.quote_for(ctx, Side::kBuy, Qty{1}), Price{620});      // ceil(0.62 * 1000)
  EXPECT_EQ(mm.quote_for(ctx, Side::kSell, Qty{1}), Price{580});     // floor(0.58 * 1000)
  EXPECT_FALSE(mm.quote_for(ctx, Side::kSell, Qty{4}).has_value());  // would hold 4 > 3
  EXPECT_EQ(mm.quote_for(ctx, Side::kSell, Qty{3}), Price{580});
  // Its book quotes are the same prices.
  ASSERT_EQ(ctx.sent.size(), 2u);
  EXPECT_EQ(ctx.sent[0].limit, Price{580});
  EXPECT_EQ(ctx.sent[1].limit, Price{620});
}

InformedSpec always_active() {
  InformedSpec spec;  // theta 0.01, cost 0, size 0.5 + 50 * (edge - 0.01) capped at 2
  spec.activity = 1.0;
  return spec;
}

TEST(InformedWithoutBook, BuysBelowSignalMinusThetaWhenTheLastPriceIsLow) {
  InformedTrader trader(always_active());
  FixedContext ctx;
  ctx.view_.shows_book = false;
  ctx.view_.last_price = Price{500};
  trader.on_decision(ctx);
  ASSERT_EQ(ctx.sent.size(), 1u);
  EXPECT_EQ(ctx.sent[0].side, Side::kBuy);
  EXPECT_EQ(ctx.sent[0].kind, OrderKind::kIoc);
  EXPECT_EQ(ctx.sent[0].limit, Price{590});  // floor((0.6 - 0.01) * 1000)
  EXPECT_EQ(ctx.sent[0].qty, Qty{2});        // edge 0.1: min(2, 0.5 + 50 * 0.09)
}

TEST(InformedWithoutBook, SellsAboveSignalPlusThetaWhenTheLastPriceIsHigh) {
  InformedTrader trader(always_active());
  FixedContext ctx;
  ctx.view_.shows_book = false;
  ctx.view_.last_price = Price{615};
  trader.on_decision(ctx);
  ASSERT_EQ(ctx.sent.size(), 1u);
  EXPECT_EQ(ctx.sent[0].side, Side::kSell);
  EXPECT_EQ(ctx.sent[0].limit, Price{610});  // ceil((0.6 + 0.01) * 1000)
  EXPECT_EQ(ctx.sent[0].qty, Qty{1});        // edge 0.015: 0.5 + 50 * 0.005 = 0.75 -> 1 lot
}

TEST(InformedWithoutBook, StaysOutInsideThetaOrWithoutAnyTrade) {
  InformedTrader trader(always_active());
  FixedContext ctx;
  ctx.view_.shows_book = false;
  ctx.view_.last_price = Price{605};  // edge 0.005 < theta
  trader.on_decision(ctx);
  ctx.view_.last_price.reset();
  trader.on_decision(ctx);
  EXPECT_TRUE(ctx.sent.empty());
}

TEST(InformedWithoutBook, AnEmptyPublishedBookIsNotABlindMarket) {
  // A CLOB whose book is momentarily empty: the informed trader waits for quotes as before.
  InformedTrader trader(always_active());
  FixedContext ctx;
  ctx.view_.last_price = Price{500};
  trader.on_decision(ctx);
  EXPECT_TRUE(ctx.sent.empty());
}

}  // namespace
}  // namespace proteus::engine
