// The batch mechanism over clear_uniform: validation, cancels, batch timers, clears per flow
// group, trade reporting and compaction; shared by the frequent batch auction and dual-flow.
#include "engine/mechanisms/batch_auction.hpp"

#include <algorithm>
#include <cassert>

#include "engine/mechanisms/predecessor_clearing.hpp"

namespace proteus::engine {

BatchAuction::BatchAuction(const MarketRules& rules, const BatchParams& params, RandomStream rng)
    : rules_(rules),
      params_(params),
      clearing_{params.tie, params.allocation, rules.ticks_per_unit},
      rng_(rng),
      next_clear_(params.delta),
      sorted_(params.flow == BatchFlow::kSingle) {
  assert(params.delta.ns > 0 && "a batch must last at least 1 ns");
}

namespace {

// Bids best (highest) first, asks best (lowest) first; arrival order within a price. Written
// without branches: the searches below compare against unpredictable prices.
template <Side S, typename R>
bool better(const R& a, const R& b) {
  const bool price = S == Side::kBuy ? a.limit > b.limit : a.limit < b.limit;
  return price | ((a.limit == b.limit) & (a.seq < b.seq));
}

// Branch-free binary searches (the new position of a price is unpredictable, so a branchy
// search mispredicts about every other step): upper_bound and lower_bound under better<S>.
template <Side S, typename R>
std::size_t first_worse(const std::vector<R>& side, const R& r) {
  if (side.empty()) return 0;
  const R* base = side.data();
  for (std::size_t len = side.size(); len > 1;) {
    const std::size_t half = len / 2;
    base = better<S>(r, base[half]) ? base : base + half;
    len -= half;
  }
  return static_cast<std::size_t>(base - side.data()) + (better<S>(r, *base) ? 0 : 1);
}

template <Side S, typename R>
std::size_t position_of(const std::vector<R>& side, const R& r) {
  const R* base = side.data();
  for (std::size_t len = side.size(); len > 1;) {
    const std::size_t half = len / 2;
    base = better<S>(base[half], r) ? base + half : base;
    len -= half;
  }
  return static_cast<std::size_t>(base - side.data()) + (better<S>(*base, r) ? 1 : 0);
}

template <Side S, typename R>
void sorted_insert(std::vector<R>& side, const R& r) {
  side.insert(side.begin() + static_cast<std::ptrdiff_t>(first_worse<S>(side, r)), r);
}

template <Side S, typename R>
void sorted_erase(std::vector<R>& side, const R& r) {
  const auto it = side.begin() + static_cast<std::ptrdiff_t>(position_of<S>(side, r));
  assert(it != side.end() && it->seq == r.seq && "BatchAuction: resting order not listed");
  side.erase(it);
}

}  // namespace

void BatchAuction::close(const BatchOrder& order) {
  index_.erase(order.id.value);
  --live_;
  if (order.kind != OrderKind::kLimit) {
    --open_non_limit_;
  } else if (sorted_) {
    const Resting r{order.limit.ticks, order.seq, 0};
    if (order.side == Side::kBuy) {
      sorted_erase<Side::kBuy>(bids_, r);
    } else {
      sorted_erase<Side::kSell>(asks_, r);
    }
  }
}

std::string_view BatchAuction::name() const {
  return params_.flow == BatchFlow::kDualFlow ? "dual_flow" : "fba";
}

void BatchAuction::on_order(SimTime /*now*/, const OrderRequest& order, Outcomes& out) {
  const Reason reason =
      seen_.contains(order.id.value) ? Reason::kDuplicateOrderId : check_order(order, rules_);
  seen_.insert(order.id.value);
  Outcome o = order_outcome(
      reason == Reason::kNone ? OutcomeKind::kAccepted : OutcomeKind::kRejected, reason, order.side,
      order.owner, order.id, order.kind == OrderKind::kMarket ? Price{} : order.limit, order.qty);
  if (reason != Reason::kNone) {
    out.push_back(o);
    return;
  }
  index_.insert(order.id.value, static_cast<std::uint32_t>(orders_.size()));
  orders_.push_back(BatchOrder{order.id, order.owner, order.side, order.kind, o.price,
                               order.qty.lots, next_seq_++});
  ++live_;
  const BatchOrder& added = orders_.back();
  if (added.kind != OrderKind::kLimit) {
    ++open_non_limit_;
  } else if (sorted_) {
    const Resting r{added.limit.ticks, added.seq, static_cast<std::uint32_t>(orders_.size() - 1)};
    if (added.side == Side::kBuy) {
      sorted_insert<Side::kBuy>(bids_, r);
    } else {
      sorted_insert<Side::kSell>(asks_, r);
    }
  }
  o.kind = OutcomeKind::kAccepted;
  o.remaining = order.qty;
  out.push_back(o);
}

void BatchAuction::on_cancel(SimTime /*now*/, AgentId owner, OrderId id, Outcomes& out) {
  if (const std::uint32_t at = index_.find(id.value); at != IdIndex::kNil) {
    BatchOrder& order = orders_[at];
    if (order.owner != owner) {
      out.push_back(order_outcome(OutcomeKind::kCancelRejected, Reason::kUnknownOrder, Side::kBuy,
                                  owner, id, Price{}, Qty{}));
      return;
    }
    out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kUserCancel, order.side, owner, id,
                                order.limit, Qty{order.open}));
    order.open = 0;
    close(order);
    return;
  }
  const Reason reason = seen_.contains(id.value) ? Reason::kTooLate : Reason::kUnknownOrder;
  out.push_back(
      order_outcome(OutcomeKind::kCancelRejected, reason, Side::kBuy, owner, id, Price{}, Qty{}));
}

