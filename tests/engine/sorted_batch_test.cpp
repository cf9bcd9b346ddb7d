// The batch auction's price-sorted path (single flow, imbalance_midpoint rule) against the
// general computation: the sorted price rule against imbalance_midpoint_price on random
// books, and whole random order streams (with cancels and compactions) against a reference
// that clears every open order with clear_uniform each batch. Plus IdIndex against a hash map.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/choices.hpp"
#include "engine/mechanisms/batch_auction.hpp"
#include "engine/mechanisms/id_index.hpp"
#include "engine/mechanisms/predecessor_clearing.hpp"
#include "engine/mechanisms/uniform_clearing.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

using Level = std::pair<std::int64_t, std::int64_t>;

TEST(PredecessorClear, SortedCrossingRegionGivesTheGeneralRulesPriceAndVolume) {
  RandomStream rng{11, StreamId::kMechanism, 0};
  std::vector<Level> buy_limits;
  std::vector<Level> sell_limits;
  std::vector<std::int64_t> candidates;
  int traded = 0;
  for (int round = 0; round < 3000; ++round) {
    // A narrow price grid so that equal limits, ties in volume and imbalance are common.
    const auto n_buys = 1 + rng.below(12);
    const auto n_sells = 1 + rng.below(12);
    std::vector<BatchOrder> buys;
    std::vector<BatchOrder> sells;
    std::uint64_t id = 1;
    for (std::uint64_t i = 0; i < n_buys; ++i, ++id) {
      buys.push_back({OrderId{id}, AgentId{1}, Side::kBuy, OrderKind::kLimit,
                      Price{490 + static_cast<std::int64_t>(rng.below(25))},
                      1 + static_cast<std::int64_t>(rng.below(5)), id});
    }
    for (std::uint64_t i = 0; i < n_sells; ++i, ++id) {
      sells.push_back({OrderId{id}, AgentId{2}, Side::kSell, OrderKind::kLimit,
                       Price{495 + static_cast<std::int64_t>(rng.below(25))},
                       1 + static_cast<std::int64_t>(rng.below(5)), id});
    }
    const auto general =
        imbalance_midpoint_price(buys, sells, 1000, buy_limits, sell_limits, candidates);
    // The crossing region, sorted: buys at or above the lowest sell (highest first), sells at
    // or below the highest buy (lowest first).
    std::int64_t lowest_sell = 1001;
    std::int64_t highest_buy = -1;
    for (const auto& s : sells) lowest_sell = std::min(lowest_sell, s.limit.ticks);
    for (const auto& b : buys) highest_buy = std::max(highest_buy, b.limit.ticks);
    std::vector<Level> bids;
    std::vector<Level> asks;
    for (const auto& b : buys) {
      if (b.limit.ticks >= lowest_sell) bids.emplace_back(b.limit.ticks, b.open);
    }
    for (const auto& s : sells) {
      if (s.limit.ticks <= highest_buy) asks.emplace_back(s.limit.ticks, s.open);
    }
    std::sort(bids.begin(), bids.end(),
              [](const Level& a, const Level& b) { return a.first > b.first; });
    std::sort(asks.begin(), asks.end());
    const auto sorted = imbalance_midpoint_price_sorted(bids, asks, buy_limits, candidates);
    ASSERT_EQ(sorted.has_value(), general.has_value()) << "round " << round;
    if (!general) continue;
    ++traded;
    EXPECT_EQ(sorted->first, general->first) << "price, round " << round;
    EXPECT_EQ(sorted->second, general->second) << "volume, round " << round;
  }
  EXPECT_GT(traded, 1000);  // the comparison covered many clears that trade
}

// One trade as (price, lots, buy order id, sell order id).
using Trade = std::tuple<std::int64_t, std::int64_t, std::uint64_t, std::uint64_t>;

Trade trade_of(const Outcome& o) {
  const bool taker_buys = o.side == Side::kBuy;
  return {o.price.ticks, o.qty.lots, taker_buys ? o.order.value : o.counter_order.value,
          taker_buys ? o.counter_order.value : o.order.value};
}

