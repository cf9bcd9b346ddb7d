// Internal to src/engine/config (include only from .cpp files): the state of one load_scenario
// call, which converts TOML nodes into spec fields and remembers where each value came from.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/config/keys.hpp"
#include "engine/spec.hpp"

namespace proteus::engine::detail {

/// Where a value came from: the config file (with position) or a --set override (line 0).
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;
};

/// Loader state shared by the passes of one load_scenario call.
class Loader {
 public:
  explicit Loader(std::string_view source) : source_(source) {}

  /// The file and position of `region`; override snippets report no line.
  Origin origin_of(const toml::source_region& region) const;

  /// Throws ConfigError at `where` for `key`.
  [[noreturn]] void fail(const Origin& where, std::string_view key,
                         const std::string& message) const;

  /// Throws "<key>: expected <expected>, got <what node is>" at `node`.
  [[noreturn]] void fail_type(const toml::node& node, std::string_view key,
                              std::string_view expected) const;

  /// Converts `node` to the field's type, checks range and allowed values, then stores it.
  void assign(const Entry& e, const toml::node& node, ScenarioSpec& spec);

  /// Collects (key, node) pairs of `table`, rejecting keys that are not in the registry.
  void collect(const toml::table& table, const std::string& prefix,
               std::vector<std::pair<const Entry*, const toml::node*>>& out) const;

  /// Checks the rules that span several keys (checks.cpp); throws at the key to blame.
  void check_cross_fields(const ScenarioSpec& s) const;

 private:
  void check_range(const Entry& e, const toml::node& node, double value,
                   const std::string& shown) const;
  std::int64_t as_checked_integer(const Entry& e, const toml::node& node) const;
  double as_checked_double(const Entry& e, const toml::node& node) const;
  Origin origin_of_key(std::string_view key) const;
  std::pair<std::string_view, Origin> blame(std::initializer_list<std::string_view> keys) const;
  [[noreturn]] void fail_cross(std::initializer_list<std::string_view> keys,
                               const std::string& message) const;

  std::string source_;
  std::map<std::string, Origin, std::less<>> origins_;
};

/// A TOML number (float or integer) as a double; nothing for other node types.
std::optional<double> as_number(const toml::node& node);

/// Why an in-range value of `key` cannot be simulated on the clock, or nothing when it can.
std::optional<std::string> clock_problem(std::string_view key, const Range& r, double value,
                                         const std::string& shown);

/// Applies one "dotted.key=value" to the parsed document, replacing what was there; an
/// unknown key or an unreadable value is a ConfigError naming the override.
void apply_override(toml::table& doc, const std::string& text, const Loader& loader);

}  // namespace proteus::engine::detail
