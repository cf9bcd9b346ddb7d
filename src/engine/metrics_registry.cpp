// The metric tables. Column order is the order of RunResult::metrics and of the panel.
#include "engine/metrics_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "engine/spec.hpp"

namespace proteus::engine {
namespace {

struct FixedMetric {
  MarketMetric id;
  std::string_view name;
  std::string_view units;
  std::string_view description;
  MetricKind kind = MetricKind::kMean;
  int primary_order = -1;
};

// Indexed by MarketMetric (checked by a test).
constexpr std::array<FixedMetric, kMarketMetricCount> kMarketMetrics = {{
    {MarketMetric::kMmPnl, "mm_pnl", "payoff",
     "market makers' P&L: cash + inventory marked to p_T, fees included", MetricKind::kPnl, 0},
    {MarketMetric::kMmSharpe, "mm_sharpe", "1",
     "mean / sd of the market makers' P&L increments per sample step"},
    {MarketMetric::kMmMaxDrawdown, "mm_max_drawdown", "payoff",
     "largest peak-to-trough fall of the marked P&L path", MetricKind::kLoss},
    {MarketMetric::kMmInventoryVar, "mm_inventory_var", "contracts^2",
     "variance of market-maker inventory over samples"},
    {MarketMetric::kMmFinalInventory, "mm_final_inventory", "contracts",
     "market-maker inventory at the end"},
    {MarketMetric::kMmFills, "mm_fills", "count", "fills in which a market maker took part"},
    {MarketMetric::kMmSurvival, "mm_survival", "1",
     "1 when no market maker's kill switch latched, else 0", MetricKind::kProportion, 5},
    {MarketMetric::kExecError, "exec_error", "probability",
     "mean |price - p_t| over trader (non-MM) fills, lot-weighted"},
    {MarketMetric::kSlippage, "slippage", "probability",
     "mean signed price - mid-at-submission over trader fills, lot-weighted"},
    {MarketMetric::kFillProb, "fill_prob", "1", "filled / submitted lots of trader orders"},
    {MarketMetric::kTimeToExec, "time_to_exec", "ms",
     "mean delay from submission to a trader order's first fill"},
    {MarketMetric::kPriceRmse, "price_rmse", "probability",
     "RMSE of the mid (or last price) against p_t over samples", MetricKind::kMean, 4},
    {MarketMetric::kQuotedSpread, "quoted_spread", "probability",
     "mean ask - bid over samples with both sides", MetricKind::kMean, 2},
    {MarketMetric::kEffectiveSpread, "effective_spread", "probability",
     "mean 2 |price - mid| over trades, lot-weighted", MetricKind::kMean, 3},
    {MarketMetric::kDepth, "depth", "contracts",
     "mean lots at the best bid plus best ask over samples"},
    {MarketMetric::kRealizedVol, "realized_vol", "probability/sqrt(s)",
     "sd of mid changes per sample step, per sqrt second"},
    {MarketMetric::kShockHalfLife, "shock_half_life", "ms",
     "mean time for |mid - p_t| to halve after a latent shock"},
    {MarketMetric::kVolume, "volume", "contracts", "traded quantity"},
    {MarketMetric::kTradeCount, "trade_count", "count", "number of trades"},
    {MarketMetric::kMessageCount, "message_count", "count",
     "orders and cancels that reached the mechanism"},
    {MarketMetric::kEffectiveSpreadLatent, "effective_spread_latent", "probability",
     "mean 2 |price - p_t| over trader fills, lot-weighted (any mechanism)", MetricKind::kMean, 9},
    {MarketMetric::kMmSpreadPnl, "mm_spread_pnl", "payoff",
     "spread earned: sum over market-maker fills against traders of s (p_t - price), s the "
     "market maker's signed contracts, p_t the latent value at the trade",
     MetricKind::kMean, 6},
    {MarketMetric::kMmSpreadInformed, "mm_spread_informed", "payoff",
     "spread earned on fills against informed traders (negative: they trade at stale quotes)",
     MetricKind::kMean, 7},
    {MarketMetric::kMmSpreadNoise, "mm_spread_noise", "payoff",
     "spread earned on fills against noise traders", MetricKind::kMean, 8},
    {MarketMetric::kMmSpreadSniper, "mm_spread_sniper", "payoff",
     "spread earned on fills against snipers"},
    {MarketMetric::kMmAdverseInformed, "mm_adverse_informed", "payoff",
     "price impact of informed traders' fills: sum of q (p_T - p_t), q their signed contracts; "
     "positive is the market makers' loss"},
    {MarketMetric::kMmAdverseNoise, "mm_adverse_noise", "payoff",
     "price impact of noise traders' fills, as mm_adverse_informed"},
    {MarketMetric::kMmAdverseSniper, "mm_adverse_sniper", "payoff",
     "price impact of snipers' fills, as mm_adverse_informed"},
    {MarketMetric::kMmFeePnl, "mm_fee_pnl", "payoff",
     "market makers' fees (negative) and rebates (positive); mm_pnl = mm_spread_pnl - "
     "mm_adverse_informed - mm_adverse_noise - mm_adverse_sniper + mm_fee_pnl"},
    {MarketMetric::kInformedPnl, "informed_pnl", "payoff",
     "informed traders' P&L: cash + inventory marked to p_T, fees included", MetricKind::kPnl},
    {MarketMetric::kNoisePnl, "noise_pnl", "payoff", "noise traders' P&L, as informed_pnl",
     MetricKind::kPnl},
    {MarketMetric::kSniperPnl, "sniper_pnl", "payoff", "snipers' P&L, as informed_pnl",
     MetricKind::kPnl},
    {MarketMetric::kMmTimeToKill, "mm_time_to_kill", "s",
     "time when the first market maker's kill switch latched (loss limit), the run's duration "
     "when none did"},
    {MarketMetric::kMmQuotedSpread, "mm_quoted_spread", "probability",
     "mean over samples and market makers of the ask - bid each quotes (both sides), under "
     "every mechanism",
     MetricKind::kMean, 11},
}};

constexpr std::array<CounterpartyClass, kCounterpartyClassCount> kClasses = {
    CounterpartyClass::kInformed, CounterpartyClass::kNoise, CounterpartyClass::kSniper};

// The report shows one adverse-selection column by default, second after mm_pnl.
constexpr int kAsLossPrimaryOrder = 1;
// ... and the informed traders' share of it last, after the P&L decomposition.
constexpr int kAsInformedPrimaryOrder = 10;

MetricInfo info_of(const FixedMetric& m) {
  return MetricInfo{std::string(m.name), std::string(m.units), std::string(m.description), m.kind,
                    m.primary_order};
}

// "1s" / "100ms" (compact, as in column names) or "1 s" / "100 ms" (spaced, for prose).
std::string horizon_text(double ms, bool spaced = false) {
  const char* space = spaced ? " " : "";
  if (ms > 0 && std::fmod(ms, 1000.0) == 0.0) return fmt::format("{}{}s", ms / 1000.0, space);
  return fmt::format("{}{}ms", ms, space);
}

// The horizon shown by default in reports: the one closest to 1 s (the longer on a tie).
std::size_t primary_horizon(std::span<const double> horizons) {
  std::size_t primary = 0;
  for (std::size_t h = 0; h < horizons.size(); ++h) {
    if (std::fabs(horizons[h] - 1000.0) <= std::fabs(horizons[primary] - 1000.0)) primary = h;
  }
  return primary;
}

MetricRegistry market_registry(std::span<const double> horizons) {
  const std::size_t primary = primary_horizon(horizons);
  std::vector<MetricInfo> entries;
  entries.reserve(kMarketMetricCount + (1 + kCounterpartyClassCount) * horizons.size());
  for (const FixedMetric& m : kMarketMetrics) {
    if (m.id == MarketMetric::kExecError) {
      for (std::size_t h = 0; h < horizons.size(); ++h) {
        entries.push_back(MetricInfo{
            as_loss_name(horizons[h]), "payoff",
            h == 0
                ? fmt::format("adverse selection sum_j q_j (p_{{t_j+{}}} - price_j), maker's side",
                              horizon_text(horizons[h]))
                : fmt::format("adverse selection at a {} horizon", horizon_text(horizons[h], true)),
            MetricKind::kMean, h == primary ? kAsLossPrimaryOrder : -1});
      }
    }
    entries.push_back(info_of(m));
  }
  for (const CounterpartyClass c : kClasses) {
    for (std::size_t h = 0; h < horizons.size(); ++h) {
      entries.push_back(MetricInfo{
          as_class_name(c, horizons[h]), "payoff",
          fmt::format("adverse selection by {} traders at a {} horizon: sum over their fills with "
                      "market makers of q (p_{{t+h}} - price), q their signed contracts (as "
                      "as_loss, one class); positive is the market makers' loss",
                      class_name(c), horizon_text(horizons[h], true)),
          MetricKind::kMean,
          c == CounterpartyClass::kInformed && h == primary ? kAsInformedPrimaryOrder : -1});
    }
  }
  return MetricRegistry(std::move(entries));
}

MetricRegistry as2008_registry() {
  return MetricRegistry({
      {"profit", "cash", "terminal P&L: cash + q_T S_T", MetricKind::kPnl, 0},
      {"final_inventory", "shares", "q_T", MetricKind::kMean, 1},
      {"mean_spread", "cash", "the run's average quoted spread, bid to ask", MetricKind::kMean, 2},
  });
}

MetricRegistry glosten_milgrom_registry() {
  return MetricRegistry({
      {"mm_pnl", "value",
       "market maker's P&L against the true value V: sum over trades of (ask - V) for trader "
       "buys and (V - bid) for trader sells",
       MetricKind::kPnl, 0},
      {"informed_pnl", "value", "informed traders' gain against V, summed over their trades"},
      {"noise_pnl", "value", "uninformed traders' gain against V, summed over their trades"},
      {"initial_spread", "value", "ask - bid before the first trade"},
      {"mean_spread", "value", "mean of ask - bid over the trades", MetricKind::kMean, 1},
      {"final_spread", "value", "ask - bid before the last trade"},
      {"belief_error", "value", "|E[V | order flow] - V| after the last trade", MetricKind::kMean,
       2},
  });
}

}  // namespace

std::string_view class_name(CounterpartyClass c) {
  switch (c) {
    case CounterpartyClass::kInformed:
      return "informed";
    case CounterpartyClass::kNoise:
      return "noise";
    case CounterpartyClass::kSniper:
      return "sniper";
  }
  return "?";
}

std::string as_class_name(CounterpartyClass c, double horizon_ms) {
  std::string text = horizon_text(horizon_ms);
  std::replace(text.begin(), text.end(), '.', 'p');
  return fmt::format("as_{}_{}", class_name(c), text);
}

std::string as_loss_name(double horizon_ms) {
  std::string text = horizon_text(horizon_ms);
  std::replace(text.begin(), text.end(), '.', 'p');
  return "as_loss_" + text;
}

std::optional<std::size_t> MetricRegistry::index_of(std::string_view name) const {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const MetricInfo& m) { return m.name == name; });
  if (it == entries_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - entries_.begin());
}

std::vector<std::string> MetricRegistry::primary() const {
  std::vector<const MetricInfo*> chosen;
  for (const MetricInfo& m : entries_) {
    if (m.primary_order >= 0) chosen.push_back(&m);
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](const MetricInfo* a, const MetricInfo* b) {
    return a->primary_order < b->primary_order;
  });
  std::vector<std::string> names;
  names.reserve(chosen.size());
  for (const MetricInfo* m : chosen) names.push_back(m->name);
  return names;
}

MetricRegistry metric_registry(std::string_view environment,
                               std::span<const double> as_horizons_ms) {
  if (environment == "market") return market_registry(as_horizons_ms);
  if (environment == "as2008") return as2008_registry();
  if (environment == "glosten_milgrom") return glosten_milgrom_registry();
  throw std::invalid_argument("unknown environment '" + std::string(environment) + "'");
}

MetricRegistry metric_registry(const ScenarioSpec& spec) {
  return metric_registry(to_string(spec.run.environment), spec.metrics.as_horizons_ms);
}

}  // namespace proteus::engine
