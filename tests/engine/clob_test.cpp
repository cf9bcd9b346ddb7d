// Tests of the continuous limit order book: hand-computed scenarios and seeded random streams
// checked against a std::map reference book and the book invariants.
#include "engine/mechanisms/clob.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

constexpr AgentId kAlice{1};
constexpr AgentId kBob{2};
constexpr AgentId kCarol{3};
constexpr AgentId kDave{4};
constexpr SimTime kNow{};

// ---------------------------------------------------------------------------------------------
// Building and printing outcomes

OrderRequest limit_order(std::uint64_t id, AgentId owner, Side side, std::int64_t price,
                         std::int64_t qty) {
  return OrderRequest{OrderId{id}, owner, side, OrderKind::kLimit, Price{price}, Qty{qty}};
}
OrderRequest ioc_order(std::uint64_t id, AgentId owner, Side side, std::int64_t price,
                       std::int64_t qty) {
  return OrderRequest{OrderId{id}, owner, side, OrderKind::kIoc, Price{price}, Qty{qty}};
}
OrderRequest market_order(std::uint64_t id, AgentId owner, Side side, std::int64_t qty) {
  return OrderRequest{OrderId{id}, owner, side, OrderKind::kMarket, Price{}, Qty{qty}};
}

Outcome make_outcome(OutcomeKind kind, Reason reason, Side side, AgentId agent, std::uint64_t order,
                     std::int64_t price, std::int64_t qty) {
  Outcome o;
  o.kind = kind;
  o.reason = reason;
  o.side = side;
  o.agent = agent;
  o.order = OrderId{order};
  o.price = Price{price};
  o.qty = Qty{qty};
  return o;
}
Outcome trade(AgentId taker, std::uint64_t order, Side side, std::int64_t price, std::int64_t qty,
              std::int64_t remaining, AgentId maker, std::uint64_t maker_order,
              std::int64_t maker_remaining) {
  Outcome o = make_outcome(OutcomeKind::kTrade, Reason::kNone, side, taker, order, price, qty);
  o.remaining = Qty{remaining};
  o.counter_agent = maker;
  o.counter_order = OrderId{maker_order};
  o.counter_remaining = Qty{maker_remaining};
  return o;
}
Outcome accepted(AgentId agent, std::uint64_t order, Side side, std::int64_t price,
                 std::int64_t qty) {
  Outcome o = make_outcome(OutcomeKind::kAccepted, Reason::kNone, side, agent, order, price, qty);
  o.remaining = Qty{qty};
  return o;
}
Outcome cancelled(Reason reason, AgentId agent, std::uint64_t order, Side side, std::int64_t price,
                  std::int64_t qty) {
  return make_outcome(OutcomeKind::kCancelled, reason, side, agent, order, price, qty);
}
Outcome rejected(Reason reason, const OrderRequest& o) {
  return make_outcome(OutcomeKind::kRejected, reason, o.side, o.owner, o.id.value, o.limit.ticks,
                      o.qty.lots);
}
Outcome cancel_rejected(Reason reason, AgentId agent, std::uint64_t order) {
  return make_outcome(OutcomeKind::kCancelRejected, reason, Side::kBuy, agent, order, 0, 0);
}

std::string describe(const Outcome& o) {
  std::ostringstream s;
  s << "kind=" << static_cast<int>(o.kind) << " reason=" << to_string(o.reason)
    << " side=" << to_string(o.side) << " agent=" << o.agent.value << " order=" << o.order.value
    << " price=" << o.price.ticks << " qty=" << o.qty.lots << " remaining=" << o.remaining.lots
    << " counter_agent=" << o.counter_agent.value << " counter_order=" << o.counter_order.value
    << " counter_remaining=" << o.counter_remaining.lots;
  return s.str();
}
std::vector<std::string> describe(const Outcomes& outcomes) {
  std::vector<std::string> lines;
  for (const Outcome& o : outcomes) lines.push_back(describe(o));
  return lines;
}

using Entry = BookSnapshot::Entry;
Entry resting_entry(std::uint64_t id, AgentId owner, std::int64_t price, std::int64_t qty) {
  return Entry{OrderId{id}, owner, Price{price}, Qty{qty}};
}

// ---------------------------------------------------------------------------------------------
// Scenario fixture

class ClobScenario : public ::testing::Test {
 protected:
  explicit ClobScenario(SelfTradeRule rule = SelfTradeRule::kCancelResting)
      : book_(rules(), rule) {}

  static MarketRules rules() {
    MarketRules r;
    r.ticks_per_unit = 1000;
    r.max_order_lots = 100;
    return r;
  }

  std::vector<std::string> send(const OrderRequest& o) {
    Outcomes out;
    book_.on_order(kNow, o, out);
    return describe(out);
  }
  std::vector<std::string> cancel(AgentId owner, std::uint64_t id) {
    Outcomes out;
    book_.on_cancel(kNow, owner, OrderId{id}, out);
    return describe(out);
  }
  static std::vector<std::string> expected(const Outcomes& outcomes) { return describe(outcomes); }

