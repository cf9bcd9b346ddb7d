// The batch mechanism over clear_uniform: validation, cancels, batch timers, clears per flow
// group, trade reporting and compaction; shared by the frequent batch auction and dual-flow.
#include "engine/mechanisms/batch_auction.hpp"

#include <algorithm>
#include <cassert>

namespace proteus::engine {

BatchAuction::BatchAuction(const MarketRules& rules, const BatchParams& params, RandomStream rng)
    : rules_(rules),
      params_(params),
      clearing_{params.tie, params.allocation, rules.ticks_per_unit},
      rng_(rng),
      next_clear_(params.delta) {
  assert(params.delta.ns > 0 && "a batch must last at least 1 ns");
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
  index_.emplace(order.id.value, static_cast<std::uint32_t>(orders_.size()));
  orders_.push_back(BatchOrder{order.id, order.owner, order.side, order.kind, o.price,
                               order.qty.lots, next_seq_++});
  ++live_;
  o.kind = OutcomeKind::kAccepted;
  o.remaining = order.qty;
  out.push_back(o);
}

void BatchAuction::on_cancel(SimTime /*now*/, AgentId owner, OrderId id, Outcomes& out) {
  if (auto it = index_.find(id.value); it != index_.end()) {
    BatchOrder& order = orders_[it->second];
    if (order.owner != owner) {
      out.push_back(order_outcome(OutcomeKind::kCancelRejected, Reason::kUnknownOrder, Side::kBuy,
                                  owner, id, Price{}, Qty{}));
      return;
    }
    out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kUserCancel, order.side, owner, id,
                                order.limit, Qty{order.open}));
    order.open = 0;
    index_.erase(it);
    --live_;
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
  if (params_.flow == BatchFlow::kSingle && params_.tie == TieRule::kImbalanceMidpoint &&
      clear_crossing(previous, out)) {
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
    index_.erase(o.id.value);
    --live_;
  }
  compact();
}

bool BatchAuction::clear_crossing(std::optional<Price> previous, Outcomes& out) {
  // Limit orders only (otherwise the general path handles IOC and market remainders). A buy
  // below every sell, or a sell above every buy, accepts no price at which anything can trade,
  // so under this rule it changes neither the price, the volume nor the allocation; most
  // carried orders are such, so the clear looks only at the crossing region.
  std::int64_t highest_buy = -1;
  std::int64_t lowest_sell = rules_.ticks_per_unit + 1;
  for (const BatchOrder& o : orders_) {
    if (o.open == 0) continue;
    if (o.kind != OrderKind::kLimit) return false;
    if (o.side == Side::kBuy) {
      highest_buy = std::max(highest_buy, o.limit.ticks);
    } else {
      lowest_sell = std::min(lowest_sell, o.limit.ticks);
    }
  }
  if (highest_buy < lowest_sell) return true;  // nothing crosses
  auto& buys = groups_[0];
  auto& sells = groups_[1];
  buys.clear();
  sells.clear();
  for (std::uint32_t i = 0; i < orders_.size(); ++i) {
    const BatchOrder& o = orders_[i];
    if (o.open == 0) continue;
    if (o.side == Side::kBuy ? o.limit.ticks >= lowest_sell : o.limit.ticks <= highest_buy) {
      (o.side == Side::kBuy ? buys : sells).push_back(i);
    }
  }
  opposite_empty_.resize(orders_.size());  // written for the group members before any read
  clear_group(buys, sells, previous, out);
  return true;
}

void BatchAuction::clear_group(const std::vector<std::uint32_t>& buys,
                               const std::vector<std::uint32_t>& sells,
                               std::optional<Price> previous, Outcomes& out) {
  for (std::uint32_t i : buys) opposite_empty_[i] = sells.empty() ? 1 : 0;
  for (std::uint32_t i : sells) opposite_empty_[i] = buys.empty() ? 1 : 0;
  if (buys.empty() || sells.empty()) return;
  buy_scratch_.clear();
  sell_scratch_.clear();
  for (std::uint32_t i : buys) buy_scratch_.push_back(orders_[i]);
  for (std::uint32_t i : sells) sell_scratch_.push_back(orders_[i]);
  clear_uniform(buy_scratch_, sell_scratch_, clearing_, previous, rng_, clearing_result_, scratch_);
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
      if (orders_[i].open != 0) continue;
      index_.erase(orders_[i].id.value);
      --live_;
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
  std::size_t w = 0;
  for (std::size_t r = 0; r < orders_.size(); ++r) {
    if (orders_[r].open == 0) continue;
    if (w != r) {
      orders_[w] = orders_[r];
      index_[orders_[w].id.value] = static_cast<std::uint32_t>(w);
    }
    ++w;
  }
  orders_.resize(w);
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
