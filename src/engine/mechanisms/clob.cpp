// Continuous limit order book: matching written once for both sides, levels indexed by price,
// intrusive FIFO lists in a slot pool, an open-addressing id index and a ring of seen ids.
#include "engine/mechanisms/clob.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

#include "engine/mechanisms/order_check.hpp"

namespace proteus::engine {
namespace {

constexpr std::size_t idx(Side s) {
  return static_cast<std::size_t>(s);
}

/// Whether an order of side `taker` with limit `limit` may trade at `price`.
template <Side kTaker>
constexpr bool reaches(std::int64_t limit, std::int64_t price) {
  if constexpr (kTaker == Side::kBuy) {
    return price <= limit;
  } else {
    return price >= limit;
  }
}

/// Whether `a` is a strictly better price than `b` for a resting order of side `s`.
constexpr bool better(Side s, std::int64_t a, std::int64_t b) {
  return s == Side::kBuy ? a > b : a < b;
}

}  // namespace

Clob::Clob(const MarketRules& rules, SelfTradeRule self_trade, Crossing crossing)
    : rules_(rules),
      self_trade_(self_trade),
      crossing_(crossing),
      ticks_per_unit_(rules.ticks_per_unit),
      dense_(rules.ticks_per_unit <= kDenseLevels),
      levels_(dense_ ? std::make_unique_for_overwrite<PriceLevel[]>(
                           static_cast<std::size_t>(rules.ticks_per_unit))
                     : nullptr),
      occupied_(rules.ticks_per_unit),
      best_{0, rules.ticks_per_unit},
      seen_(kIdWindow / 64, 0) {
  assert(rules.ticks_per_unit >= 2 && rules.ticks_per_unit < (std::int64_t{1} << 31) &&
         "Clob: ticks_per_unit must lie in [2, 2^31)");
  if (!dense_) reserve(kInitialOrders);  // a fine grid: a deep book is likely
}

void Clob::reserve(std::size_t orders) {
  slots_.reserve(orders);
  index_.reserve(orders);
  if (!dense_) {
    level_pool_.reserve(orders);
    level_of_.reserve(orders);
  }
}

// ---------------------------------------------------------------------------------------------
// Orders and cancels

void Clob::on_order(SimTime /*now*/, const OrderRequest& order, Outcomes& out) {
  const auto reject = [&](Reason reason) {
    out.push_back(order_outcome(OutcomeKind::kRejected, reason, order.side, order.owner, order.id,
                                order.limit, order.qty));
  };
  const std::uint64_t id = order.id.value;
  const bool duplicate =
      id_in_window(id) ? id_seen(id) : (id < id_horizon_ && index_.find(id) != kNil);
  if (duplicate) return reject(Reason::kDuplicateOrderId);
  mark_seen(id);
  if (const Reason invalid = check_order(order, rules_); invalid != Reason::kNone) {
    return reject(invalid);
  }
  if (crossing_ == Crossing::kEndOfInstant && order.kind == OrderKind::kLimit) {
    pending_.push_back(order);
    return;
  }
  if (order.side == Side::kBuy) {
    execute<Side::kBuy>(order, out);
  } else {
    execute<Side::kSell>(order, out);
  }
}

void Clob::on_cancel(SimTime /*now*/, AgentId owner, OrderId id, Outcomes& out) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->id != id || it->owner != owner) continue;
    out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kUserCancel, it->side, owner, id,
                                it->limit, it->qty));
    pending_.erase(it);
    return;
  }
  const std::uint32_t s = index_.find(id.value);
  if (s != kNil && slots_[s].owner == owner) {
    const Slot& slot = slots_[s];
    out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kUserCancel, slot.side, owner, id,
                                Price{slot.price}, Qty{slot.lots}));
    unlink(s);
    return;
  }
  Reason reason = Reason::kUnknownOrder;
  if (s == kNil) {
    if (id_in_window(id.value)) {
      if (id_seen(id.value)) reason = Reason::kTooLate;
    } else if (id.value < id_horizon_) {
      reason = Reason::kTooLate;  // older than the window: assumed sent (ids increase)
    }
  }
  out.push_back(
      order_outcome(OutcomeKind::kCancelRejected, reason, Side::kBuy, owner, id, Price{}, Qty{}));
}