  Clob book_;
};

class ClobCancelIncoming : public ClobScenario {
 protected:
  ClobCancelIncoming() : ClobScenario(SelfTradeRule::kCancelIncoming) {}
};

TEST_F(ClobScenario, FillsOldestOrderAtBestPriceFirst) {
  send(limit_order(1, kAlice, Side::kSell, 500, 5));
  send(limit_order(2, kBob, Side::kSell, 499, 5));
  send(limit_order(3, kCarol, Side::kSell, 499, 5));
  // 7 lots: all of Bob's 5 at 499 (older), then 2 of Carol's at 499; Alice at 500 untouched.
  EXPECT_EQ(send(limit_order(4, kDave, Side::kBuy, 500, 7)),
            expected({trade(kDave, 4, Side::kBuy, 499, 5, 2, kBob, 2, 0),
                      trade(kDave, 4, Side::kBuy, 499, 2, 0, kCarol, 3, 3)}));
  const BookSnapshot snap = book_.snapshot();
  EXPECT_TRUE(snap.bids.empty());
  EXPECT_EQ(snap.asks, (std::vector<Entry>{resting_entry(3, kCarol, 499, 3),
                                           resting_entry(1, kAlice, 500, 5)}));
}

TEST_F(ClobScenario, OrderJoiningLevelWaitsBehindEarlierOrders) {
  send(limit_order(1, kAlice, Side::kBuy, 300, 2));
  send(limit_order(2, kBob, Side::kBuy, 300, 2));
  send(limit_order(3, kAlice, Side::kBuy, 300, 2));
  EXPECT_EQ(send(limit_order(4, kCarol, Side::kSell, 300, 3)),
            expected({trade(kCarol, 4, Side::kSell, 300, 2, 1, kAlice, 1, 0),
                      trade(kCarol, 4, Side::kSell, 300, 1, 0, kBob, 2, 1)}));
  EXPECT_EQ(book_.snapshot().bids,
            (std::vector<Entry>{resting_entry(2, kBob, 300, 1), resting_entry(3, kAlice, 300, 2)}));
}

TEST_F(ClobScenario, CancelLetsLaterOrderMoveUpTheQueue) {
  send(limit_order(1, kAlice, Side::kSell, 600, 4));
  send(limit_order(2, kBob, Side::kSell, 600, 4));
  EXPECT_EQ(cancel(kAlice, 1),
            expected({cancelled(Reason::kUserCancel, kAlice, 1, Side::kSell, 600, 4)}));
  EXPECT_EQ(send(limit_order(3, kCarol, Side::kBuy, 600, 1)),
            expected({trade(kCarol, 3, Side::kBuy, 600, 1, 0, kBob, 2, 3)}));
}

TEST_F(ClobScenario, PartialFillOfTakerRestsRemainderAfterTrades) {
  send(limit_order(1, kAlice, Side::kSell, 450, 3));
  EXPECT_EQ(send(limit_order(2, kBob, Side::kBuy, 460, 10)),
            expected({trade(kBob, 2, Side::kBuy, 450, 3, 7, kAlice, 1, 0),
                      accepted(kBob, 2, Side::kBuy, 460, 7)}));
  EXPECT_EQ(book_.snapshot().bids, (std::vector<Entry>{resting_entry(2, kBob, 460, 7)}));
  EXPECT_TRUE(book_.snapshot().asks.empty());
}

TEST_F(ClobScenario, PartialFillOfMakerKeepsItsPlace) {
  send(limit_order(1, kAlice, Side::kBuy, 450, 10));
  send(limit_order(2, kBob, Side::kBuy, 450, 1));
  EXPECT_EQ(send(limit_order(3, kCarol, Side::kSell, 440, 4)),
            expected({trade(kCarol, 3, Side::kSell, 450, 4, 0, kAlice, 1, 6)}));
  EXPECT_EQ(book_.snapshot().bids,
            (std::vector<Entry>{resting_entry(1, kAlice, 450, 6), resting_entry(2, kBob, 450, 1)}));
}

TEST_F(ClobScenario, TakerWalksSeveralLevelsUpToItsLimit) {
  send(limit_order(1, kAlice, Side::kSell, 501, 2));
  send(limit_order(2, kBob, Side::kSell, 503, 2));
  send(limit_order(3, kCarol, Side::kSell, 502, 2));
  send(limit_order(4, kAlice, Side::kSell, 504, 2));
  EXPECT_EQ(send(limit_order(5, kDave, Side::kBuy, 503, 9)),
            expected({trade(kDave, 5, Side::kBuy, 501, 2, 7, kAlice, 1, 0),
                      trade(kDave, 5, Side::kBuy, 502, 2, 5, kCarol, 3, 0),
                      trade(kDave, 5, Side::kBuy, 503, 2, 3, kBob, 2, 0),
                      accepted(kDave, 5, Side::kBuy, 503, 3)}));
  const PublicView view = book_.public_view();
  EXPECT_EQ(view.best_bid, (Level{Price{503}, Qty{3}}));
  EXPECT_EQ(view.best_ask, (Level{Price{504}, Qty{2}}));
  EXPECT_EQ(view.last_price, Price{503});
  EXPECT_EQ(view.last_qty, Qty{2});
}

