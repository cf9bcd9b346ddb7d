// The registry of per-run metrics: one name, unit and description per metric, shared by
// the simulator, the panel writer and reports (docs/metrics.md defines each formula).
#pragma once

#include <span>
#include <string_view>

namespace proteus::engine {

struct MetricInfo {
  std::string_view name;  ///< snake_case, stable: becomes a panel column
  std::string_view units;
  std::string_view description;
};

/// Metrics of an environment ("market" or "as2008"), in the order RunResult::metrics uses.
/// Throws std::invalid_argument for an unknown environment.
std::span<const MetricInfo> metric_registry(std::string_view environment);

}  // namespace proteus::engine
