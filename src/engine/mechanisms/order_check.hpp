// What every mechanism does alike with an incoming order: the common validity check, the
// Outcome about one order, and the set of ids already received.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/mechanisms/mechanism.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// The reject reason of `order` under the common rules, kNone when it passes: a limit or IOC
/// price outside (0, ticks_per_unit) -> kPriceOutOfRange, then a quantity outside
/// [1, max_order_lots] -> kBadQuantity. Duplicate ids and order kinds a mechanism does not
/// support are the caller's to check first.
inline Reason check_order(const OrderRequest& order, const MarketRules& rules) {
  if (order.kind != OrderKind::kMarket && !rules.valid_price(order.limit)) {
    return Reason::kPriceOutOfRange;
  }
  if (order.qty.lots < 1 || order.qty.lots > rules.max_order_lots) return Reason::kBadQuantity;
  return Reason::kNone;
}

/// An outcome about one order (no counterparty; `remaining` zero).
inline Outcome order_outcome(OutcomeKind kind, Reason reason, Side side, AgentId agent,
                             OrderId order, Price price, Qty qty) {
  Outcome o;
  o.kind = kind;
  o.reason = reason;
  o.side = side;
  o.agent = agent;
  o.order = order;
  o.price = price;
  o.qty = qty;
  return o;
}

/// Every order id a mechanism has received, one bit per id, for duplicate rejects and
/// "too late" cancel answers. Ids are dense from 1, so memory is one bit per order of the
/// run. (The CLOB keeps a bounded window instead: clob.hpp.)
class SeenIds {
 public:
  bool contains(std::uint64_t id) const {
    const std::uint64_t word = id / 64;
    return word < bits_.size() && ((bits_[word] >> (id % 64)) & 1u) != 0;
  }
  void insert(std::uint64_t id) {
    const std::uint64_t word = id / 64;
    if (word >= bits_.size()) {
      bits_.resize(std::max<std::size_t>(word + 1, 2 * bits_.size()), 0);
    }
    bits_[word] |= std::uint64_t{1} << (id % 64);
  }

 private:
  std::vector<std::uint64_t> bits_;
};

}  // namespace proteus::engine
