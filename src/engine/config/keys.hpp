// Internal to src/engine/config (include only from .cpp files): the key table that maps every
// dotted scenario key to its ScenarioSpec member, range and allowed values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/spec.hpp"

namespace proteus::engine::detail {

/// What a numeric key means to the simulation clock, beyond its range (run_limits.hpp).
enum class ClockUse {
  kNone,
  kDurationMs,  ///< a one-off delay in ms: 0, or at least the clock's 1 ns resolution
  kDurationS,   ///< a duration in seconds: at least 1 ns
  kStepMs,      ///< a recurring step in ms: at least kMinStepMs
  kRate,        ///< arrivals per second: 0, or at least kMinRatePerSecond
};

/// Allowed interval of a numeric key; open ends exclude the bound.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;
  ClockUse clock = ClockUse::kNone;
};

/// [lo, hi]: both bounds allowed.
constexpr Range closed(double lo, double hi, ClockUse clock = ClockUse::kNone) {
  return Range{lo, hi, false, false, clock};
}
/// (lo, hi]: strictly above `lo`.
constexpr Range above(double lo, double hi, ClockUse clock = ClockUse::kNone) {
  return Range{lo, hi, true, false, clock};
}
/// No bounds: keys that are not numbers.
constexpr Range kAnyValue{};

/// An enum key's allowed names, in table order.
using Choices = std::span<const std::string_view>;

/// An enum type seen through its names table (choices.hpp): values are read and written as
/// the index of their name, so one code path converts every choice key.
struct ChoiceType {
  std::vector<std::string_view> names;  ///< in table order: what errors list
  std::size_t (*index_of)(const void* field);
  void (*assign)(void* field, std::size_t index);
};

/// An enum field of one ScenarioSpec with its type's names.
struct ChoiceRef {
  void* field;
  const ChoiceType* type;
};

/// A field of one ScenarioSpec; one alternative per supported field type.
using FieldRef = std::variant<double*, int*, std::int64_t*, std::uint64_t*, bool*,
                              std::vector<double>*, ChoiceRef>;

/// Latency profiles in key order; every one except "default" inherits from "default".
struct LatencyProfileName {
  std::string_view name;
  LatencySpec LatencyProfiles::*profile;
};
inline const auto kLatencyProfiles = std::to_array<LatencyProfileName>({
    {"default", &LatencyProfiles::default_profile},
    {"market_maker", &LatencyProfiles::market_maker},
    {"informed", &LatencyProfiles::informed},
    {"noise", &LatencyProfiles::noise},
    {"sniper", &LatencyProfiles::sniper},
});
/// Keys of the default profile: the loader applies them before the class profiles copy it.
inline constexpr std::string_view kDefaultLatencyPrefix = "latency.default.";

/// The delay channels of a latency profile, in key order.
struct LatencyChannelName {
  std::string_view name;
  DelaySpec LatencySpec::*channel;
};
inline const auto kLatencyChannels = std::to_array<LatencyChannelName>({
    {"submit", &LatencySpec::submit},
    {"ack", &LatencySpec::ack},
    {"fill", &LatencySpec::fill},
    {"market_data", &LatencySpec::market_data},
});

/// One fully qualified key of ScenarioSpec; `choices` lists an enum key's names.
struct Entry {
  std::string key;
  std::function<FieldRef(ScenarioSpec&)> ref;
  Range range;
  Choices choices;
};

/// The flattened key table plus the tree of key segments used for unknown-key detection.
struct Registry {
  std::vector<Entry> entries;
  std::map<std::string, const Entry*, std::less<>> leaves;
  /// Dotted prefix ("" for the root) -> the known keys directly below it, sorted.
  std::map<std::string, std::vector<std::string>, std::less<>> children;
};

/// The key table, built once on first use.
const Registry& registry();

/// `prefix`.`name`, or `name` alone at the root.
std::string join_key(std::string_view prefix, std::string_view name);

/// The canonical TOML text of a field's value (what resolved_keys reports).
std::string render_field(const FieldRef& ref);

}  // namespace proteus::engine::detail
