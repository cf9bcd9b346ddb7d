// Internal to src/sweep (include only from .cpp files): reading [grid] tables into axes, and
// the TOML position and error helpers the sweep-file parser shares with it.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "sweep/sweep_config.hpp"

namespace proteus::sweep::detail {

/// Line and column of `node` in the sweep file.
SourcePos pos_of(const toml::node& node);

/// Throws engine::ConfigError at `at` for `key` with `message`.
[[noreturn]] void fail(const SweepPlan& plan, const toml::node& at, const std::string& key,
                       const std::string& message);

/// An axis value (bool, integer, float or string) read from `node`; anything else fails.
AxisValue to_axis_value(const SweepPlan& plan, const toml::node& node, const std::string& key);

/// Appends the axes of a grid table to `out`: lists become single-key axes, nested tables
/// dotted keys and, at the top level, `zip` groups multi-key axes. With `per_mechanism`
/// non-null, a top-level `per_mechanism` table is returned through it instead of read.
void collect_axes(const SweepPlan& plan, const toml::table& table, const std::string& prefix,
                  bool top, std::vector<Axis>& out, const toml::table** per_mechanism);

/// Orders axes by their position in the file (stable for equal positions).
void sort_by_position(std::vector<Axis>& axes);

}  // namespace proteus::sweep::detail
