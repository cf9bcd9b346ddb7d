// RFQ: dealer selection, firm quotes, TTL and response latency enforced on the mechanism's
// own timers.
#include "engine/mechanisms/rfq.hpp"

#include <algorithm>
#include <cassert>

namespace proteus::engine {

Rfq::Rfq(const MarketRules& rules, RfqParams params) : rules_(rules), params_(std::move(params)) {
  assert(params_.competition >= 1 && "an RFQ asks at least one dealer");
  assert(params_.response.ns >= 0 && params_.ttl.ns > 0);
}

void Rfq::on_order(SimTime now, const OrderRequest& order, Outcomes& out) {
  const Reason reason = seen_.contains(order.id.value)    ? Reason::kDuplicateOrderId
                        : order.kind == OrderKind::kLimit ? Reason::kUnsupportedOrder
                                                          : check_order(order, rules_);
  seen_.insert(order.id.value);
  Outcome o = order_outcome(OutcomeKind::kRejected, reason, order.side, order.owner, order.id,
                            order.kind == OrderKind::kMarket ? Price{} : order.limit, order.qty);
  if (o.reason != Reason::kNone) {
    out.push_back(o);
    return;
  }
  const std::size_t n_dealers = params_.dealers.size();
  if (n_dealers == 0) {
    o.kind = OutcomeKind::kCancelled;
    o.reason = Reason::kNoLiquidity;
    out.push_back(o);
    return;
  }
  const std::size_t asked =
      std::min<std::size_t>(n_dealers, static_cast<std::size_t>(params_.competition));
  const std::size_t start = request_count_++ % n_dealers;
  Request r{order, now, now + params_.response, {}, true};
  r.quotes.reserve(asked);
  for (std::size_t k = 0; k < asked; ++k) {
    const AgentId dealer = params_.dealers[(start + k) % n_dealers];
    r.quotes.push_back(Quote{dealer, std::nullopt, now});
    out.push_back(order_outcome(OutcomeKind::kQuoteRequest, Reason::kNone, order.side, dealer,
                                order.id, Price{}, order.qty));
  }
  index_.emplace(order.id.value, popped_ + requests_.size());
  requests_.push_back(std::move(r));
}

void Rfq::on_quote(SimTime now, AgentId dealer, OrderId request, std::optional<Price> quote) {
  const auto it = index_.find(request.value);
  if (it == index_.end()) return;
  Request& r = requests_[it->second - popped_];
  for (Quote& q : r.quotes) {
    if (q.dealer == dealer) {
      // A quote outside (0, 1) is no quote: the dealer cannot trade there.
      if (quote && rules_.valid_price(*quote)) q.price = quote;
      q.issued = now;
      return;
    }
  }
}

void Rfq::on_cancel(SimTime /*now*/, AgentId owner, OrderId id, Outcomes& out) {
  if (const auto it = index_.find(id.value); it != index_.end()) {
    Request& r = requests_[it->second - popped_];
    if (r.order.owner != owner) {
      out.push_back(order_outcome(OutcomeKind::kCancelRejected, Reason::kUnknownOrder, Side::kBuy,
                                  owner, id, Price{}, Qty{}));
      return;
    }
    out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kUserCancel, r.order.side, owner,
                                id, r.order.kind == OrderKind::kMarket ? Price{} : r.order.limit,
                                r.order.qty));
    r.live = false;
    index_.erase(it);
    return;
  }
  const Reason reason = seen_.contains(id.value) ? Reason::kTooLate : Reason::kUnknownOrder;
  out.push_back(
      order_outcome(OutcomeKind::kCancelRejected, reason, Side::kBuy, owner, id, Price{}, Qty{}));
}

std::optional<SimTime> Rfq::next_timer() const {
  if (requests_.empty()) return std::nullopt;
  return requests_.front().decide;
}

void Rfq::on_timer(SimTime now, Outcomes& out) {
  while (!requests_.empty() && requests_.front().decide <= now) {
    Request r = std::move(requests_.front());
    requests_.pop_front();
    ++popped_;
    if (!r.live) continue;
    index_.erase(r.order.id.value);
    const OrderRequest& o = r.order;
    const Quote* best = nullptr;
    for (const Quote& q : r.quotes) {
      if (!q.price || now >= q.issued + params_.ttl) continue;  // declined or no longer firm
      if (o.kind == OrderKind::kIoc &&
          (o.side == Side::kBuy ? q.price->ticks > o.limit.ticks : q.price->ticks < o.limit.ticks))
        continue;
      const bool better = best == nullptr || (o.side == Side::kBuy ? *q.price < *best->price
                                                                   : *q.price > *best->price);
      if (better) best = &q;
    }
    if (best == nullptr) {
      out.push_back(order_outcome(OutcomeKind::kCancelled, Reason::kExpired, o.side, o.owner, o.id,
                                  o.kind == OrderKind::kMarket ? Price{} : o.limit, o.qty));
      continue;
    }
    // The dealer's side of the trade has no order id: a quote is not an order.
    Outcome t = order_outcome(OutcomeKind::kTrade, Reason::kNone, o.side, o.owner, o.id,
                              *best->price, o.qty);
    t.counter_agent = best->dealer;
    out.push_back(t);
    last_price_ = t.price;
    last_lots_ = o.qty.lots;
  }
}

PublicView Rfq::public_view() const {
  PublicView v;
  v.shows_book = false;
  v.last_price = last_price_;
  v.last_qty = Qty{last_lots_};
  return v;
}

}  // namespace proteus::engine