void BatchAuction::on_timer(SimTime now, Outcomes& out) {
  if (now < next_clear_) return;
  next_clear_ = next_clear_ + params_.delta;
  if (live_ == 0) return;
  const std::optional<Price> previous = last_price_;
  if (sorted_ && clear_crossing(previous, out)) {
    compact();
    return;
  }
  opposite_empty_.assign(orders_.size(), 0);
  auto& groups = groups_;
  for (auto& g : groups) g.clear();
  for (std::uint32_t i = 0; i < orders_.size(); ++i) {
    const BatchOrder& o = orders_[i];
    if (o.open == 0) continue;
    const bool taker = params_.flow == BatchFlow::kDualFlow && !is_maker_flow(o.kind);
    groups[(taker ? 2 : 0) + (o.side == Side::kSell ? 1 : 0)].push_back(i);
  }
  if (params_.flow == BatchFlow::kSingle) {
    clear_group(groups[0], groups[1], previous, out);
  } else {
    clear_group(groups[2], groups[1], previous, out);  // buy takers x maker asks
    clear_group(groups[0], groups[3], previous, out);  // maker bids x sell takers
  }
  // Open lots of IOC and market orders end with their batch.
  for (std::uint32_t i = 0; i < orders_.size(); ++i) {
    BatchOrder& o = orders_[i];
    if (o.open == 0 || o.kind == OrderKind::kLimit) continue;
    const Reason reason = o.kind == OrderKind::kMarket && opposite_empty_[i] != 0
                              ? Reason::kNoLiquidity
                              : Reason::kUnfilledIoc;
    out.push_back(order_outcome(OutcomeKind::kCancelled, reason, o.side, o.owner, o.id, o.limit,
                                Qty{o.open}));
    o.open = 0;
    close(o);
  }
  compact();
}

bool BatchAuction::clear_crossing(std::optional<Price> previous, Outcomes& out) {
  // Limit orders only (otherwise the general path handles IOC and market remainders). A buy
  // below every sell, or a sell above every buy, accepts no price at which anything can trade:
  // it adds nothing to D(p) or S(p) where the other is positive, so under every tie rule it
  // changes neither the price, the volume nor the allocation; most carried orders are such, so
  // the clear reads only the crossing region: a prefix of each price-sorted side.
  assert(sorted_ && "clear_crossing needs the price-sorted sides");
  if (open_non_limit_ != 0) return false;
  if (bids_.empty() || asks_.empty()) return true;
  const std::int64_t highest_buy = bids_.front().limit;
  const std::int64_t lowest_sell = asks_.front().limit;
  if (highest_buy < lowest_sell) return true;  // nothing crosses
  auto& buys = groups_[0];
  auto& sells = groups_[1];
  buys.clear();
  sells.clear();
  for (const Resting& r : bids_) {
    if (r.limit < lowest_sell) break;
    buys.push_back(r.position);
  }
  for (const Resting& r : asks_) {
    if (r.limit > highest_buy) break;
    sells.push_back(r.position);
  }
  if (params_.tie != TieRule::kImbalanceMidpoint) {
    // The general clear over the region, in arrival (time) order.
    std::sort(buys.begin(), buys.end());
    std::sort(sells.begin(), sells.end());
    opposite_empty_.resize(orders_.size());  // written for the group members before any read
    clear_group(buys, sells, previous, out);
    return true;
  }
  bid_levels_.clear();
  ask_levels_.clear();
  for (std::size_t i = 0; i < buys.size(); ++i) {
    bid_levels_.emplace_back(bids_[i].limit, orders_[buys[i]].open);
  }
  for (std::size_t i = 0; i < sells.size(); ++i) {
    ask_levels_.emplace_back(asks_[i].limit, orders_[sells[i]].open);
  }
  const auto chosen = imbalance_midpoint_price_sorted(bid_levels_, ask_levels_, scratch_.buy_limits,
                                                      scratch_.starts);
  if (!chosen) return true;
  // Only orders that accept the price can fill: the buys at or above it and the sells at or
  // below it, again prefixes. Allocation and pairing take them in arrival (time) order, as the
  // general path does (it gives every other order 0 lots).
  const std::int64_t price = chosen->first;
  std::size_t eligible = 0;
  while (eligible < buys.size() && bids_[eligible].limit >= price) ++eligible;
  buys.resize(eligible);
  eligible = 0;
  while (eligible < sells.size() && asks_[eligible].limit <= price) ++eligible;
  sells.resize(eligible);
  std::sort(buys.begin(), buys.end());
  std::sort(sells.begin(), sells.end());
  load_group(buys, sells);
  clear_at(buy_scratch_, sell_scratch_, Price{price}, chosen->second, clearing_, rng_,
           clearing_result_, scratch_);
  report_group(buys, sells, out);
  return true;
}

