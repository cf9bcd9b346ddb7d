// Metric accumulation; docs/metrics.md gives each formula.
#include "engine/recorder.hpp"

#include <cmath>
#include <limits>

#include "engine/latent.hpp"
#include "engine/metrics_registry.hpp"

namespace proteus::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double num, double den) {
  return den > 0.0 ? num / den : kNaN;
}

double sample_sd(double sum, double sq, std::int64_t n) {
  if (n < 2) return kNaN;
  const double mean = sum / static_cast<double>(n);
  const double var = (sq - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1);
  return std::sqrt(std::max(0.0, var));
}

}  // namespace

Recorder::Recorder(const ScenarioSpec& spec, const MarketRules& rules, std::vector<Role> roles)
    : rules_(rules),
      lot_size_(spec.market.lot_size),
      roles_(std::move(roles)),
      sample_seconds_(spec.metrics.sample_ms * 1e-3),
      shock_threshold_(spec.metrics.shock_threshold),
      pending_as_(spec.metrics.as_horizons_ms.size()),
      as_loss_(spec.metrics.as_horizons_ms.size(), 0.0),
      as_class_(spec.metrics.as_horizons_ms.size(), std::array<double, 3>{}) {
  for (const double h : spec.metrics.as_horizons_ms) {
    horizons_.push_back(SimTime::from_ms(h));
  }
  for (std::size_t i = 0; i < roles_.size(); ++i) {
    if (roles_[i] == Role::kMarketMaker)
      market_makers_.push_back(AgentId{static_cast<std::uint32_t>(i)});
  }
}

std::uint8_t Recorder::counterparty_class(AgentId a) const {
  switch (roles_[a.value]) {
    case Role::kInformed:
      return static_cast<std::uint8_t>(CounterpartyClass::kInformed);
    case Role::kSniper:
      return static_cast<std::uint8_t>(CounterpartyClass::kSniper);
    default:  // noise (a market maker is never the counterparty of a market maker's fill here)
      return static_cast<std::uint8_t>(CounterpartyClass::kNoise);
  }
}

double Recorder::prob(Price p) const {
  return static_cast<double>(p.ticks) / static_cast<double>(rules_.ticks_per_unit);
}

void Recorder::on_submit(const OrderRequest& order, SimTime now, std::optional<double> mid) {
  submitted_ += contracts(order.qty.lots);
  trader_orders_.emplace(order.id.value, TraderOrder{now, mid, false});
}

void Recorder::trader_fill(AgentId agent, OrderId order, Side side, double price, double qty,
                           SimTime now, double p_now) {
  if (is_mm(agent)) return;
  filled_ += qty;
  exec_err_sum_ += qty * std::fabs(price - p_now);
  exec_w_ += qty;
  const auto it = trader_orders_.find(order.value);
  if (it == trader_orders_.end()) return;
  TraderOrder& t = it->second;
  if (t.mid) {
    slip_sum_ += qty * static_cast<double>(sign(side)) * (price - *t.mid);
    slip_w_ += qty;
  }
  if (!t.filled) {
    t.filled = true;
    tte_sum_ms_ += static_cast<double>((now - t.submitted).ns) * 1e-6;
    ++tte_n_;
  }
}

