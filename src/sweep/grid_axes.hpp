// Internal to src/sweep (include only from .cpp files): reading [grid] tables into axes, and
// the TOML document, position and error helpers the sweep-file parser and the grid expansion
// share with it.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <string>
#include <string_view>
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

/// Indices of the axes that sweep `key` (several when mechanism-specific axes share it).
std::vector<std::size_t> axes_of_key(const SweepPlan& plan, const std::string& key);

/// The node at dotted path `dotted` of `root`, or nullptr.
const toml::node* find_dotted(const toml::table& root, const std::string& dotted);

/// The scenario part of a sweep file: the whole table minus [sweep] and [grid].
toml::table scenario_table(const toml::table& doc);

/// `table` as TOML text without indentation (the resolved scenario text of a cell).
std::string serialise(const toml::table& table);

/// Parses `text`; a syntax error is an engine::ConfigError at its position in `source`.
toml::table parse_document(std::string_view text, const std::string& source);

}  // namespace proteus::sweep::detail
