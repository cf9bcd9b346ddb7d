// Exact double-entry accounting of trades and fees.
#include "engine/ledger.hpp"

#include <fmt/format.h>

namespace proteus::engine {

InvariantViolation::InvariantViolation(std::uint64_t event_id, const std::string& what)
    : std::runtime_error(fmt::format("event {}: {}", event_id, what)), event_id_(event_id) {}

Ledger::Ledger(std::size_t agents, MarketRules rules, Fees fees)
    : rules_(rules), fees_(fees), accounts_(agents) {}

void Ledger::apply_trade(std::uint64_t event_id, AgentId buyer, AgentId seller, AgentId maker,
                         Price price, Qty qty) {
  if (buyer.value >= accounts_.size() || seller.value >= accounts_.size()) {
    throw InvariantViolation(
        event_id, fmt::format("trade between unknown agents {} and {}", buyer.value, seller.value));
  }
  if (qty.lots <= 0 || !rules_.valid_price(price)) {
    throw InvariantViolation(
        event_id, fmt::format("trade of {} lots at {} ticks is not valid", qty.lots, price.ticks));
  }
  const Cash notional = rules_.notional(price, qty);
  const Cash buyer_fee{(buyer == maker ? fees_.maker_per_lot : fees_.taker_per_lot).micros *
                       qty.lots};
  const Cash seller_fee{(seller == maker ? fees_.maker_per_lot : fees_.taker_per_lot).micros *
                        qty.lots};
  Account& b = accounts_[buyer.value];
  Account& s = accounts_[seller.value];
  const Cash buyer_delta = -notional - buyer_fee;
  const Cash seller_delta = notional - seller_fee;
  const Cash venue_delta = buyer_fee + seller_fee;
  if ((buyer_delta + seller_delta + venue_delta).micros != 0) {
    throw InvariantViolation(event_id, "cash transfer of a trade is not zero-sum");
  }
  b.cash = b.cash + buyer_delta;
  s.cash = s.cash + seller_delta;
  venue_ = venue_ + venue_delta;
  b.fees_paid = b.fees_paid + buyer_fee;
  s.fees_paid = s.fees_paid + seller_fee;
  b.trade_pnl_basis = b.trade_pnl_basis - notional;
  s.trade_pnl_basis = s.trade_pnl_basis + notional;
  b.inventory_lots += qty.lots;
  s.inventory_lots -= qty.lots;
  ++b.fills;
  ++s.fills;
}

void Ledger::check(std::uint64_t event_id) const {
  std::int64_t inventory = 0;
  Cash cash = venue_;
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    const Account& a = accounts_[i];
    inventory += a.inventory_lots;
    cash = cash + a.cash;
    if (a.cash != a.trade_pnl_basis - a.fees_paid) {
      throw InvariantViolation(
          event_id, fmt::format("agent {}: cash {} != trade cash {} - fees {}", i, a.cash.micros,
                                a.trade_pnl_basis.micros, a.fees_paid.micros));
    }
  }
  if (inventory != 0) {
    throw InvariantViolation(event_id, fmt::format("inventories sum to {} lots, not 0", inventory));
  }
  if (cash.micros != 0) {
    throw InvariantViolation(event_id, fmt::format("cash and fees sum to {}, not 0", cash.micros));
  }
}

Cash Ledger::marked_pnl(AgentId agent, Price mark) const {
  const Account& a = account(agent);
  return a.cash + rules_.notional(mark, Qty{a.inventory_lots});
}

}  // namespace proteus::engine
