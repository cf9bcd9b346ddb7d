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
     "largest peak-to-trough fall of the marked P&L path"},
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
}};

// The report shows one adverse-selection column by default, second after mm_pnl.
constexpr int kAsLossPrimaryOrder = 1;

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

MetricRegistry market_registry(std::span<const double> horizons) {
  std::vector<MetricInfo> entries;
  entries.reserve(kMarketMetricCount + horizons.size());
  for (const FixedMetric& m : kMarketMetrics) {
    if (m.id == MarketMetric::kExecError) {
      // The default adverse-selection column: the horizon closest to 1 s (the longer on a tie).
      std::size_t primary = 0;
      for (std::size_t h = 0; h < horizons.size(); ++h) {
        if (std::fabs(horizons[h] - 1000.0) <= std::fabs(horizons[primary] - 1000.0)) primary = h;
      }
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
  return MetricRegistry(std::move(entries));
}

MetricRegistry as2008_registry() {
  return MetricRegistry({
      {"profit", "cash", "terminal P&L: cash + q_T S_T", MetricKind::kPnl, 0},
      {"final_inventory", "shares", "q_T", MetricKind::kMean, 1},
      {"mean_spread", "cash", "the run's average quoted spread, bid to ask", MetricKind::kMean, 2},
  });
}

}  // namespace

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
  for (const MetricInfo* m : chosen) names.push_back(m->name);
  return names;
}

MetricRegistry metric_registry(std::string_view environment,
                               std::span<const double> as_horizons_ms) {
  if (environment == "market") return market_registry(as_horizons_ms);
  if (environment == "as2008") return as2008_registry();
  throw std::invalid_argument("unknown environment '" + std::string(environment) + "'");
}

MetricRegistry metric_registry(const ScenarioSpec& spec) {
  return metric_registry(to_string(spec.run.environment), spec.metrics.as_horizons_ms);
}

}  // namespace proteus::engine
