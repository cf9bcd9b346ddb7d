// Internal to src/sweep (include only from .cpp files): the metric columns of a stored panel.
#pragma once

#include <hdf5.h>

#include <array>

#include "engine/metrics_registry.hpp"

namespace proteus::sweep {

/// The adverse-selection horizons of panels written before the root attribute
/// `as_horizons_ms` existed (their recorder had these three fixed).
inline constexpr std::array<double, 3> kLegacyHorizonsMs = {100.0, 1000.0, 10000.0};

/// The metric columns of the panel open as `file`, from its root attributes `environment`
/// and `as_horizons_ms`. Throws PanelError when they cannot be read.
engine::MetricRegistry read_panel_metrics(hid_t file);

}  // namespace proteus::sweep