TEST_F(ClobScenario, IocRemainderIsCancelledNotRested) {
  send(limit_order(1, kAlice, Side::kBuy, 200, 3));
  send(limit_order(2, kAlice, Side::kBuy, 190, 3));
  EXPECT_EQ(send(ioc_order(3, kBob, Side::kSell, 195, 5)),
            expected({trade(kBob, 3, Side::kSell, 200, 3, 2, kAlice, 1, 0),
                      cancelled(Reason::kUnfilledIoc, kBob, 3, Side::kSell, 195, 2)}));
  EXPECT_TRUE(book_.snapshot().asks.empty());
  EXPECT_EQ(send(ioc_order(4, kBob, Side::kSell, 191, 1)),
            expected({cancelled(Reason::kUnfilledIoc, kBob, 4, Side::kSell, 191, 1)}));
}

TEST_F(ClobScenario, MarketOrderMatchesAtAnyPriceAndCancelsRemainder) {
  send(limit_order(1, kAlice, Side::kSell, 10, 1));
  send(limit_order(2, kBob, Side::kSell, 990, 1));
  EXPECT_EQ(send(market_order(3, kCarol, Side::kBuy, 5)),
            expected({trade(kCarol, 3, Side::kBuy, 10, 1, 4, kAlice, 1, 0),
                      trade(kCarol, 3, Side::kBuy, 990, 1, 3, kBob, 2, 0),
                      cancelled(Reason::kUnfilledIoc, kCarol, 3, Side::kBuy, 0, 3)}));
}

TEST_F(ClobScenario, MarketOrderOnEmptySideReportsNoLiquidity) {
  send(limit_order(1, kAlice, Side::kBuy, 10, 1));
  EXPECT_EQ(send(market_order(2, kBob, Side::kBuy, 5)),
            expected({cancelled(Reason::kNoLiquidity, kBob, 2, Side::kBuy, 0, 5)}));
  EXPECT_EQ(send(market_order(3, kBob, Side::kSell, 1)),
            expected({trade(kBob, 3, Side::kSell, 10, 1, 0, kAlice, 1, 0)}));
}

TEST_F(ClobScenario, RejectsPricesOutsideTheOpenUnitInterval) {
  for (const std::int64_t price : {0, -5, 1000, 1001}) {
    const OrderRequest o =
        limit_order(static_cast<std::uint64_t>(10 + price + 100), kAlice, Side::kBuy, price, 1);
    EXPECT_EQ(send(o), expected({rejected(Reason::kPriceOutOfRange, o)})) << price;
  }
  const OrderRequest ioc = ioc_order(2000, kAlice, Side::kSell, 0, 1);
  EXPECT_EQ(send(ioc), expected({rejected(Reason::kPriceOutOfRange, ioc)}));
  EXPECT_EQ(send(limit_order(2001, kAlice, Side::kSell, 1, 1)),
            expected({accepted(kAlice, 2001, Side::kSell, 1, 1)}));
  EXPECT_EQ(send(limit_order(2002, kAlice, Side::kSell, 999, 1)),
            expected({accepted(kAlice, 2002, Side::kSell, 999, 1)}));
}

TEST_F(ClobScenario, RejectsQuantitiesOutsideOneToMaxOrderLots) {
  for (const std::int64_t qty : {0, -1, 101}) {
    const OrderRequest o =
        limit_order(static_cast<std::uint64_t>(qty + 10), kAlice, Side::kBuy, 5, qty);
    EXPECT_EQ(send(o), expected({rejected(Reason::kBadQuantity, o)})) << qty;
  }
  const OrderRequest market = market_order(20, kAlice, Side::kBuy, 0);
  EXPECT_EQ(send(market), expected({rejected(Reason::kBadQuantity, market)}));
  EXPECT_EQ(send(limit_order(21, kAlice, Side::kBuy, 5, 100)),
            expected({accepted(kAlice, 21, Side::kBuy, 5, 100)}));
  EXPECT_TRUE(book_.snapshot().asks.empty());
  EXPECT_EQ(book_.snapshot().bids.size(), 1u);
}

