// The CLOB's two price-level layouts: a dense array for grids of at most 65,536 prices and a
// sparse pool found by price above that. The same random order flow (limits, IOC, market
// orders, cancels, self-trades, end-of-instant crossing) on a 1,000-tick grid and on the same
// prices scaled onto a 1,000,000-tick grid must give the same outcomes, prices scaled.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "engine/mechanisms/clob.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

constexpr std::int64_t kScale = 1000;

Outcome scaled(Outcome o) {
  o.price.ticks *= kScale;
  return o;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.kind == b.kind && a.reason == b.reason && a.side == b.side && a.agent == b.agent &&
         a.order == b.order && a.price.ticks == b.price.ticks && a.qty == b.qty &&
         a.remaining == b.remaining && a.counter_agent == b.counter_agent &&
         a.counter_order == b.counter_order && a.counter_remaining == b.counter_remaining;
}

void run_flow(SelfTradeRule self_trade, Crossing crossing) {
  MarketRules coarse;  // 1,000 ticks: dense levels
  MarketRules fine = coarse;
  fine.ticks_per_unit = coarse.ticks_per_unit * kScale;  // 1,000,000 ticks: sparse levels
  fine.cash_per_tick_lot = 1;
  Clob dense{coarse, self_trade, crossing};
  Clob sparse{fine, self_trade, crossing};
  RandomStream flow{17, StreamId::kMechanism, 2};
  std::vector<std::uint64_t> sent;
  Outcomes a;
  Outcomes b;
  std::size_t trades = 0;
  std::size_t max_resting = 0;
  for (std::uint64_t id = 1; id <= 20000; ++id) {
    const std::uint64_t instant_ms = id / 3;  // three messages share each instant
    const SimTime now = SimTime::from_ms(static_cast<double>(instant_ms));
    a.clear();
    b.clear();
    const AgentId owner{static_cast<std::uint32_t>(1 + flow.below(4))};
    if (!sent.empty() && flow.below(5) == 0) {
      const OrderId target{sent[flow.below(sent.size())]};
      dense.on_cancel(now, owner, target, a);
      sparse.on_cancel(now, owner, target, b);
    } else {
      const Side side = flow.below(2) == 0 ? Side::kBuy : Side::kSell;
      const auto kind_draw = flow.below(10);
      const OrderKind kind = kind_draw < 8   ? OrderKind::kLimit
                             : kind_draw < 9 ? OrderKind::kIoc
                                             : OrderKind::kMarket;
      // Around the middle of the grid, bids lower than asks, so a book builds up.
      const std::int64_t ticks =
          (side == Side::kBuy ? 420 : 470) + static_cast<std::int64_t>(flow.below(110));
      const Qty qty{1 + static_cast<std::int64_t>(flow.below(5))};
      const Price coarse_price = kind == OrderKind::kMarket ? Price{} : Price{ticks};
      const Price fine_price = kind == OrderKind::kMarket ? Price{} : Price{ticks * kScale};
      dense.on_order(now, OrderRequest{OrderId{id}, owner, side, kind, coarse_price, qty}, a);
      sparse.on_order(now, OrderRequest{OrderId{id}, owner, side, kind, fine_price, qty}, b);
      sent.push_back(id);
    }
    if (dense.settle_pending() && flow.below(3) == 0) {
      dense.on_settle(now, a);
      sparse.on_settle(now, b);
    }
    ASSERT_EQ(a.size(), b.size()) << "message " << id;
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(same(scaled(a[i]), b[i])) << "message " << id << ", outcome " << i;
      trades += a[i].kind == OutcomeKind::kTrade ? 1 : 0;
    }
    const PublicView va = dense.public_view();
    const PublicView vb = sparse.public_view();
    ASSERT_EQ(va.best_bid.has_value(), vb.best_bid.has_value());
    if (va.best_bid) {
      ASSERT_EQ(va.best_bid->price.ticks * kScale, vb.best_bid->price.ticks);
      ASSERT_EQ(va.best_bid->qty, vb.best_bid->qty);
    }
    ASSERT_EQ(va.best_ask.has_value(), vb.best_ask.has_value());
    if (va.best_ask) {
      ASSERT_EQ(va.best_ask->price.ticks * kScale, vb.best_ask->price.ticks);
      ASSERT_EQ(va.best_ask->qty, vb.best_ask->qty);
    }
    ASSERT_EQ(dense.resting_orders(), sparse.resting_orders());
    max_resting = std::max(max_resting, dense.resting_orders());
  }
  const BookSnapshot sa = dense.snapshot();
  const BookSnapshot sb = sparse.snapshot();
  ASSERT_EQ(sa.bids.size(), sb.bids.size());
  for (std::size_t i = 0; i < sa.bids.size(); ++i) {
    EXPECT_EQ(sa.bids[i].id, sb.bids[i].id);
    EXPECT_EQ(sa.bids[i].price.ticks * kScale, sb.bids[i].price.ticks);
  }
  ASSERT_EQ(sa.asks.size(), sb.asks.size());
  EXPECT_GT(trades, 2000u);      // the flow trades a lot ...
  EXPECT_GT(max_resting, 300u);  // ... against a deep book, past the initial reservation
}

TEST(ClobLevels, SparseLevelsOfAFineGridTradeAsTheDenseOnesOfACoarseGrid) {
  run_flow(SelfTradeRule::kCancelResting, Crossing::kOnArrival);
}

TEST(ClobLevels, SparseLevelsAgreeWithSelfTradesAllowedAndEndOfInstantCrossing) {
  run_flow(SelfTradeRule::kAllow, Crossing::kEndOfInstant);
}

}  // namespace
}  // namespace proteus::engine
