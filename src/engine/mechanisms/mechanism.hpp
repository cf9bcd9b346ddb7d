// The mechanism interface: intents in, outcomes out as data in a caller-owned buffer.
// The simulation dispatches outcomes to agents after the call returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/types.hpp"

namespace proteus::engine {

/// Trading rules shared by every mechanism of a run.
struct MarketRules {
  std::int64_t ticks_per_unit = 1000;         ///< price ticks in one unit of payoff (tick = 1/1000)
  std::int64_t cash_per_tick_lot = 1000;      ///< micro-units of cash for one lot moved by one tick
  std::int64_t max_order_lots = 1000;         ///< larger orders are rejected
  std::int64_t cash_per_unit = kCashPerUnit;  ///< cash units in one unit of payoff

  /// Exact cash of `qty` lots at `price`.
  constexpr Cash notional(Price price, Qty qty) const {
    return Cash{price.ticks * cash_per_tick_lot * qty.lots};
  }
  /// Whether a limit price lies strictly inside (0, 1).
  constexpr bool valid_price(Price p) const { return p.ticks > 0 && p.ticks < ticks_per_unit; }
};

/// An order as it reaches the mechanism. Market orders carry no price (kind says so).
struct OrderRequest {
  OrderId id;
  AgentId owner;
  Side side = Side::kBuy;
  OrderKind kind = OrderKind::kLimit;
  Price limit;
  Qty qty;
};

/// One leg of a multi-leg message: cancel `cancel` when it is set (nonzero), then enter
/// `order` when `enter` is true. `order.owner` is the sender for both parts.
struct MessageLeg {
  OrderId cancel;
  bool enter = false;
  OrderRequest order;
};

/// Most legs one message carries: a two-sided quote update (bid and ask).
inline constexpr std::size_t kMaxMessageLegs = 2;

enum class OutcomeKind : std::uint8_t {
  kAccepted = 0,        ///< order entered the book (resting part: qty = resting lots)
  kRejected = 1,        ///< order refused; reason says why
  kTrade = 2,           ///< a match between the taker `order` and the resting `counter_order`
  kCancelled = 3,       ///< open lots removed; reason: user cancel, self-trade, IOC remainder
  kCancelRejected = 4,  ///< a cancel could not be applied; reason too_late or unknown_order
  /// RFQ only: `agent` (a dealer) is asked for a firm quote on request `order` (the taker's
  /// order id) for `qty` lots on taker side `side`. The simulation asks the dealer at once
  /// (Agent::quote_for) and hands the answer back through Mechanism::on_quote.
  kQuoteRequest = 5,
};

enum class Reason : std::uint8_t {
  kNone = 0,
  kPriceOutOfRange = 1,  ///< limit price not strictly inside (0, ticks_per_unit)
  kBadQuantity = 2,      ///< qty < 1 or above max_order_lots
  kDuplicateOrderId = 3,
  kUserCancel = 4,
  kSelfTrade = 5,     ///< resting order cancelled because its owner's incoming order would hit it
  kUnfilledIoc = 6,   ///< remainder of an IOC or market order
  kTooLate = 7,       ///< cancel arrived after the order filled completely
  kUnknownOrder = 8,  ///< cancel for an order the mechanism never saw or another agent owns
  kNoLiquidity = 9,   ///< market order met an empty opposite side
  kExpired = 10,      ///< RFQ: no dealer quote was valid and acceptable when the taker decided
  kUnsupportedOrder = 11,  ///< the mechanism has no use for this order kind (limit under RFQ)
};

constexpr const char* to_string(Reason r) {
  switch (r) {
    case Reason::kNone:
      return "none";
    case Reason::kPriceOutOfRange:
      return "price_out_of_range";
    case Reason::kBadQuantity:
      return "bad_quantity";
    case Reason::kDuplicateOrderId:
      return "duplicate_order_id";
    case Reason::kUserCancel:
      return "user_cancel";
    case Reason::kSelfTrade:
      return "self_trade";
    case Reason::kUnfilledIoc:
      return "unfilled_ioc";
    case Reason::kTooLate:
      return "too_late";
    case Reason::kUnknownOrder:
      return "unknown_order";
    case Reason::kNoLiquidity:
      return "no_liquidity";
    case Reason::kExpired:
      return "expired";
    case Reason::kUnsupportedOrder:
      return "unsupported_order";
  }
  return "?";
}

/// One result of a mechanism call. For kTrade, (agent, order, side) is the taker and
/// (counter_agent, counter_order) the resting maker; `remaining` and `counter_remaining`
/// are the open lots of each after the trade. For other kinds the counter fields are unused.
struct Outcome {
  OutcomeKind kind = OutcomeKind::kAccepted;
  Reason reason = Reason::kNone;
  Side side = Side::kBuy;
  AgentId agent;
  OrderId order;
  Price price;
  Qty qty;
  Qty remaining;
  AgentId counter_agent;
  OrderId counter_order;
  Qty counter_remaining;
};

/// Caller-owned buffer that mechanism calls append to; cleared by the caller.
using Outcomes = std::vector<Outcome>;

/// Best price and the lots at it on one side of a book.
struct Level {
  Price price;
  Qty qty;
  friend bool operator==(const Level&, const Level&) = default;
};

/// What the mechanism publishes to every agent (its leakage policy): for a CLOB the top of
/// book, for a batch auction only the last clearing price and volume.
struct PublicView {
  std::optional<Level> best_bid;
  std::optional<Level> best_ask;
  std::optional<Price> last_price;
  Qty last_qty;
  bool shows_book = true;  ///< false when the mechanism never publishes a book (batch, RFQ)
  friend bool operator==(const PublicView&, const PublicView&) = default;
};

/// Every resting order, for replay checks and depth metrics: bids best first, asks best first,
/// each level's orders in priority order.
struct BookSnapshot {
  struct Entry {
    OrderId id;
    AgentId owner;
    Price price;
    Qty qty;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::vector<Entry> bids;
  std::vector<Entry> asks;
  friend bool operator==(const BookSnapshot&, const BookSnapshot&) = default;
};

/// A market mechanism. Calls never throw for bad orders: they append kRejected outcomes.
class Mechanism {
 public:
  virtual ~Mechanism() = default;