TEST_F(ClobScenario, RejectsDuplicateIdOfLiveAndOfFinishedOrders) {
  send(limit_order(1, kAlice, Side::kBuy, 5, 1));
  const OrderRequest again = limit_order(1, kBob, Side::kSell, 900, 1);
  EXPECT_EQ(send(again), expected({rejected(Reason::kDuplicateOrderId, again)}));
  send(limit_order(2, kBob, Side::kSell, 5, 1));  // fills order 1 completely
  const OrderRequest third = limit_order(1, kCarol, Side::kBuy, 7, 1);
  EXPECT_EQ(send(third), expected({rejected(Reason::kDuplicateOrderId, third)}));
  const OrderRequest rejected_before = limit_order(3, kAlice, Side::kBuy, 0, 1);
  send(rejected_before);
  const OrderRequest reuse = limit_order(3, kAlice, Side::kBuy, 8, 1);
  EXPECT_EQ(send(reuse), expected({rejected(Reason::kDuplicateOrderId, reuse)}));
}

TEST_F(ClobScenario, CancelAfterCompleteFillIsTooLate) {
  send(limit_order(1, kAlice, Side::kBuy, 5, 2));
  send(limit_order(2, kBob, Side::kSell, 5, 2));
  EXPECT_EQ(cancel(kAlice, 1), expected({cancel_rejected(Reason::kTooLate, kAlice, 1)}));
  EXPECT_EQ(cancel(kBob, 2), expected({cancel_rejected(Reason::kTooLate, kBob, 2)}));
}

// A two-sided quote message: the bid leg replaces a resting bid, the ask leg's cancel comes too
// late (its order filled) and its new ask still enters; legs apply in order in one call.
TEST_F(ClobScenario, MessageAppliesLegsInOrderAndEntersOrdersWhoseCancelFailed) {
  send(limit_order(1, kAlice, Side::kBuy, 5, 2));
  send(limit_order(2, kAlice, Side::kSell, 9, 1));
  send(limit_order(3, kBob, Side::kBuy, 9, 1));  // fills Alice's ask completely
  std::array<MessageLeg, 2> legs{};
  legs[0].cancel = OrderId{1};
  legs[0].enter = true;
  legs[0].order = limit_order(4, kAlice, Side::kBuy, 6, 2);
  legs[1].cancel = OrderId{2};
  legs[1].enter = true;
  legs[1].order = limit_order(5, kAlice, Side::kSell, 8, 1);
  Outcomes out;
  book_.on_message(kNow, legs, out);
  EXPECT_EQ(describe(out), expected({cancelled(Reason::kUserCancel, kAlice, 1, Side::kBuy, 5, 2),
                                     accepted(kAlice, 4, Side::kBuy, 6, 2),
                                     cancel_rejected(Reason::kTooLate, kAlice, 2),
                                     accepted(kAlice, 5, Side::kSell, 8, 1)}));
  EXPECT_EQ(book_.snapshot().bids, (std::vector<Entry>{resting_entry(4, kAlice, 6, 2)}));
  EXPECT_EQ(book_.snapshot().asks, (std::vector<Entry>{resting_entry(5, kAlice, 8, 1)}));
}

TEST_F(ClobScenario, CancelOfPartlyFilledOrderRemovesOpenLots) {
  send(limit_order(1, kAlice, Side::kBuy, 5, 6));
  send(limit_order(2, kBob, Side::kSell, 5, 2));
  EXPECT_EQ(cancel(kAlice, 1),
            expected({cancelled(Reason::kUserCancel, kAlice, 1, Side::kBuy, 5, 4)}));
  EXPECT_EQ(cancel(kAlice, 1), expected({cancel_rejected(Reason::kTooLate, kAlice, 1)}));
  EXPECT_FALSE(book_.public_view().best_bid.has_value());
}

TEST_F(ClobScenario, CancelOfNeverSeenIdIsUnknown) {
  send(limit_order(1, kAlice, Side::kBuy, 5, 1));
  send(limit_order(3, kAlice, Side::kBuy, 5, 1));
  EXPECT_EQ(cancel(kAlice, 4), expected({cancel_rejected(Reason::kUnknownOrder, kAlice, 4)}));
  // Id 2 was skipped: it lies inside the window of remembered ids.
  EXPECT_EQ(cancel(kAlice, 2), expected({cancel_rejected(Reason::kUnknownOrder, kAlice, 2)}));
}

TEST_F(ClobScenario, CancelOfSomeoneElsesOrderIsUnknownAndLeavesIt) {
  send(limit_order(1, kAlice, Side::kSell, 700, 3));
  EXPECT_EQ(cancel(kBob, 1), expected({cancel_rejected(Reason::kUnknownOrder, kBob, 1)}));
  EXPECT_EQ(book_.snapshot().asks, (std::vector<Entry>{resting_entry(1, kAlice, 700, 3)}));
}