void Recorder::on_trade(const Outcome& o, SimTime now, std::optional<double> mid_before,
                        double p_now) {
  const double price = prob(o.price);
  const double qty = contracts(o.qty.lots);
  ++trades_;
  volume_ += qty;
  if (mid_before) {
    eff_spread_sum_ += qty * 2.0 * std::fabs(price - *mid_before);
    eff_spread_w_ += qty;
  }
  trader_fill(o.agent, o.order, o.side, price, qty, now, p_now);
  trader_fill(o.counter_agent, o.counter_order, opposite(o.side), price, qty, now, p_now);
  const bool taker_mm = is_mm(o.agent);
  const bool maker_mm = is_mm(o.counter_agent);
  if (o.remaining.lots == 0 && !taker_mm) trader_orders_.erase(o.order.value);
  if (o.counter_remaining.lots == 0 && !maker_mm) trader_orders_.erase(o.counter_order.value);
  if (taker_mm || maker_mm) ++mm_fills_;
  if (taker_mm != maker_mm) {
    // Counterparty's signed quantity: + when the market maker sold.
    const Side mm_side = maker_mm ? opposite(o.side) : o.side;
    const double q = -static_cast<double>(sign(mm_side)) * qty;
    const std::uint8_t cls = counterparty_class(maker_mm ? o.agent : o.counter_agent);
    // The market makers' side earns s (p_t - price) = q (price - p_t) at the trade.
    class_spread_[cls] += q * (price - p_now);
    class_qty_[cls] += q;
    class_qty_value_[cls] += q * p_now;
    for (std::size_t h = 0; h < horizons_.size(); ++h) {
      pending_as_[h].push_back({now + horizons_[h], q, price, cls});
    }
  }
}

void Recorder::on_order_closed(const Outcome& o) {
  if (!is_mm(o.agent)) trader_orders_.erase(o.order.value);  // only traders' orders are kept
}

void Recorder::on_latent_step(const LatentProcess& latent, double p_before,
                              const PublicView& view) {
  const SimTime now = latent.time();
  for (std::size_t h = 0; h < horizons_.size(); ++h) {
    auto& q = pending_as_[h];
    while (!q.empty() && q.front().due <= now) {
      const PendingAs& a = q.front();
      const double loss = a.signed_qty * (latent.p_at(a.due) - a.price);
      as_loss_[h] += loss;
      as_class_[h][a.cls] += loss;
      q.pop_front();
    }
  }
  const double p = latent.p();
  if (!(std::fabs(p - p_before) >= shock_threshold_)) return;
  // The market's reference price is needed only for a shock: rare, so computed only then.
  if (const std::optional<double> ref = reference_price(view, rules_)) {
    shock_time_ = now;
    shock_gap_ = std::fabs(*ref - p);
  }
}

double Recorder::mm_marked(const Ledger& ledger, double p) const {
  double total = 0.0;
  for (const AgentId mm : market_makers_) {
    const Account& a = ledger.account(mm);
    total += static_cast<double>(a.cash.micros) / static_cast<double>(rules_.cash_per_unit) +
             contracts(a.inventory_lots) * p;
  }
  return total;
}

void Recorder::on_sample(SimTime now, const PublicView& view, double p, const Ledger& ledger,
                         std::int64_t mm_spread_ticks, std::int64_t mm_quoting) {
  mm_spread_ticks_ += mm_spread_ticks;
  mm_spread_n_ += mm_quoting;
  const double pnl = mm_marked(ledger, p);
  if (sampled_) {
    const double inc = pnl - last_pnl_;
    inc_sum_ += inc;
    inc_sq_ += inc * inc;
    ++inc_n_;
  } else {
    pnl_peak_ = pnl;
  }
  last_pnl_ = pnl;
  sampled_ = true;
  pnl_peak_ = std::max(pnl_peak_, pnl);
  max_drawdown_ = std::max(max_drawdown_, pnl_peak_ - pnl);

  double inventory = 0.0;
  for (const AgentId mm : market_makers_) inventory += contracts(ledger.account(mm).inventory_lots);
  inv_sum_ += inventory;
  inv_sq_ += inventory * inventory;
  ++inv_n_;

  depth_sum_ += contracts((view.best_bid ? view.best_bid->qty.lots : 0) +
                          (view.best_ask ? view.best_ask->qty.lots : 0));
  ++depth_n_;
  // Plain doubles with flags, not std::optional: copying an optional just written costs a
  // store-forwarding stall, and this runs at every sample.
  double ref = 0.0;
  bool has_ref = true;
  if (view.best_bid && view.best_ask) {
    spread_ticks_ += view.best_ask->price.ticks - view.best_bid->price.ticks;
    ++spread_n_;
    ref = 0.5 * (prob(view.best_ask->price) + prob(view.best_bid->price));
  } else if (view.last_price) {
    ref = prob(*view.last_price);
  } else {
    has_ref = false;
  }
  if (has_ref) {
    rmse_sq_ += (ref - p) * (ref - p);
    ++rmse_n_;
    if (has_last_ref_) {
      const double d = ref - last_ref_;
      dref_sum_ += d;
      dref_sq_ += d * d;
      ++dref_n_;
    }
    last_ref_ = ref;
    has_last_ref_ = true;
    if (shock_time_ && std::fabs(ref - p) <= 0.5 * shock_gap_) {
      half_life_sum_ms_ += static_cast<double>((now - *shock_time_).ns) * 1e-6;
      ++half_life_n_;
      shock_time_.reset();
    }
  }
}