  /// Short stable name ("clob", "fba", ...).
  virtual std::string_view name() const = 0;
  /// Accepts, matches or rejects an order arriving at `now`.
  virtual void on_order(SimTime now, const OrderRequest& order, Outcomes& out) = 0;
  /// Cancels the open part of `id` if `owner` owns it; kCancelRejected otherwise.
  virtual void on_cancel(SimTime now, AgentId owner, OrderId id, Outcomes& out) = 0;
  /// A message of one or more legs (a cancel/replace, a two-sided quote update), applied in
  /// order within one call, so no view is published between its parts. A leg's new order
  /// stands whether or not its cancel succeeded.
  virtual void on_message(SimTime now, std::span<const MessageLeg> legs, Outcomes& out) {
    for (const MessageLeg& leg : legs) {
      if (leg.cancel.value != 0) on_cancel(now, leg.order.owner, leg.cancel, out);
      if (leg.enter) on_order(now, leg.order, out);
    }
  }
  /// Whether next_timer can ever return a time; false lets the simulation skip asking after
  /// every call (a CLOB).
  virtual bool has_timers() const { return true; }
  /// Whether the timers are a fixed clock (batch ends) rather than deadlines of work in
  /// flight (RFQ responses): run.after_horizon = "drain" runs deadlines after the horizon but
  /// no clock timers, so a batch mechanism clears nothing after the horizon.
  virtual bool clock_timers() const { return false; }
  /// Next time the mechanism needs on_timer (batch clears); none for a CLOB.
  virtual std::optional<SimTime> next_timer() const { return std::nullopt; }
  /// Runs the scheduled work due at `now`.
  virtual void on_timer(SimTime /*now*/, Outcomes& /*out*/) {}
  /// Whether orders wait for on_settle, called once at the end of the arrivals of the instant
  /// (after every call the simulation asks, and schedules one settle per instant).
  virtual bool settle_pending() const { return false; }
  /// Crosses what arrived at `now` (a CLOB with market.crossing = "end_of_instant").
  virtual void on_settle(SimTime /*now*/, Outcomes& /*out*/) {}
  /// A dealer's answer to a kQuoteRequest emitted at `now`: a firm price for the whole request,
  /// or nullopt when the dealer declines. Only RFQ mechanisms use it; outcomes follow on timers.
  virtual void on_quote(SimTime /*now*/, AgentId /*dealer*/, OrderId /*request*/,
                        std::optional<Price> /*quote*/) {}
  /// The public view agents may see (after their market-data delay).
  virtual PublicView public_view() const = 0;
  /// Every resting order.
  virtual BookSnapshot snapshot() const = 0;
};

}  // namespace proteus::engine