TEST_F(ClobScenario, IdsArrivingOutOfOrderAreAccepted) {
  send(limit_order(5, kAlice, Side::kBuy, 5, 1));
  EXPECT_EQ(send(limit_order(4, kBob, Side::kBuy, 5, 1)),
            expected({accepted(kBob, 4, Side::kBuy, 5, 1)}));
  EXPECT_EQ(book_.snapshot().bids,
            (std::vector<Entry>{resting_entry(5, kAlice, 5, 1), resting_entry(4, kBob, 5, 1)}));
}

TEST_F(ClobScenario, IdsOlderThanWindowAreTooLateToCancelAndAcceptedAsNew) {
  send(limit_order(1, kAlice, Side::kBuy, 5, 1));
  send(limit_order(3, kAlice, Side::kBuy, 5, 1));
  send(limit_order(Clob::kIdWindow + 10, kBob, Side::kBuy, 6, 1));
  // Order 1 is live: found by id even though the window has moved past it.
  EXPECT_EQ(cancel(kAlice, 1),
            expected({cancelled(Reason::kUserCancel, kAlice, 1, Side::kBuy, 5, 1)}));
  // Id 2 was never sent, but it is no longer remembered: reported too late.
  EXPECT_EQ(cancel(kAlice, 2), expected({cancel_rejected(Reason::kTooLate, kAlice, 2)}));
  EXPECT_EQ(send(limit_order(2, kCarol, Side::kBuy, 4, 1)),
            expected({accepted(kCarol, 2, Side::kBuy, 4, 1)}));
  const OrderRequest live_dup = limit_order(3, kCarol, Side::kBuy, 4, 1);
  EXPECT_EQ(send(live_dup), expected({rejected(Reason::kDuplicateOrderId, live_dup)}));
}

TEST_F(ClobScenario, SelfTradeCancelsRestingOrderAndKeepsMatching) {
  send(limit_order(1, kBob, Side::kSell, 500, 2));
  send(limit_order(2, kAlice, Side::kSell, 500, 3));
  send(limit_order(3, kCarol, Side::kSell, 500, 2));
  send(limit_order(4, kAlice, Side::kSell, 501, 4));
  EXPECT_EQ(send(limit_order(5, kAlice, Side::kBuy, 501, 6)),
            expected({trade(kAlice, 5, Side::kBuy, 500, 2, 4, kBob, 1, 0),
                      cancelled(Reason::kSelfTrade, kAlice, 2, Side::kSell, 500, 3),
                      trade(kAlice, 5, Side::kBuy, 500, 2, 2, kCarol, 3, 0),
                      cancelled(Reason::kSelfTrade, kAlice, 4, Side::kSell, 501, 4),
                      accepted(kAlice, 5, Side::kBuy, 501, 2)}));
  EXPECT_TRUE(book_.snapshot().asks.empty());
  EXPECT_EQ(book_.snapshot().bids, (std::vector<Entry>{resting_entry(5, kAlice, 501, 2)}));
}

TEST_F(ClobCancelIncoming, SelfTradeCancelsIncomingRemainderAndKeepsRestingOrder) {
  send(limit_order(1, kBob, Side::kBuy, 500, 2));
  send(limit_order(2, kAlice, Side::kBuy, 500, 3));
  send(limit_order(3, kCarol, Side::kBuy, 500, 2));
  EXPECT_EQ(send(limit_order(4, kAlice, Side::kSell, 400, 6)),
            expected({trade(kAlice, 4, Side::kSell, 500, 2, 4, kBob, 1, 0),
                      cancelled(Reason::kSelfTrade, kAlice, 4, Side::kSell, 400, 4)}));
  EXPECT_EQ(book_.snapshot().bids, (std::vector<Entry>{resting_entry(2, kAlice, 500, 3),
                                                       resting_entry(3, kCarol, 500, 2)}));
  EXPECT_TRUE(book_.snapshot().asks.empty());
  EXPECT_EQ(send(market_order(5, kAlice, Side::kSell, 1)),
            expected({cancelled(Reason::kSelfTrade, kAlice, 5, Side::kSell, 0, 1)}));
}

TEST_F(ClobScenario, PublicViewShowsLotsAtTheTouchAndLastTrade) {
  PublicView empty = book_.public_view();
  EXPECT_FALSE(empty.best_bid.has_value());
  EXPECT_FALSE(empty.best_ask.has_value());
  EXPECT_FALSE(empty.last_price.has_value());
  EXPECT_EQ(empty.last_qty, Qty{0});
  send(limit_order(1, kAlice, Side::kBuy, 400, 3));
  send(limit_order(2, kBob, Side::kBuy, 400, 4));
  send(limit_order(3, kBob, Side::kBuy, 399, 9));
  send(limit_order(4, kCarol, Side::kSell, 420, 5));
  send(limit_order(5, kCarol, Side::kSell, 400, 2));
  const PublicView view = book_.public_view();
  EXPECT_EQ(view.best_bid, (Level{Price{400}, Qty{5}}));
  EXPECT_EQ(view.best_ask, (Level{Price{420}, Qty{5}}));
  EXPECT_EQ(view.last_price, Price{400});
  EXPECT_EQ(view.last_qty, Qty{2});
}

