// Market maker v1: quotes around a reservation price with an inventory-aware half-spread,
// by the predecessor's linear rule or Avellaneda-Stoikov; max inventory, latching kill switch.
#pragma once

#include <optional>
#include <utility>

#include "engine/agent.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// The quotes a market maker wants, in probability units, before rounding to ticks.
struct QuoteTarget {
  double reservation = 0.0;
  double half_spread = 0.0;
};

/// The linear rule: r = p_hat - kappa*I, h = max(min_h, h0 + a|I| + b*sigma_hat + c*AS_hat).
QuoteTarget linear_quote(const MarketMakerSpec& spec, double p_hat, double inventory,
                         double sigma_hat, double as_hat);

/// Avellaneda & Stoikov (2008): r = p_hat - I*gamma*sigma^2*(T-t),
/// h = max(min_h, gamma*sigma^2*(T-t)/2 + ln(1 + gamma/k)/gamma); tau in seconds.
QuoteTarget avellaneda_stoikov_quote(const MarketMakerSpec& spec, double p_hat, double inventory,
                                     double tau_seconds);

class MarketMaker final : public Agent {
 public:
  explicit MarketMaker(const MarketMakerSpec& spec)
      : spec_(spec),
        avellaneda_stoikov_(spec_.rule == QuoteRule::kAvellanedaStoikov),
        // Truncates, unlike SimTime::from_ms (rounds): an interval such as 4.1 ms is 4099999 ns
        // here. Kept so results stay identical; switching changes such configs' runs.
        interval_{static_cast<std::int64_t>(spec_.schedule.interval_ms * 1e6)} {}
  Role role() const override { return Role::kMarketMaker; }
  void on_start(AgentContext& ctx) override;
  void on_decision(AgentContext& ctx) override;
  void on_notice(AgentContext& ctx, const Notice& notice) override;
  /// Fills, rejects and cancels it did not ask for (self-trade) change its quotes; acceptances,
  /// cancel rejects and confirmations of its own cancels do not.
  bool wants_notice(Notice::Kind kind, Reason reason) const override {
    if (kind == Notice::Kind::kCancelled) return reason != Reason::kUserCancel;
    return kind != Notice::Kind::kAccepted && kind != Notice::Kind::kCancelRejected;
  }
  void on_market_data(AgentContext& ctx, const PublicView& view) override;
  bool subscribes_market_data() const override {
    return spec_.schedule.mode == ScheduleMode::kEvent;
  }
  std::optional<std::int64_t> quoted_spread_ticks() const override {
    if (killed_ || quoted_bid_ == kNoQuote || quoted_ask_ == kNoQuote) return std::nullopt;
    return quoted_ask_.ticks - quoted_bid_.ticks;
  }
  std::optional<std::int64_t> quoted_spread_ticks_before(SimTime t) const override {
    if (posted_.at < t) return quoted_spread_ticks();
    if (spread_before_ < 0) return std::nullopt;
    return spread_before_;
  }
  std::optional<QuotePair> quotes_before(SimTime t) const override {
    return posted_.at < t ? QuotePair{posted_.bid, posted_.ask}
                          : QuotePair{posted_before_.bid, posted_before_.ask};
  }
  std::optional<SimTime> killed_at() const override {
    return killed_ ? std::optional<SimTime>(kill_time_) : std::nullopt;
  }
  /// The price its current quote target gives the side of a request: floor(r - h) when the
  /// dealer buys, ceil(r + h) when it sells, from the last decision's reservation and
  /// half-spread. Declines before its first decision, once killed, or when the fill would take
  /// |inventory| beyond max_inventory.
  std::optional<Price> quote_for(AgentContext& ctx, Side taker_side, Qty qty) override;

  double inventory() const { return inventory_; }

 private:
  struct Quote {
    OrderId id;
    Price price;
    Qty lots;
    bool live = false;
  };
  /// The prices of one decision's quotes as traders see them (a withheld side keeps its
  /// earlier price).
  struct Posted {
    SimTime at{INT64_MIN};
    Price bid;
    Price ask;
  };

  void decide(AgentContext& ctx, const PublicView& view);
  /// No quote on a side (tick 0 is never a valid price). A plain Price, not an optional: an
  /// optional reset just before it is passed on costs a store-forwarding stall per decision.
  static constexpr Price kNoQuote{0};
  /// Moves the bid and ask to these prices (kNoQuote: none on that side) in one message.
  void requote(AgentContext& ctx, Price bid, Price ask);
  /// Quote lifetime "gtc": enters new limit orders at these prices (kNoQuote: none), cancels
  /// nothing.
  void post(AgentContext& ctx, Price bid, Price ask);
  /// quotes_and_fills: one point of the mid series behind sigma_hat.
  void observe_mid(double mid);
  void kill(AgentContext& ctx);

  MarketMakerSpec spec_;
  bool avellaneda_stoikov_;  // the quoting rule, read once (not a string compare per decision)
  SimTime interval_;         // of the decision schedule
  Qty lots_{0};              // quote size in lots; 0 until the first quote reads the lot size
  Quote bid_;
  Quote ask_;
  double inventory_ = 0.0;  // contracts, from fill notices
  double cash_ = 0.0;       // payoff units, from fill notices (fees not known to the agent)
  std::optional<QuoteTarget> target_;  // of the last decision
  double p_hat_ = -1.0;
  double sigma_hat_ = 0.0;
  double as_hat_ = 0.0;
  double pending_sgn_price_ = 0.0;  // sum of sign * price over fills since the last decision
  double pending_sgn_ = 0.0;        // sum of sign over the same fills
  int pending_fills_ = 0;
  Price quoted_bid_ = kNoQuote;  ///< the two sides of the last decision (kNoQuote: withheld)
  Price quoted_ask_ = kNoQuote;
  Posted posted_;                    ///< of the last decision (initially belief_init -/+ 0.01)
  Posted posted_before_;             ///< of the decision before
  std::int64_t spread_before_ = -1;  ///< quoted spread of the decision before (< 0: none)
  double belief_ = -1.0;             ///< signal_ewma belief; < 0 before the first signal
  double last_mid_ = 0.0;            ///< quotes_and_fills: last point of the mid series
  bool has_last_mid_ = false;
  bool killed_ = false;
  SimTime kill_time_;  ///< valid once killed_
  SimTime last_decision_{-1};
};

}  // namespace proteus::engine
