// The registry of per-run metrics: one name, unit, description and report role per metric,
// built from a run's spec and shared by the simulator, the panel writer and reports
// (docs/metrics.md defines each formula).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proteus::engine {

struct ScenarioSpec;

/// How `proteus report` reduces a metric beyond mean and interval.
enum class MetricKind : std::uint8_t {
  kMean,        ///< mean, sd, t-interval only
  kProportion,  ///< a 0/1 outcome: also a Wilson interval
  kPnl,         ///< a P&L: also VaR/CVaR (of -value) and quantile rows
  kLoss,        ///< a loss (larger is worse, e.g. a drawdown): VaR/CVaR of the value, quantiles
};

struct MetricInfo {
  std::string name;  ///< snake_case, stable: becomes a panel column
  std::string units;
  std::string description;
  MetricKind kind = MetricKind::kMean;
  int primary_order = -1;  ///< position among the report's default metrics; -1 when not one
};

/// The metrics of the market environment other than the per-horizon adverse-selection
/// columns, in column order; the registry places the `as_loss_<h>` columns before kExecError.
enum class MarketMetric : std::uint8_t {
  kMmPnl,
  kMmSharpe,
  kMmMaxDrawdown,
  kMmInventoryVar,
  kMmFinalInventory,
  kMmFills,
  kMmSurvival,
  kExecError,
  kSlippage,
  kFillProb,
  kTimeToExec,
  kPriceRmse,
  kQuotedSpread,
  kEffectiveSpread,
  kDepth,
  kRealizedVol,
  kShockHalfLife,
  kVolume,
  kTradeCount,
  kMessageCount,
  kEffectiveSpreadLatent,
  kMmSpreadPnl,
  kMmSpreadInformed,
  kMmSpreadNoise,
  kMmSpreadSniper,
  kMmAdverseInformed,
  kMmAdverseNoise,
  kMmAdverseSniper,
  kMmFeePnl,
  kInformedPnl,
  kNoisePnl,
  kSniperPnl,
  kMmTimeToKill,
  kMmQuotedSpread,
};
inline constexpr std::size_t kMarketMetricCount = 34;

/// Counterparty classes of the market makers' per-class P&L and adverse-selection columns
/// (`as_<class>_<h>`, after every MarketMetric). Trades between market makers net out in the
/// market makers' aggregate and have no class.
enum class CounterpartyClass : std::uint8_t { kInformed, kNoise, kSniper };
inline constexpr std::size_t kCounterpartyClassCount = 3;

/// Name of a counterparty class in column names: informed, noise, sniper.
std::string_view class_name(CounterpartyClass c);

/// Column of `m` in a market registry with `horizons` adverse-selection columns. The registry
/// is built with this same function, so the two cannot drift.
constexpr std::size_t market_metric_index(MarketMetric m, std::size_t horizons) {
  const auto i = static_cast<std::size_t>(m);
  return i < static_cast<std::size_t>(MarketMetric::kExecError) ? i : i + horizons;
}

/// Column of the adverse-selection metric at horizon number `h` (ascending horizons).
constexpr std::size_t as_loss_index(std::size_t h) {
  return static_cast<std::size_t>(MarketMetric::kExecError) + h;
}

/// Column of the market maker's adverse selection against class `c` at horizon number `h`,
/// with `horizons` horizons.
constexpr std::size_t as_class_index(CounterpartyClass c, std::size_t h, std::size_t horizons) {
  return kMarketMetricCount + horizons + static_cast<std::size_t>(c) * horizons + h;
}

/// Column name of the adverse-selection loss at `horizon_ms`: whole seconds as `as_loss_1s`,
/// whole milliseconds as `as_loss_100ms`, other values with `p` for the decimal point
/// (`as_loss_0p5ms`).
std::string as_loss_name(double horizon_ms);

/// Column name of the adverse selection against class `c` at `horizon_ms`
/// (`as_informed_1s`, same horizon spelling as as_loss_name).
std::string as_class_name(CounterpartyClass c, double horizon_ms);

/// The metric columns of one run, in the order of RunResult::metrics and of the panel.
class MetricRegistry {
 public:
  MetricRegistry() = default;
  explicit MetricRegistry(std::vector<MetricInfo> entries) : entries_(std::move(entries)) {}

  std::size_t size() const { return entries_.size(); }
  const MetricInfo& operator[](std::size_t i) const { return entries_[i]; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  std::span<const MetricInfo> entries() const { return entries_; }

  /// Column of the metric called `name`, or nullopt.
  std::optional<std::size_t> index_of(std::string_view name) const;

  /// The report's default metrics, in report order.
  std::vector<std::string> primary() const;

 private:
  std::vector<MetricInfo> entries_;
};

/// Metrics of an environment ("market" or "as2008"); `as_horizons_ms` (ascending) gives the
/// market's adverse-selection columns and is ignored by as2008. Throws std::invalid_argument
/// for an unknown environment.
MetricRegistry metric_registry(std::string_view environment,
                               std::span<const double> as_horizons_ms);

/// The metrics of a run of `spec` (its environment and metrics.as_horizons_ms).
MetricRegistry metric_registry(const ScenarioSpec& spec);

}  // namespace proteus::engine