template <Side kTaker>
void Clob::execute(const OrderRequest& order, Outcomes& out) {
  constexpr Side kMaker = opposite(kTaker);
  const bool market = order.kind == OrderKind::kMarket;
  // A market order is an IOC at the most aggressive valid price.
  const std::int64_t limit =
      market ? (kTaker == Side::kBuy ? ticks_per_unit_ - 1 : 1) : order.limit.ticks;
  const bool opposite_empty = side_orders_[idx(kMaker)] == 0;

  bool self_trade_stop = false;
  const std::int64_t open = match<kTaker>(order, limit, order.qty.lots, self_trade_stop, out);
  if (open == 0) return;

  if (order.kind == OrderKind::kLimit && !self_trade_stop) {
    rest(order, open);
    out.push_back(order_outcome(OutcomeKind::kAccepted, Reason::kNone, kTaker, order.owner,
                                order.id, order.limit, Qty{open}));
    out.back().remaining = Qty{open};
    return;
  }
  Reason reason = Reason::kUnfilledIoc;
  if (self_trade_stop) {
    reason = Reason::kSelfTrade;
  } else if (market && opposite_empty) {
    reason = Reason::kNoLiquidity;
  }
  out.push_back(order_outcome(OutcomeKind::kCancelled, reason, kTaker, order.owner, order.id,
                              market ? Price{} : order.limit, Qty{open}));
}

template <Side kTaker>
std::int64_t Clob::match(const OrderRequest& order, std::int64_t limit, std::int64_t open,
                         bool& self_trade_stop, Outcomes& out) {
  constexpr Side kMaker = opposite(kTaker);
  // The empty-side sentinels (0 for bids, ticks_per_unit for asks) never reach a valid limit.
  while (open > 0 && reaches<kTaker>(limit, best_[idx(kMaker)])) {
    const std::int64_t price = best_[idx(kMaker)];
    PriceLevel& level = this->level(price);
    std::uint32_t s = level.head;
    // unlink() moves best_ on when this level empties, which ends this inner loop too.
    while (s != kNil && open > 0) {
      Slot& resting = slots_[s];
      const std::uint32_t next = resting.next;
      if (resting.owner == order.owner && self_trade_ != SelfTradeRule::kAllow) {
        if (self_trade_ == SelfTradeRule::kCancelIncoming) {
          self_trade_stop = true;
          return open;
        }
        out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kSelfTrade, kMaker,
                                    resting.owner, OrderId{resting.id}, Price{price},
                                    Qty{resting.lots}));
        unlink(s);
      } else {
        const std::int64_t fill = std::min(open, resting.lots);
        open -= fill;
        resting.lots -= fill;
        level.lots -= fill;
        last_price_ = price;
        last_lots_ = fill;
        Outcome& trade =
            out.emplace_back(order_outcome(OutcomeKind::kTrade, Reason::kNone, kTaker, order.owner,
                                           order.id, Price{price}, Qty{fill}));
        trade.remaining = Qty{open};
        trade.counter_agent = resting.owner;
        trade.counter_order = OrderId{resting.id};
        trade.counter_remaining = Qty{resting.lots};
        if (resting.lots == 0) unlink(s);
      }
      s = next;
    }
  }
  return open;
}

// ---------------------------------------------------------------------------------------------
// Levels and the slot pool