TEST(ClobWideGrid, FindsNextLevelAcrossDistantPrices) {
  MarketRules rules;
  rules.ticks_per_unit = 1'000'000;
  Clob book(rules);
  Outcomes out;
  book.on_order(kNow, limit_order(1, kAlice, Side::kSell, 999'999, 1), out);
  book.on_order(kNow, limit_order(2, kAlice, Side::kSell, 3, 1), out);
  book.on_order(kNow, limit_order(3, kAlice, Side::kBuy, 1, 1), out);
  book.on_order(kNow, limit_order(4, kAlice, Side::kBuy, 2, 1), out);
  out.clear();
  book.on_order(kNow, limit_order(5, kBob, Side::kBuy, 999'999, 2), out);
  EXPECT_EQ(describe(out), describe({trade(kBob, 5, Side::kBuy, 3, 1, 1, kAlice, 2, 0),
                                     trade(kBob, 5, Side::kBuy, 999'999, 1, 0, kAlice, 1, 0)}));
  EXPECT_EQ(book.public_view().best_bid, (Level{Price{2}, Qty{1}}));
  out.clear();
  book.on_cancel(kNow, kAlice, OrderId{4}, out);
  EXPECT_EQ(book.public_view().best_bid, (Level{Price{1}, Qty{1}}));
  EXPECT_FALSE(book.public_view().best_ask.has_value());
}

// ---------------------------------------------------------------------------------------------
// Reference book: std::map of FIFO deques, the rules written as plainly as possible.

class ReferenceBook {
 public:
  ReferenceBook(const MarketRules& rules, SelfTradeRule rule) : rules_(rules), rule_(rule) {}

  void on_order(const OrderRequest& o, Outcomes& out) {
    if (seen_.count(o.id.value) != 0) return out.push_back(rejected(Reason::kDuplicateOrderId, o));
    seen_.insert(o.id.value);
    if (o.kind != OrderKind::kMarket &&
        (o.limit.ticks <= 0 || o.limit.ticks >= rules_.ticks_per_unit)) {
      return out.push_back(rejected(Reason::kPriceOutOfRange, o));
    }
    if (o.qty.lots < 1 || o.qty.lots > rules_.max_order_lots) {
      return out.push_back(rejected(Reason::kBadQuantity, o));
    }
    const bool buy = o.side == Side::kBuy;
    Book& opposite_book = buy ? asks_ : bids_;
    const bool was_empty = opposite_book.empty();
    std::int64_t open = o.qty.lots;
    bool stopped = false;
    while (open > 0 && !opposite_book.empty() && !stopped) {
      auto level = buy ? opposite_book.begin() : std::prev(opposite_book.end());
      const std::int64_t price = level->first;
      if (o.kind != OrderKind::kMarket && (buy ? price > o.limit.ticks : price < o.limit.ticks)) {
        break;
      }
      std::deque<Order>& queue = level->second;
      while (open > 0 && !queue.empty()) {
        Order& maker = queue.front();
        if (maker.owner == o.owner) {
          if (rule_ == SelfTradeRule::kCancelIncoming) {
            stopped = true;
            break;
          }
          out.push_back(
              cancelled(Reason::kSelfTrade, maker.owner, maker.id, maker.side, price, maker.lots));
          queue.pop_front();
          continue;
        }
        const std::int64_t fill = std::min(open, maker.lots);
        open -= fill;
        maker.lots -= fill;
        out.push_back(trade(o.owner, o.id.value, o.side, price, fill, open, maker.owner, maker.id,
                            maker.lots));
        last_ = Level{Price{price}, Qty{fill}};
        if (maker.lots == 0) queue.pop_front();
      }
      if (queue.empty()) opposite_book.erase(level);
    }
    if (open == 0) return;
    if (o.kind == OrderKind::kLimit && !stopped) {
      (buy ? bids_ : asks_)[o.limit.ticks].push_back(
          Order{o.id.value, o.owner, o.side, o.limit.ticks, open});
      return out.push_back(accepted(o.owner, o.id.value, o.side, o.limit.ticks, open));
    }
    const Reason reason = stopped                                       ? Reason::kSelfTrade
                          : (o.kind == OrderKind::kMarket && was_empty) ? Reason::kNoLiquidity
                                                                        : Reason::kUnfilledIoc;
    out.push_back(cancelled(reason, o.owner, o.id.value, o.side,
                            o.kind == OrderKind::kMarket ? 0 : o.limit.ticks, open));
  }

  void on_cancel(AgentId owner, std::uint64_t id, Outcomes& out) {
    for (Book* book : {&bids_, &asks_}) {
      for (auto level = book->begin(); level != book->end(); ++level) {
        auto& queue = level->second;
        for (auto it = queue.begin(); it != queue.end(); ++it) {
          if (it->id != id) continue;
          if (it->owner != owner) {
            return out.push_back(cancel_rejected(Reason::kUnknownOrder, owner, id));
          }
          out.push_back(
              cancelled(Reason::kUserCancel, owner, id, it->side, level->first, it->lots));
          queue.erase(it);
          if (queue.empty()) book->erase(level);
          return;
        }
      }
    }
    out.push_back(cancel_rejected(seen_.count(id) != 0 ? Reason::kTooLate : Reason::kUnknownOrder,
                                  owner, id));
  }

  BookSnapshot snapshot() const {
    BookSnapshot snap;
    // Best (highest) bid first.
    std::for_each(bids_.rbegin(), bids_.rend(), [&snap](const auto& level) {
      for (const Order& o : level.second)
        snap.bids.push_back(resting_entry(o.id, o.owner, o.price, o.lots));
    });
    for (const auto& [price, queue] : asks_) {
      for (const Order& o : queue)
        snap.asks.push_back(resting_entry(o.id, o.owner, o.price, o.lots));
    }
    return snap;
  }

  PublicView public_view() const {
    PublicView view;
    const auto level_of = [](const std::deque<Order>& queue, std::int64_t price) {
      std::int64_t lots = 0;
      for (const Order& o : queue) lots += o.lots;
      return Level{Price{price}, Qty{lots}};
    };
    if (!bids_.empty()) view.best_bid = level_of(bids_.rbegin()->second, bids_.rbegin()->first);
    if (!asks_.empty()) view.best_ask = level_of(asks_.begin()->second, asks_.begin()->first);
    if (last_) {
      view.last_price = last_->price;
      view.last_qty = last_->qty;
    }
    return view;
  }

 private:
  struct Order {
    std::uint64_t id;
    AgentId owner;
    Side side;
    std::int64_t price;
    std::int64_t lots;
  };
  using Book = std::map<std::int64_t, std::deque<Order>>;

  MarketRules rules_;
  SelfTradeRule rule_;
  Book bids_;
  Book asks_;
  std::set<std::uint64_t> seen_;
  std::optional<Level> last_;
};

// ---------------------------------------------------------------------------------------------
// Property tests over seeded random streams

struct StreamCase {
  std::uint64_t seed;
  std::int64_t ticks_per_unit;
  SelfTradeRule rule;
};

void PrintTo(const StreamCase& c, std::ostream* os) {
  *os << "seed " << c.seed << ", ticks_per_unit " << c.ticks_per_unit << ", "
      << (c.rule == SelfTradeRule::kCancelResting ? "cancel resting" : "cancel incoming");
}

class ClobProperty : public ::testing::TestWithParam<StreamCase> {};

// Per-order ledger of lots, filled from outcomes only.
struct OrderLots {
  OrderRequest request;
  std::int64_t filled = 0;
  std::int64_t cancelled = 0;
  bool entered = false;  // passed validation
};

TEST_P(ClobProperty, MatchesReferenceBookAndKeepsInvariants) {
  const StreamCase c = GetParam();
  MarketRules rules;
  rules.ticks_per_unit = c.ticks_per_unit;
  rules.max_order_lots = 20;
  Clob book(rules, c.rule);
  ReferenceBook reference(rules, c.rule);
  RandomStream rng{repetition_key(c.seed, 0), StreamId::kDecision, 0};

  std::map<std::uint64_t, OrderLots> orders;
  std::uint64_t next_id = 1;
  std::int64_t centre = c.ticks_per_unit / 2;
  const auto draw = [&](std::int64_t lo, std::int64_t hi) {  // uniform on [lo, hi]
    return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
  };
  std::size_t trades = 0;
  std::size_t self_trades = 0;
  std::size_t too_late = 0;

  for (int step = 0; step < 20'000; ++step) {
    Outcomes got;
    Outcomes want;
    const std::uint64_t op = rng.below(100);
    if (op < 30 && next_id > 1) {
      // Cancel: usually an issued id with its owner, sometimes a stranger or a future id.
      const std::uint64_t id = 1 + rng.below(next_id + 2);
      AgentId owner{static_cast<std::uint32_t>(1 + rng.below(4))};
      const auto it = orders.find(id);
      if (it != orders.end() && rng.below(100) < 85) owner = it->second.request.owner;
      book.on_cancel(kNow, owner, OrderId{id}, got);
      reference.on_cancel(owner, id, want);
    } else {
      if (rng.below(20) == 0) next_id += 1 + rng.below(3);  // gaps in the id sequence
      centre = std::clamp<std::int64_t>(centre + draw(-2, 2), 1, c.ticks_per_unit - 1);
      OrderRequest o;
      o.id = OrderId{next_id++};
      if (rng.below(40) == 0 && o.id.value > 3) o.id = OrderId{1 + rng.below(o.id.value - 1)};
      o.owner = AgentId{static_cast<std::uint32_t>(1 + rng.below(4))};
      o.side = rng.below(2) == 0 ? Side::kBuy : Side::kSell;
      const std::uint64_t kind = rng.below(100);
      o.kind = kind < 75 ? OrderKind::kLimit : kind < 92 ? OrderKind::kIoc : OrderKind::kMarket;
      o.limit = Price{draw(centre - 6, centre + 6)};
      o.qty = Qty{draw(1, 12)};
      if (rng.below(50) == 0) o.qty = Qty{rng.below(2) == 0 ? 0 : 21};
      if (rng.below(80) == 0) o.limit = Price{rng.below(2) == 0 ? 0 : c.ticks_per_unit};
      book.on_order(kNow, o, got);
      reference.on_order(o, want);
      if (orders.count(o.id.value) == 0) orders[o.id.value].request = o;
    }
    ASSERT_EQ(describe(got), describe(want)) << "step " << step;

    // Ledger of every order from the outcomes; checks the reported remainders on the way.
    for (const Outcome& e : got) {
      if (e.kind == OutcomeKind::kCancelRejected) {
        too_late += e.reason == Reason::kTooLate ? 1 : 0;
        continue;
      }
      OrderLots& mine = orders.at(e.order.value);
      switch (e.kind) {
        case OutcomeKind::kTrade: {
          ++trades;
          OrderLots& maker = orders.at(e.counter_order.value);
          mine.entered = true;
          mine.filled += e.qty.lots;
          maker.filled += e.qty.lots;
          EXPECT_EQ(e.remaining.lots, mine.request.qty.lots - mine.filled);
          EXPECT_EQ(e.counter_remaining.lots,
                    maker.request.qty.lots - maker.filled - maker.cancelled);
          // Trades at the maker's price, never through the taker's limit.
          EXPECT_EQ(e.price, maker.request.limit);
          if (mine.request.kind != OrderKind::kMarket) {
            EXPECT_TRUE(e.side == Side::kBuy ? e.price <= mine.request.limit
                                             : e.price >= mine.request.limit);
          }
          EXPECT_NE(e.agent, e.counter_agent);
          break;
        }
        case OutcomeKind::kCancelled:
          self_trades += e.reason == Reason::kSelfTrade ? 1 : 0;
          mine.entered = true;
          mine.cancelled += e.qty.lots;
          break;
        case OutcomeKind::kAccepted:
          mine.entered = true;
          break;
        case OutcomeKind::kCancelRejected:
        case OutcomeKind::kRejected:
        case OutcomeKind::kQuoteRequest:  // RFQ only; a CLOB never emits it
          break;
      }
    }

    const BookSnapshot snap = book.snapshot();
    ASSERT_EQ(snap, reference.snapshot()) << "step " << step;
    const PublicView view = book.public_view();
    ASSERT_EQ(view, reference.public_view()) << "step " << step;
    if (view.best_bid && view.best_ask) {
      ASSERT_LT(view.best_bid->price, view.best_ask->price) << "crossed at step " << step;
    }
    ASSERT_EQ(book.resting_orders(), snap.bids.size() + snap.asks.size());

    if (step % 1000 == 999) {
      // Conservation: submitted = filled + resting + cancelled, for every order that entered.
      std::map<std::uint64_t, std::int64_t> resting;
      for (const auto* side : {&snap.bids, &snap.asks}) {
        for (const Entry& e : *side) resting[e.id.value] += e.qty.lots;
      }
      for (const auto& [id, lots] : orders) {
        if (!lots.entered) continue;
        const std::int64_t open = resting.count(id) != 0 ? resting.at(id) : 0;
        ASSERT_EQ(lots.request.qty.lots, lots.filled + open + lots.cancelled) << "order " << id;
      }
    }
  }
  // The stream must actually exercise what it claims to check.
  EXPECT_GT(trades, 2000u);
  EXPECT_GT(self_trades, 100u);
  EXPECT_GT(too_late, 100u);
}

INSTANTIATE_TEST_SUITE_P(SeededStreams, ClobProperty,
                         ::testing::Values(StreamCase{1, 100, SelfTradeRule::kCancelResting},
                                           StreamCase{2, 100, SelfTradeRule::kCancelIncoming},
                                           StreamCase{3, 1000, SelfTradeRule::kCancelResting},
                                           StreamCase{4, 1000, SelfTradeRule::kCancelIncoming},
                                           StreamCase{5, 20, SelfTradeRule::kCancelResting},
                                           StreamCase{6, 20, SelfTradeRule::kCancelIncoming},
                                           StreamCase{7, 200'000, SelfTradeRule::kCancelResting}));

}  // namespace
}  // namespace proteus::engine
