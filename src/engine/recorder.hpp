// Collects what a run's metrics need while it runs, in memory bounded by live orders and
// pending horizons, and turns it into the registry's metric vector at the end.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "engine/agent.hpp"
#include "engine/ledger.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

class LatentProcess;

class Recorder {
 public:
  Recorder(const ScenarioSpec& spec, const MarketRules& rules, std::vector<Role> roles);

  /// A trader (non market maker) order left its agent; `mid` is the true mid at that time.
  void on_submit(const OrderRequest& order, SimTime now, std::optional<double> mid);
  /// An order or cancel reached the mechanism.
  void on_message() { ++messages_; }
  /// A trade outcome; `mid_before` is the mid before the message that caused it.
  void on_trade(const Outcome& o, SimTime now, std::optional<double> mid_before, double p_now);
  /// A cancelled or rejected outcome: the order is no longer followed (other outcome kinds
  /// need no recording).
  void on_order_closed(const Outcome& o);
  /// After each latent step: resolves adverse-selection horizons and detects shocks (a move
  /// of at least shock_threshold; `view` is the market's current view, for the gap).
  void on_latent_step(const LatentProcess& latent, double p_before, const PublicView& view);
  /// Periodic sample of the market and the market makers' marked P&L.
  /// `mm_spread_ticks` sums the spreads of the `mm_quoting` market makers that quote both sides.
  void on_sample(SimTime now, const PublicView& view, double p, const Ledger& ledger,
                 std::int64_t mm_spread_ticks, std::int64_t mm_quoting);
  /// Final metric vector aligned with metric_registry(spec): every MarketMetric and one
  /// adverse-selection column per metrics.as_horizons_ms entry.
  /// `first_kill` is when the first market maker's kill switch latched (nullopt: none did);
  /// `horizon` is the end of the run.
  std::vector<double> finish(double p_end, const Ledger& ledger, std::optional<SimTime> first_kill,
                             SimTime horizon);

 private:
  struct TraderOrder {
    SimTime submitted;
    std::optional<double> mid;
    bool filled = false;
  };
  struct PendingAs {
    SimTime due;
    double signed_qty;  // counterparty's signed contracts (+ when the MM sold)
    double price;
    std::uint8_t cls;  // CounterpartyClass of the counterparty
  };

  double prob(Price p) const;
  std::uint8_t counterparty_class(AgentId a) const;  // CounterpartyClass of a trader
  double contracts(std::int64_t lots) const { return static_cast<double>(lots) * lot_size_; }
  bool is_mm(AgentId a) const { return roles_[a.value] == Role::kMarketMaker; }
  void trader_fill(AgentId agent, OrderId order, Side side, double price, double qty, SimTime now,
                   double p_now);
  double mm_marked(const Ledger& ledger, double p) const;

  MarketRules rules_;
  double lot_size_;
  std::vector<Role> roles_;
  std::vector<AgentId> market_makers_;  // the agents whose role is kMarketMaker
  std::vector<SimTime> horizons_;
  double sample_seconds_;
  double shock_threshold_;

  std::unordered_map<std::uint64_t, TraderOrder> trader_orders_;  // looked up, never iterated
  std::vector<std::deque<PendingAs>> pending_as_;
  std::vector<double> as_loss_;
  // P&L decomposition of the market makers' fills against traders (docs/metrics.md).
  std::array<double, 3> class_spread_{};         // per class: sum of q (price - p_t), q its qty
  std::array<double, 3> class_qty_{};            // per class: sum of q
  std::array<double, 3> class_qty_value_{};      // per class: sum of q p_t
  std::vector<std::array<double, 3>> as_class_;  // per horizon, per class: q (p_{t+h} - price)

  std::int64_t messages_ = 0;
  std::int64_t trades_ = 0;
  std::int64_t mm_fills_ = 0;
  double volume_ = 0.0;
  double eff_spread_sum_ = 0.0, eff_spread_w_ = 0.0;
  double exec_err_sum_ = 0.0, exec_w_ = 0.0;
  double slip_sum_ = 0.0, slip_w_ = 0.0;
  double submitted_ = 0.0, filled_ = 0.0;
  double tte_sum_ms_ = 0.0;
  std::int64_t tte_n_ = 0;

  // Samples.
  double last_pnl_ = 0.0;
  bool sampled_ = false;  // whether last_pnl_ holds a sample
  double pnl_peak_ = 0.0, max_drawdown_ = 0.0;
  double inc_sum_ = 0.0, inc_sq_ = 0.0;
  std::int64_t inc_n_ = 0;
  double inv_sum_ = 0.0, inv_sq_ = 0.0;
  std::int64_t inv_n_ = 0;
  double rmse_sq_ = 0.0;
  std::int64_t rmse_n_ = 0;
  std::int64_t mm_spread_ticks_ = 0;  // the market makers' own two-sided quotes, summed
  std::int64_t mm_spread_n_ = 0;
  std::int64_t spread_ticks_ = 0;  // summed in exact ticks: a constant spread averages exactly
  std::int64_t spread_n_ = 0;
  double depth_sum_ = 0.0;
  std::int64_t depth_n_ = 0;
  double last_ref_ = 0.0;
  bool has_last_ref_ = false;
  double dref_sum_ = 0.0, dref_sq_ = 0.0;
  std::int64_t dref_n_ = 0;

  // Shock resilience.
  std::optional<SimTime> shock_time_;
  double shock_gap_ = 0.0;
  double half_life_sum_ms_ = 0.0;
  std::int64_t half_life_n_ = 0;
};

}  // namespace proteus::engine