std::uint32_t Clob::rest(const OrderRequest& order, std::int64_t lots) {
  std::uint32_t s = free_;
  if (s != kNil) {
    free_ = slots_[s].next;
  } else {
    s = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  const std::int64_t price = order.limit.ticks;
  Slot& slot = slots_[s];
  slot.id = order.id.value;
  slot.price = price;
  slot.lots = lots;
  slot.next = kNil;
  slot.owner = order.owner;
  slot.side = order.side;
  if (occupied_.insert(price)) {
    open_level(price) = PriceLevel{lots, s, s};
    slot.prev = kNil;
  } else {
    PriceLevel& level = this->level(price);
    slot.prev = level.tail;
    slots_[level.tail].next = s;
    level.tail = s;
    level.lots += lots;
  }

  std::int64_t& best = best_[idx(order.side)];
  if (better(order.side, price, best)) best = price;
  ++side_orders_[idx(order.side)];
  ++live_orders_;
  index_.insert(order.id.value, s);
  return s;
}

void Clob::unlink(std::uint32_t s) {
  Slot& slot = slots_[s];
  PriceLevel& level = this->level(slot.price);
  if (slot.prev == kNil) {
    level.head = slot.next;
  } else {
    slots_[slot.prev].next = slot.next;
  }
  if (slot.next == kNil) {
    level.tail = slot.prev;
  } else {
    slots_[slot.next].prev = slot.prev;
  }
  level.lots -= slot.lots;
  --side_orders_[idx(slot.side)];
  --live_orders_;
  if (level.head == kNil) {
    occupied_.erase(slot.price);
    close_level(slot.price);
    std::int64_t& best = best_[idx(slot.side)];
    if (best == slot.price) best = next_worse(slot.side, slot.price);
  }
  index_.erase(slot.id);
  slot.next = free_;
  free_ = s;
}

Clob::PriceLevel& Clob::open_level(std::int64_t price) {
  if (dense_) return levels_[static_cast<std::size_t>(price)];
  const std::uint32_t l = level_pool_.acquire();
  level_of_.insert(static_cast<std::uint64_t>(price), l);
  return level_pool_[l];
}

void Clob::close_level(std::int64_t price) {
  if (dense_) return;
  const auto key = static_cast<std::uint64_t>(price);
  const std::uint32_t l = level_of_.find(key);
  level_of_.erase(key);
  level_pool_.release(l);
}

// The book is never crossed, so every occupied price below the best bid is a bid and every
// occupied price above the best ask is an ask: one bitmap serves both sides.
std::int64_t Clob::next_worse(Side side, std::int64_t price) const {
  if (side_orders_[idx(side)] == 0) return no_price(side);
  if (side == Side::kBuy) return std::max<std::int64_t>(0, occupied_.at_or_below(price - 1));
  return std::min(ticks_per_unit_, occupied_.at_or_above(price + 1));
}

// ---------------------------------------------------------------------------------------------
// Window of recently received ids

bool Clob::id_in_window(std::uint64_t id) const {
  return id < id_horizon_ && id_horizon_ - id <= kIdWindow;
}

bool Clob::id_seen(std::uint64_t id) const {
  const std::uint64_t bit = id % kIdWindow;
  return id_in_window(id) && ((seen_[bit >> 6] >> (bit & 63)) & 1u) != 0;
}

void Clob::mark_seen(std::uint64_t id) {
  if (id >= id_horizon_) {
    // Ids entering the window reuse the bits of ids leaving it: clear them.
    if (id - id_horizon_ + 1 >= kIdWindow) {
      std::fill(seen_.begin(), seen_.end(), 0);
    } else {
      for (std::uint64_t k = id_horizon_; k <= id; ++k) {
        const std::uint64_t bit = k % kIdWindow;
        seen_[bit >> 6] &= ~(std::uint64_t{1} << (bit & 63));
      }
    }
    id_horizon_ = id + 1;
  } else if (!id_in_window(id)) {
    return;
  }
  const std::uint64_t bit = id % kIdWindow;
  seen_[bit >> 6] |= std::uint64_t{1} << (bit & 63);
}

// ---------------------------------------------------------------------------------------------
// Views

PublicView Clob::public_view() const {
  PublicView view;
  const std::int64_t bid = best_[idx(Side::kBuy)];
  const std::int64_t ask = best_[idx(Side::kSell)];
  if (bid != no_price(Side::kBuy)) {
    view.best_bid = Level{Price{bid}, Qty{level(bid).lots}};
  }
  if (ask != no_price(Side::kSell)) {
    view.best_ask = Level{Price{ask}, Qty{level(ask).lots}};
  }
  if (last_lots_ > 0) view.last_price = Price{last_price_};
  view.last_qty = Qty{last_lots_};
  return view;
}

BookSnapshot Clob::snapshot() const {
  BookSnapshot snap;
  snap.bids.reserve(side_orders_[idx(Side::kBuy)]);
  snap.asks.reserve(side_orders_[idx(Side::kSell)]);
  for (const Side side : {Side::kBuy, Side::kSell}) {
    auto& entries = side == Side::kBuy ? snap.bids : snap.asks;
    for (std::int64_t p = best_[idx(side)]; p != no_price(side); p = next_worse(side, p)) {
      for (std::uint32_t s = level(p).head; s != kNil; s = slots_[s].next) {
        const Slot& slot = slots_[s];
        entries.push_back(
            BookSnapshot::Entry{OrderId{slot.id}, slot.owner, Price{slot.price}, Qty{slot.lots}});
      }
    }
  }
  return snap;
}

}  // namespace proteus::engine