std::vector<double> Recorder::finish(double p_end, const Ledger& ledger,
                                     std::optional<SimTime> first_kill, SimTime horizon) {
  // Horizons beyond the end are valued at the final latent probability.
  for (std::size_t h = 0; h < horizons_.size(); ++h) {
    for (const PendingAs& a : pending_as_[h]) {
      const double loss = a.signed_qty * (p_end - a.price);
      as_loss_[h] += loss;
      as_class_[h][a.cls] += loss;
    }
    pending_as_[h].clear();
  }
  double mm_inventory = 0.0;
  for (const AgentId mm : market_makers_)
    mm_inventory += contracts(ledger.account(mm).inventory_lots);
  const double inc_sd = sample_sd(inc_sum_, inc_sq_, inc_n_);
  const double inc_mean = inc_n_ > 0 ? inc_sum_ / static_cast<double>(inc_n_) : kNaN;
  double inv_var = kNaN;
  if (inv_n_ > 0) {
    const double m = inv_sum_ / static_cast<double>(inv_n_);
    inv_var = std::max(0.0, inv_sq_ / static_cast<double>(inv_n_) - m * m);
  }
  std::vector<double> out(kMarketMetricCount + (1 + kCounterpartyClassCount) * horizons_.size(),
                          kNaN);
  const std::size_t nh = horizons_.size();
  const auto set = [&](MarketMetric m, double v) { out[market_metric_index(m, nh)] = v; };
  set(MarketMetric::kMmPnl, mm_marked(ledger, p_end));
  set(MarketMetric::kMmSharpe, inc_sd > 0.0 ? inc_mean / inc_sd : kNaN);
  set(MarketMetric::kMmMaxDrawdown, max_drawdown_);
  set(MarketMetric::kMmInventoryVar, inv_var);
  set(MarketMetric::kMmFinalInventory, mm_inventory);
  set(MarketMetric::kMmFills, static_cast<double>(mm_fills_));
  set(MarketMetric::kMmSurvival, first_kill ? 0.0 : 1.0);
  set(MarketMetric::kMmTimeToKill, first_kill.value_or(horizon).seconds());
  set(MarketMetric::kMmQuotedSpread,
      mm_spread_n_ > 0
          ? static_cast<double>(mm_spread_ticks_) /
                (static_cast<double>(mm_spread_n_) * static_cast<double>(rules_.ticks_per_unit))
          : kNaN);
  for (std::size_t h = 0; h < nh; ++h) out[as_loss_index(h)] = as_loss_[h];
  set(MarketMetric::kExecError, ratio(exec_err_sum_, exec_w_));
  set(MarketMetric::kSlippage, ratio(slip_sum_, slip_w_));
  set(MarketMetric::kFillProb, ratio(filled_, submitted_));
  set(MarketMetric::kTimeToExec, tte_n_ > 0 ? tte_sum_ms_ / static_cast<double>(tte_n_) : kNaN);
  set(MarketMetric::kPriceRmse,
      rmse_n_ > 0 ? std::sqrt(rmse_sq_ / static_cast<double>(rmse_n_)) : kNaN);
  set(MarketMetric::kQuotedSpread, spread_n_ > 0 ? static_cast<double>(spread_ticks_) /
                                                       (static_cast<double>(spread_n_) *
                                                        static_cast<double>(rules_.ticks_per_unit))
                                                 : kNaN);
  set(MarketMetric::kEffectiveSpread, ratio(eff_spread_sum_, eff_spread_w_));
  set(MarketMetric::kDepth, depth_n_ > 0 ? depth_sum_ / static_cast<double>(depth_n_) : kNaN);
  set(MarketMetric::kRealizedVol,
      sample_sd(dref_sum_, dref_sq_, dref_n_) / std::sqrt(sample_seconds_));
  set(MarketMetric::kShockHalfLife,
      half_life_n_ > 0 ? half_life_sum_ms_ / static_cast<double>(half_life_n_) : kNaN);
  set(MarketMetric::kVolume, volume_);
  set(MarketMetric::kTradeCount, static_cast<double>(trades_));
  set(MarketMetric::kMessageCount, static_cast<double>(messages_));
  set(MarketMetric::kEffectiveSpreadLatent, 2.0 * ratio(exec_err_sum_, exec_w_));
  // mm_pnl = spread earned - price impact of each class + fees: trades between market makers
  // cancel in the aggregate, and s (p_T - price) = s (p_t - price) + s (p_T - p_t).
  set(MarketMetric::kMmSpreadPnl, class_spread_[0] + class_spread_[1] + class_spread_[2]);
  set(MarketMetric::kMmSpreadInformed, class_spread_[0]);
  set(MarketMetric::kMmSpreadNoise, class_spread_[1]);
  set(MarketMetric::kMmSpreadSniper, class_spread_[2]);
  const auto adverse = [&](CounterpartyClass c) {
    const auto i = static_cast<std::size_t>(c);
    return class_qty_[i] * p_end - class_qty_value_[i];
  };
  set(MarketMetric::kMmAdverseInformed, adverse(CounterpartyClass::kInformed));
  set(MarketMetric::kMmAdverseNoise, adverse(CounterpartyClass::kNoise));
  set(MarketMetric::kMmAdverseSniper, adverse(CounterpartyClass::kSniper));
  std::array<double, 4> pnl_by_role{};  // marked P&L per Role
  for (std::uint32_t a = 0; a < roles_.size(); ++a) {
    const Account& acc = ledger.account(AgentId{a});
    pnl_by_role[static_cast<std::size_t>(roles_[a])] +=
        static_cast<double>(acc.cash.micros) / static_cast<double>(rules_.cash_per_unit) +
        contracts(acc.inventory_lots) * p_end;
  }
  double mm_fees = 0.0;
  for (const AgentId mm : market_makers_) {
    mm_fees -= static_cast<double>(ledger.account(mm).fees_paid.micros) /
               static_cast<double>(rules_.cash_per_unit);
  }
  set(MarketMetric::kMmFeePnl, mm_fees);
  set(MarketMetric::kInformedPnl, pnl_by_role[static_cast<std::size_t>(Role::kInformed)]);
  set(MarketMetric::kNoisePnl, pnl_by_role[static_cast<std::size_t>(Role::kNoise)]);
  set(MarketMetric::kSniperPnl, pnl_by_role[static_cast<std::size_t>(Role::kSniper)]);
  for (std::size_t c = 0; c < kCounterpartyClassCount; ++c) {
    for (std::size_t h = 0; h < nh; ++h) {
      out[as_class_index(static_cast<CounterpartyClass>(c), h, nh)] = as_class_[h][c];
    }
  }
  return out;
}

}  // namespace proteus::engine