void check_sorted_book(TieRule tie, Allocation allocation) {
  SCOPED_TRACE(std::string(to_string(tie)) + " / " + std::string(to_string(allocation)));
  const BatchParams params{SimTime::from_ms(100), tie, allocation};
  BatchAuction fba{MarketRules{}, params, RandomStream{1, StreamId::kMechanism, 0}};
  RandomStream reference_rng{1, StreamId::kMechanism, 0};  // the mechanism's own stream
  std::optional<Price> previous;
  RandomStream flow{5, StreamId::kMechanism, 1};
  std::map<std::uint64_t, BatchOrder> open;  // the reference: every open order by seq
  std::uint64_t next_id = 1;
  std::uint64_t seq = 0;
  Outcomes out;
  std::size_t trades = 0;
  std::size_t cancels = 0;
  for (int batch = 1; batch <= 400; ++batch) {
    const auto orders = flow.below(9);
    for (std::uint64_t k = 0; k < orders; ++k) {
      const Side side = flow.below(2) == 0 ? Side::kBuy : Side::kSell;
      // Bids lean low and asks high, so a book rests and only its edge crosses.
      const std::int64_t price =
          (side == Side::kBuy ? 440 : 480) + static_cast<std::int64_t>(flow.below(80));
      const std::int64_t lots = 1 + static_cast<std::int64_t>(flow.below(4));
      const OrderId id{next_id++};
      const AgentId owner{static_cast<std::uint32_t>(1 + flow.below(3))};
      out.clear();
      fba.on_order(SimTime{},
                   OrderRequest{id, owner, side, OrderKind::kLimit, Price{price}, Qty{lots}}, out);
      open.emplace(seq, BatchOrder{id, owner, side, OrderKind::kLimit, Price{price}, lots, seq});
      ++seq;
    }
    if (!open.empty() && flow.below(3) == 0) {  // cancel a random open order
      auto it = open.begin();
      std::advance(it, static_cast<long>(flow.below(open.size())));
      out.clear();
      fba.on_cancel(SimTime{}, it->second.owner, it->second.id, out);
      ASSERT_EQ(out.size(), 1u);
      ASSERT_EQ(out[0].kind, OutcomeKind::kCancelled);
      open.erase(it);
      ++cancels;
    }
    // Reference clear: every open order, in arrival order.
    std::vector<BatchOrder> buys;
    std::vector<BatchOrder> sells;
    for (const auto& [s, o] : open) (o.side == Side::kBuy ? buys : sells).push_back(o);
    const Clearing c = clear_uniform(
        buys, sells, ClearingRules{params.tie, params.allocation, 1000}, previous, reference_rng);
    if (c.volume > 0) previous = c.price;
    std::vector<Trade> expected;
    for (const auto& m : c.matches) {
      expected.emplace_back(c.price->ticks, m.lots, buys[m.buy].id.value, sells[m.sell].id.value);
    }
    for (std::size_t i = 0; i < buys.size(); ++i) open.at(buys[i].seq).open -= c.buy_fills[i];
    for (std::size_t i = 0; i < sells.size(); ++i) open.at(sells[i].seq).open -= c.sell_fills[i];
    std::erase_if(open, [](const auto& e) { return e.second.open == 0; });

    out.clear();
    fba.on_timer(SimTime::from_ms(100.0 * batch), out);
    std::vector<Trade> got;
    for (const Outcome& o : out) {
      ASSERT_EQ(o.kind, OutcomeKind::kTrade);
      got.push_back(trade_of(o));
    }
    ASSERT_EQ(got, expected) << "batch " << batch;
    ASSERT_EQ(fba.open_orders(), open.size()) << "batch " << batch;
    trades += got.size();
  }
  // The stream exercised what it is for: many trades, cancels, and a book that rests.
  EXPECT_GT(trades, 250u);
  EXPECT_GT(cancels, 100u);
  EXPECT_GT(open.size(), 50u);
}

TEST(PredecessorBatch, SortedBookTradesAsAClearOfEveryOpenOrderThroughCancelsAndCompaction) {
  check_sorted_book(TieRule::kImbalanceMidpoint, Allocation::kTimeAnyPrice);
  check_sorted_book(TieRule::kImbalanceMidpoint, Allocation::kTime);
}

TEST(FbaSortedBook, EveryTieRuleAndAllocationTradesAsAClearOfEveryOpenOrder) {
  for (const TieRule tie : {TieRule::kImbalance, TieRule::kPrevious, TieRule::kMidpoint}) {
    for (const Allocation allocation : {Allocation::kTime, Allocation::kProRata,
                                        Allocation::kRandom, Allocation::kTimeAnyPrice}) {
      check_sorted_book(tie, allocation);
    }
  }
}

TEST(IdIndex, AgreesWithAHashMapThroughGrowthUpdatesAndDeletion) {
  IdIndex index;
  std::unordered_map<std::uint64_t, std::uint32_t> reference;
  RandomStream rng{3, StreamId::kMechanism, 0};
  std::vector<std::uint64_t> ids;
  std::uint64_t last_id = 0;
  for (int step = 0; step < 200000; ++step) {
    const auto op = rng.below(10);
    if (op < 5 || ids.empty()) {
      // Ids as the engine makes them: increasing, with gaps, some far apart.
      const std::uint64_t id =
          last_id + 1 + rng.below(3) + (rng.below(100) == 0 ? (std::uint64_t{1} << 40) : 0);
      last_id = id;
      const auto pos = static_cast<std::uint32_t>(rng.below(1u << 30));
      index.insert(id, pos);
      reference.emplace(id, pos);
      ids.push_back(id);
    } else {
      const auto k = rng.below(ids.size());
      const std::uint64_t id = ids[k];
      if (op < 8) {
        index.erase(id);
        reference.erase(id);
        ids[k] = ids.back();
        ids.pop_back();
      } else {
        const auto pos = static_cast<std::uint32_t>(rng.below(1u << 30));
        index.update(id, pos);
        reference[id] = pos;
      }
    }
    if (step % 997 == 0) {
      ASSERT_EQ(index.size(), reference.size());
      for (const auto& [id, pos] : reference) ASSERT_EQ(index.find(id), pos) << "id " << id;
      ASSERT_EQ(index.find(last_id + 1), IdIndex::kNil);
    }
  }
  EXPECT_GT(reference.size(), 1000u);  // it grew well past its initial 64 entries
}

}  // namespace
}  // namespace proteus::engine
