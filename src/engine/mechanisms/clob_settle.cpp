// The CLOB's crossing at the end of an instant (market.crossing = "end_of_instant", the
// predecessor's CLOB): the orders of one instant are entered together, then the book is crossed.
#include <algorithm>
#include <cassert>
#include <vector>

#include "engine/mechanisms/clob.hpp"
#include "engine/mechanisms/order_check.hpp"

namespace proteus::engine {
namespace {

constexpr std::size_t idx(Side s) {
  return static_cast<std::size_t>(s);
}

}  // namespace

void Clob::fill_resting(Side maker, const OrderRequest& taker, std::int64_t lots, std::int64_t open,
                        Outcomes& out) {
  const std::int64_t price = best_[idx(maker)];
  PriceLevel& level = this->level(price);
  const std::uint32_t s = level.head;
  Slot& resting = slots_[s];
  resting.lots -= lots;
  level.lots -= lots;
  last_price_ = price;
  last_lots_ = lots;
  Outcome& trade = out.emplace_back(order_outcome(OutcomeKind::kTrade, Reason::kNone, taker.side,
                                                  taker.owner, taker.id, Price{price}, Qty{lots}));
  trade.remaining = Qty{open};
  trade.counter_agent = resting.owner;
  trade.counter_order = OrderId{resting.id};
  trade.counter_remaining = Qty{resting.lots};
  if (resting.lots == 0) unlink(s);
}

void Clob::on_settle(SimTime /*now*/, Outcomes& out) {
  // Arrival index = age among the new orders; every resting order is older than all of them.
  const std::size_t n = pending_.size();
  // Scratch buffers kept between settles: no allocation once they have grown.
  std::vector<std::int64_t>& open = settle_open_;
  std::vector<std::uint32_t>& bids = settle_bids_;
  std::vector<std::uint32_t>& asks = settle_asks_;
  open.assign(n, 0);
  bids.clear();
  asks.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    open[i] = pending_[i].qty.lots;
    (pending_[i].side == Side::kBuy ? bids : asks).push_back(i);
  }
  // Best price first, arrival order within a price: the index breaks ties, so a plain sort is
  // stable here (std::stable_sort allocated a buffer at every settle).
  std::sort(bids.begin(), bids.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::int64_t la = pending_[a].limit.ticks;
    const std::int64_t lb = pending_[b].limit.ticks;
    return la != lb ? la > lb : a < b;
  });
  std::sort(asks.begin(), asks.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::int64_t la = pending_[a].limit.ticks;
    const std::int64_t lb = pending_[b].limit.ticks;
    return la != lb ? la < lb : a < b;
  });
  std::size_t bi = 0;
  std::size_t ai = 0;
  for (;;) {
    while (bi < bids.size() && open[bids[bi]] == 0) ++bi;
    while (ai < asks.size() && open[asks[ai]] == 0) ++ai;
    const std::int64_t book_bid = best_[idx(Side::kBuy)];   // 0: none
    const std::int64_t book_ask = best_[idx(Side::kSell)];  // ticks_per_unit: none
    // A new order goes first only at a strictly better price: at equal prices the resting
    // order is older.
    const bool new_bid = bi < bids.size() && pending_[bids[bi]].limit.ticks > book_bid;
    const bool new_ask = ai < asks.size() && pending_[asks[ai]].limit.ticks < book_ask;
    const std::int64_t bid = new_bid ? pending_[bids[bi]].limit.ticks : book_bid;
    const std::int64_t ask = new_ask ? pending_[asks[ai]].limit.ticks : book_ask;
    if (bid == 0 || ask == ticks_per_unit_ || bid < ask) break;
    assert((new_bid || new_ask) && "Clob: the resting book was crossed");
    if (new_bid && new_ask) {
      // Two new orders: the older one (earlier arrival) is the maker and sets the price.
      const std::uint32_t b = bids[bi];
      const std::uint32_t a = asks[ai];
      const std::uint32_t maker = std::min(a, b);
      const std::uint32_t taker = std::max(a, b);
      const std::int64_t lots = std::min(open[a], open[b]);
      open[a] -= lots;
      open[b] -= lots;
      last_price_ = pending_[maker].limit.ticks;
      last_lots_ = lots;
      const OrderRequest& t = pending_[taker];
      Outcome& trade =
          out.emplace_back(order_outcome(OutcomeKind::kTrade, Reason::kNone, t.side, t.owner, t.id,
                                         pending_[maker].limit, Qty{lots}));
      trade.remaining = Qty{open[taker]};
      trade.counter_agent = pending_[maker].owner;
      trade.counter_order = pending_[maker].id;
      trade.counter_remaining = Qty{open[maker]};
    } else {
      const std::uint32_t i = new_bid ? bids[bi] : asks[ai];
      const Side maker = new_bid ? Side::kSell : Side::kBuy;
      const std::int64_t head = level(best_[idx(maker)]).head;
      const std::int64_t lots = std::min(open[i], slots_[static_cast<std::size_t>(head)].lots);
      open[i] -= lots;
      fill_resting(maker, pending_[i], lots, open[i], out);
    }
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    if (open[i] == 0) continue;
    rest(pending_[i], open[i]);
    out.push_back(order_outcome(OutcomeKind::kAccepted, Reason::kNone, pending_[i].side,
                                pending_[i].owner, pending_[i].id, pending_[i].limit,
                                Qty{open[i]}));
    out.back().remaining = Qty{open[i]};
  }
  pending_.clear();
}

}  // namespace proteus::engine