void BatchAuction::load_group(const std::vector<std::uint32_t>& buys,
                              const std::vector<std::uint32_t>& sells) {
  buy_scratch_.clear();
  sell_scratch_.clear();
  for (std::uint32_t i : buys) buy_scratch_.push_back(orders_[i]);
  for (std::uint32_t i : sells) sell_scratch_.push_back(orders_[i]);
}

void BatchAuction::clear_group(const std::vector<std::uint32_t>& buys,
                               const std::vector<std::uint32_t>& sells,
                               std::optional<Price> previous, Outcomes& out) {
  for (std::uint32_t i : buys) opposite_empty_[i] = sells.empty() ? 1 : 0;
  for (std::uint32_t i : sells) opposite_empty_[i] = buys.empty() ? 1 : 0;
  if (buys.empty() || sells.empty()) return;
  load_group(buys, sells);
  clear_uniform(buy_scratch_, sell_scratch_, clearing_, previous, rng_, clearing_result_, scratch_);
  report_group(buys, sells, out);
}

void BatchAuction::report_group(const std::vector<std::uint32_t>& buys,
                                const std::vector<std::uint32_t>& sells, Outcomes& out) {
  const Clearing& c = clearing_result_;
  if (c.volume == 0) return;
  for (const Clearing::Match& m : c.matches) {
    BatchOrder& b = orders_[buys[m.buy]];
    BatchOrder& s = orders_[sells[m.sell]];
    b.open -= m.lots;
    s.open -= m.lots;
    // The order that reached the mechanism first is the maker.
    const bool buy_is_maker = b.seq < s.seq;
    const BatchOrder& maker = buy_is_maker ? b : s;
    const BatchOrder& taker = buy_is_maker ? s : b;
    Outcome t = order_outcome(OutcomeKind::kTrade, Reason::kNone, taker.side, taker.owner, taker.id,
                              *c.price, Qty{m.lots});
    t.remaining = Qty{taker.open};
    t.counter_agent = maker.owner;
    t.counter_order = maker.id;
    t.counter_remaining = Qty{maker.open};
    out.push_back(t);
  }
  for (const auto* group : {&buys, &sells}) {
    for (std::uint32_t i : *group) {
      if (orders_[i].open == 0) close(orders_[i]);
    }
  }
  last_price_ = c.price;
  last_lots_ = c.volume;
}

void BatchAuction::compact() {
  // Dead entries are skipped everywhere; compacting (which rewrites the index of every moved
  // order) only once they are at least half of the vector keeps it O(1) amortised per order
  // when most orders rest for many batches. Compacting keeps arrival order either way.
  if (2 * (orders_.size() - live_) < orders_.size()) return;
  if (sorted_) moved_to_.resize(orders_.size());
  std::size_t w = 0;
  for (std::size_t r = 0; r < orders_.size(); ++r) {
    if (orders_[r].open == 0) continue;
    if (w != r) {
      orders_[w] = orders_[r];
      index_.update(orders_[w].id.value, static_cast<std::uint32_t>(w));
    }
    if (sorted_) moved_to_[r] = static_cast<std::uint32_t>(w);
    ++w;
  }
  orders_.resize(w);
  if (!sorted_) return;
  for (auto* side : {&bids_, &asks_}) {
    for (Resting& r : *side) r.position = moved_to_[r.position];
  }
}

PublicView BatchAuction::public_view() const {
  PublicView v;
  v.shows_book = false;
  v.last_price = last_price_;
  v.last_qty = Qty{last_lots_};
  return v;
}

BookSnapshot BatchAuction::snapshot() const {
  BookSnapshot s;
  for (const BatchOrder& o : orders_) {
    if (o.open == 0) continue;
    auto& side = o.side == Side::kBuy ? s.bids : s.asks;
    side.push_back({o.id, o.owner, o.limit, Qty{o.open}});
  }
  // Best price first, then arrival order (orders_ is in arrival order and the sort is stable).
  std::stable_sort(s.bids.begin(), s.bids.end(),
                   [](const auto& a, const auto& b) { return a.price > b.price; });
  std::stable_sort(s.asks.begin(), s.asks.end(),
                   [](const auto& a, const auto& b) { return a.price < b.price; });
  return s;
}

}  // namespace proteus::engine
