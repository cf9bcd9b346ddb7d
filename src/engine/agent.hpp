// The agent interface: agents see the world through AgentContext and emit intents
// (orders, cancels, wake-ups); the simulation applies latency and delivers notices.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/mechanisms/mechanism.hpp"
#include "engine/rng.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// What an agent learns about one of its own orders, after the notification delay.
struct Notice {
  enum class Kind : std::uint8_t { kAccepted, kRejected, kFill, kCancelled, kCancelRejected };
  Kind kind = Kind::kAccepted;
  OrderId order;
  Side side = Side::kBuy;
  Price price;    ///< fill price, or the order's limit
  Qty qty;        ///< filled, resting or cancelled lots
  Qty remaining;  ///< open lots of the order after this notice
  Reason reason = Reason::kNone;
  bool maker = false;  ///< for fills: the order was resting
  /// For fills: the agent is on both sides of the trade (self-trade allowed); it gets one
  /// notice per side, the taker's first.
  bool self_trade = false;
};

/// The two prices of a market maker's quotes as the traders see them.
struct QuotePair {
  Price bid;
  Price ask;
};

/// Agent classes; the market-maker class is what MM metrics aggregate over.
enum class Role : std::uint8_t { kMarketMaker, kInformed, kNoise, kSniper };

/// The services the simulation offers an agent during a callback.
class AgentContext {
 public:
  virtual ~AgentContext() = default;
  /// Current simulated time.
  virtual SimTime now() const = 0;
  /// End of the run.
  virtual SimTime horizon() const = 0;
  /// The agent's own delayed, noisy signal of the latent probability (draws signal noise).
  virtual double signal() = 0;
  /// The public view as the agent knows it now: as published one market-data delay ago.
  virtual const PublicView& view() = 0;
  /// Trading rules (tick and lot size).
  virtual const MarketRules& rules() const = 0;
  /// Contracts per lot.
  virtual double lot_size() const = 0;
  /// The agent's decision stream (sides, sizes, activity).
  virtual RandomStream& rng() = 0;
  /// The agent's arrival stream (times of Poisson arrivals), separate so decisions never
  /// shift arrival times.
  virtual RandomStream& arrival_rng() = 0;
  /// Sends an order; it reaches the mechanism after the submission delay.
  virtual OrderId submit(Side side, OrderKind kind, Price limit, Qty qty) = 0;
  /// Sends a cancel; it reaches the mechanism after the submission delay.
  virtual void cancel(OrderId id) = 0;
  /// Starts a message of `count` legs (1 .. kMaxMessageLegs; more throws
  /// std::invalid_argument), default-initialised, for the agent to fill in place before
  /// send_message() (valid until then). Legs are filled where they are sent from: copying a
  /// just-written struct costs a store-forwarding stall per leg.
  virtual std::span<MessageLeg> compose(std::size_t count) = 0;
  /// Sends the composed message: one submission delay, one arrival, the legs applied in order
  /// by Mechanism::on_message (a cancel/replace of one order, or a two-sided quote update).
  /// Sets each leg's order.owner, and order.id of legs that enter an order (readable in the
  /// composed span until the next compose).
  virtual void send_message() = 0;
  /// Asks for on_decision at `time` (>= now).
  virtual void wake_at(SimTime time) = 0;
  /// The quotes the first market maker posted at its last decision strictly before now (a
  /// side it stopped quoting keeps its earlier price), its initial reference quotes before
  /// its first decision, or nullopt without a market maker (the predecessor's quote event).
  virtual std::optional<QuotePair> market_maker_quotes() { return std::nullopt; }
};

/// A trading agent. Callbacks run inside the event loop and must not throw for model outcomes.
class Agent {
 public:
  virtual ~Agent() = default;
  virtual Role role() const = 0;
  /// Called once at time 0; schedules the first decision.
  virtual void on_start(AgentContext& ctx) = 0;
  /// A scheduled decision.
  virtual void on_decision(AgentContext& ctx) = 0;
  /// A notice about one of the agent's orders.
  virtual void on_notice(AgentContext& /*ctx*/, const Notice& /*notice*/) {}
  /// Whether notices of this kind and reason are delivered at all (asked once per pair, at
  /// construction): an agent that ignores them spares the run their events and latency draws.
  virtual bool wants_notice(Notice::Kind /*kind*/, Reason /*reason*/) const { return true; }
  /// A public view update (only for agents whose subscribes_market_data() is true).
  virtual void on_market_data(AgentContext& /*ctx*/, const PublicView& /*view*/) {}
  /// Whether every public view change is delivered as an event (event-driven agents).
  virtual bool subscribes_market_data() const { return false; }
  /// RFQ: a firm price at which the agent, as a dealer, takes the other side of a request
  /// for `qty` lots on taker side `taker_side`, or nullopt to decline (the default). Called
  /// when the request reaches the dealer; must not draw random numbers, so that answering
  /// requests never shifts the agent's streams.
  virtual std::optional<Price> quote_for(AgentContext& /*ctx*/, Side /*taker_side*/, Qty /*qty*/) {
    return std::nullopt;
  }
  /// The spread, in ticks, of the two-sided quote the agent last decided on (market makers,
  /// whatever the mechanism shows the public), or nullopt when it quotes fewer than two sides.
  virtual std::optional<std::int64_t> quoted_spread_ticks() const { return std::nullopt; }
  /// As quoted_spread_ticks, for the last decision strictly before `t`.
  virtual std::optional<std::int64_t> quoted_spread_ticks_before(SimTime /*t*/) const {
    return std::nullopt;
  }
  /// The quotes decided at the agent's last decision strictly before `t` (market makers; see
  /// AgentContext::market_maker_quotes), or nullopt for agents that never quote.
  virtual std::optional<QuotePair> quotes_before(SimTime /*t*/) const { return std::nullopt; }
  /// When a kill switch latched (market makers), or nullopt while it has not.
  virtual std::optional<SimTime> killed_at() const { return std::nullopt; }
};

/// Converts a probability to the nearest tick at or below it (for bids) or above (asks),
/// clamped to the valid range (1 .. ticks_per_unit - 1).
Price to_tick_floor(double p, const MarketRules& rules);
Price to_tick_ceil(double p, const MarketRules& rules);
/// The nearest tick to a probability, clamped like to_tick_floor.
Price to_tick_nearest(double p, const MarketRules& rules);
/// Converts contracts to whole lots (rounded to nearest, at least 1).
Qty to_lots(double contracts, double lot_size);
/// The mid of a view, or the last price, in probability units; nullopt when neither exists.
std::optional<double> reference_price(const PublicView& view, const MarketRules& rules);

}  // namespace proteus::engine
