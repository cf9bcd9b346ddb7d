// What searches move and where they start: search dimensions (KEY=LO:HI[:log][:int]), regimes
// as flat key settings read from and written to TOML fragments, and the base scenario text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sweep/sweep_config.hpp"

namespace proteus::search {

/// One searched scenario key: values in [lo, hi], spread uniformly or (log) in log space, and
/// rounded to an integer when the key takes integers.
struct Dimension {
  std::string key;
  double lo = 0.0;
  double hi = 0.0;
  bool log = false;
  bool integer = false;
};

/// Parses `KEY=LO:HI[:log][:int]`; throws sweep::SweepUsageError naming the text when the form
/// is wrong, LO > HI, a bound is not finite or log is asked with LO <= 0.
Dimension parse_dimension(std::string_view text);

/// The value at u in [0, 1] (0 gives lo, 1 gives hi), rounded to 6 significant digits (or to
/// an integer), so that every value written to a sweep or regime file reads back exactly.
double from_unit(const Dimension& dim, double u);

/// Where `value` lies in [0, 1] (clamped).
double to_unit(const Dimension& dim, double value);

/// The value as it goes into a sweep file: an integer for integer dimensions, else a float.
sweep::AxisValue axis_value(const Dimension& dim, double value);

/// The value as a number (booleans 0/1); strings are NaN.
double number_of(const sweep::AxisValue& value);

/// `count` points of a Latin hypercube in [0, 1]^dims: each dimension's `count` strata in a
/// random order, one uniform point per stratum, from the Philox stream (seed, stream).
std::vector<std::vector<double>> latin_hypercube(std::size_t count, std::size_t dims,
                                                 std::uint64_t seed, std::uint64_t stream);

/// Parses `KEY=VALUE` (the value in TOML syntax; bare words are strings); throws
/// sweep::SweepUsageError without a key.
sweep::Setting parse_setting(std::string_view text);

/// Flattens a TOML fragment of scenario keys (a regime) into dotted-key settings in file order.
/// Throws engine::ConfigError (file, line, column, key) for [sweep], [grid], [experiment] or
/// [preset] tables, arrays, dates or a file that is not TOML.
std::vector<sweep::Setting> read_regime(const std::filesystem::path& path);

/// A regime fragment: `header` lines as comments, then one `dotted.key = value` per setting.
std::string regime_toml(const std::vector<sweep::Setting>& settings, std::string_view header);

/// A TOML literal of a value (strings quoted, floats in shortest round-trip form).
std::string toml_literal(const sweep::AxisValue& value);

/// The scenario a search runs: the text without [sweep] and [grid], and where it came from.
struct BaseScenario {
  std::string text;
  std::string source;
};

/// The scenario of `name`: a scenario or sweep file (its [sweep] and [grid] dropped) or an
/// experiment (found as `proteus experiment run` finds it in `experiment_dirs`), resolved with
/// `preset` (its scenario, own tables, regime and preset keys; the grid dropped). Then each of
/// `settings` is applied over it. Throws engine::ConfigError.
BaseScenario load_base(const std::string& name, const std::string& preset,
                       const std::vector<std::filesystem::path>& experiment_dirs,
                       const std::vector<sweep::Setting>& settings = {});

/// `base` with `settings` applied (later settings win), as TOML text; the result is checked with
/// engine::load_scenario. Throws engine::ConfigError.
std::string apply_settings(const BaseScenario& base, const std::vector<sweep::Setting>& settings);

}  // namespace proteus::search
