// The mechanisms' shared pieces: the common order check, the seen-id set and the slot pool.
#include "engine/mechanisms/order_check.hpp"

#include <gtest/gtest.h>

#include "engine/slot_pool.hpp"

namespace proteus::engine {
namespace {

OrderRequest order(OrderKind kind, std::int64_t ticks, std::int64_t lots) {
  return OrderRequest{OrderId{1}, AgentId{0}, Side::kBuy, kind, Price{ticks}, Qty{lots}};
}

TEST(CheckOrder, RejectsPricesOutsideTheOpenUnitIntervalForPricedOrdersOnly) {
  const MarketRules rules;  // 1000 ticks per unit, at most 1000 lots
  EXPECT_EQ(check_order(order(OrderKind::kLimit, 1, 1), rules), Reason::kNone);
  EXPECT_EQ(check_order(order(OrderKind::kLimit, 999, 1), rules), Reason::kNone);
  EXPECT_EQ(check_order(order(OrderKind::kLimit, 0, 1), rules), Reason::kPriceOutOfRange);
  EXPECT_EQ(check_order(order(OrderKind::kIoc, 1000, 1), rules), Reason::kPriceOutOfRange);
  EXPECT_EQ(check_order(order(OrderKind::kMarket, 0, 1), rules), Reason::kNone);
}

TEST(CheckOrder, RejectsQuantitiesOutsideOneToMaxLotsAfterThePrice) {
  const MarketRules rules;
  EXPECT_EQ(check_order(order(OrderKind::kLimit, 500, 0), rules), Reason::kBadQuantity);
  EXPECT_EQ(check_order(order(OrderKind::kLimit, 500, 1000), rules), Reason::kNone);
  EXPECT_EQ(check_order(order(OrderKind::kMarket, 0, 1001), rules), Reason::kBadQuantity);
  EXPECT_EQ(check_order(order(OrderKind::kLimit, 0, 0), rules), Reason::kPriceOutOfRange);
}

TEST(OrderOutcome, SetsTheOrderFieldsAndLeavesTheCounterpartyEmpty) {
  const Outcome o = order_outcome(OutcomeKind::kCancelled, Reason::kUserCancel, Side::kSell,
                                  AgentId{3}, OrderId{9}, Price{400}, Qty{2});
  EXPECT_EQ(o.kind, OutcomeKind::kCancelled);
  EXPECT_EQ(o.reason, Reason::kUserCancel);
  EXPECT_EQ(o.side, Side::kSell);
  EXPECT_EQ(o.agent, AgentId{3});
  EXPECT_EQ(o.order, OrderId{9});
  EXPECT_EQ(o.price, Price{400});
  EXPECT_EQ(o.qty, Qty{2});
  EXPECT_EQ(o.remaining, Qty{});
  EXPECT_EQ(o.counter_agent, AgentId{});
  EXPECT_EQ(o.counter_order, OrderId{});
}

TEST(SeenIds, RemembersEveryInsertedIdAcrossGrowth) {
  SeenIds seen;
  EXPECT_FALSE(seen.contains(0));
  EXPECT_FALSE(seen.contains(1'000'000));
  for (std::uint64_t id : {1u, 63u, 64u, 65u, 5000u}) seen.insert(id);
  for (std::uint64_t id : {1u, 63u, 64u, 65u, 5000u}) EXPECT_TRUE(seen.contains(id)) << id;
  for (std::uint64_t id : {2u, 62u, 66u, 4999u, 5001u, 100000u}) EXPECT_FALSE(seen.contains(id));
}

TEST(SlotPool, HandsOutReleasedSlotsBeforeGrowingLastReleasedFirst) {
  SlotPool<int> pool;
  const std::uint32_t a = pool.acquire(10);
  const std::uint32_t b = pool.acquire(20);
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(pool[b], 20);
  pool.release(a);
  pool.release(b);
  EXPECT_EQ(pool.acquire(99), b);  // reused, keeps its old value until overwritten
  EXPECT_EQ(pool[b], 20);
  EXPECT_EQ(pool.acquire(), a);
  EXPECT_EQ(pool.acquire(30), 2u);
  EXPECT_EQ(pool[2], 30);
}

}  // namespace
}  // namespace proteus::engine
