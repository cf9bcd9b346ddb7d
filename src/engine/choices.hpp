// The choice values of a scenario as enums, each with the one table of its TOML names: the
// config key table parses a name once, everything downstream switches on the enum.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace proteus::engine {

/// One TOML name of a choice value.
template <class E>
struct ChoiceName {
  std::string_view name;
  E value;
};

/// Which mechanism a market run uses (run.mechanism).
enum class MechanismKind : std::uint8_t { kClob, kFba, kRfq, kDualFlow };
inline constexpr auto kMechanismKindNames = std::to_array<ChoiceName<MechanismKind>>({
    {"clob", MechanismKind::kClob},
    {"fba", MechanismKind::kFba},
    {"rfq", MechanismKind::kRfq},
    {"dual_flow", MechanismKind::kDualFlow},
});
constexpr std::span<const ChoiceName<MechanismKind>> choice_names(MechanismKind) {
  return kMechanismKindNames;
}

/// Which model a run simulates (run.environment). Adding one is an enumerator and a row here,
/// a case in run_scenario and its metric registry.
enum class Environment : std::uint8_t { kMarket, kAs2008, kGlostenMilgrom };
inline constexpr auto kEnvironmentNames = std::to_array<ChoiceName<Environment>>({
    {"market", Environment::kMarket},
    {"as2008", Environment::kAs2008},
    {"glosten_milgrom", Environment::kGlostenMilgrom},
});
constexpr std::span<const ChoiceName<Environment>> choice_names(Environment) {
  return kEnvironmentNames;
}

/// The distribution of a seeded delay (latency.<class>.<channel>.dist).
enum class DelayDist : std::uint8_t { kConstant, kUniform, kExponential, kLognormal };
inline constexpr auto kDelayDistNames = std::to_array<ChoiceName<DelayDist>>({
    {"constant", DelayDist::kConstant},
    {"uniform", DelayDist::kUniform},
    {"exponential", DelayDist::kExponential},
    {"lognormal", DelayDist::kLognormal},
});
constexpr std::span<const ChoiceName<DelayDist>> choice_names(DelayDist) {
  return kDelayDistNames;
}

/// When an agent decides: at fixed intervals or on market-data updates (schedule.mode).
enum class ScheduleMode : std::uint8_t { kInterval, kEvent };
inline constexpr auto kScheduleModeNames = std::to_array<ChoiceName<ScheduleMode>>({
    {"interval", ScheduleMode::kInterval},
    {"event", ScheduleMode::kEvent},
});
constexpr std::span<const ChoiceName<ScheduleMode>> choice_names(ScheduleMode) {
  return kScheduleModeNames;
}

/// How the market maker sets its quotes (agents.market_maker.rule).
enum class QuoteRule : std::uint8_t { kLinear, kAvellanedaStoikov };
inline constexpr auto kQuoteRuleNames = std::to_array<ChoiceName<QuoteRule>>({
    {"linear", QuoteRule::kLinear},
    {"avellaneda_stoikov", QuoteRule::kAvellanedaStoikov},
});
constexpr std::span<const ChoiceName<QuoteRule>> choice_names(QuoteRule) {
  return kQuoteRuleNames;
}

/// The size distribution of noise orders (agents.noise.size_dist).
enum class SizeDist : std::uint8_t { kUniform, kGeometric };
inline constexpr auto kSizeDistNames = std::to_array<ChoiceName<SizeDist>>({
    {"uniform", SizeDist::kUniform},
    {"geometric", SizeDist::kGeometric},
});
constexpr std::span<const ChoiceName<SizeDist>> choice_names(SizeDist) {
  return kSizeDistNames;
}

/// The jump distribution of the latent process (latent.jump_dist).
enum class JumpDist : std::uint8_t { kNormal, kSymmetric };
inline constexpr auto kJumpDistNames = std::to_array<ChoiceName<JumpDist>>({
    {"normal", JumpDist::kNormal},
    {"symmetric", JumpDist::kSymmetric},
});
constexpr std::span<const ChoiceName<JumpDist>> choice_names(JumpDist) {
  return kJumpDistNames;
}

/// What the CLOB does when an incoming order would trade with a resting order of the same
/// owner (market.self_trade).
enum class SelfTradeRule : std::uint8_t {
  /// The resting order is cancelled (kCancelled, kSelfTrade, reported to its owner) and the
  /// incoming order keeps matching against the orders behind it.
  kCancelResting = 0,
  /// The incoming order's open remainder is cancelled (kCancelled, kSelfTrade); the resting
  /// order keeps its place. Trades made before reaching the own order stand.
  kCancelIncoming = 1,
};
inline constexpr auto kSelfTradeRuleNames = std::to_array<ChoiceName<SelfTradeRule>>({
    {"cancel_resting", SelfTradeRule::kCancelResting},
    {"cancel_incoming", SelfTradeRule::kCancelIncoming},
});
constexpr std::span<const ChoiceName<SelfTradeRule>> choice_names(SelfTradeRule) {
  return kSelfTradeRuleNames;
}

/// The quoting strategy of the as2008 environment (as2008.strategy).
enum class As2008Strategy : std::uint8_t { kInventory, kSymmetric };
inline constexpr auto kAs2008StrategyNames = std::to_array<ChoiceName<As2008Strategy>>({
    {"inventory", As2008Strategy::kInventory},
    {"symmetric", As2008Strategy::kSymmetric},
});
constexpr std::span<const ChoiceName<As2008Strategy>> choice_names(As2008Strategy) {
  return kAs2008StrategyNames;
}

/// How a batch picks one clearing price among the prices of maximum volume (tie_rule).
enum class TieRule : std::uint8_t {
  /// Minimum |demand - supply|, then closest to the previous clearing price, then the midpoint.
  kImbalance = 0,
  /// Closest to the previous clearing price, then the midpoint (imbalance ignored).
  kPrevious = 1,
  /// The midpoint of the maximum-volume prices (imbalance and history ignored).
  kMidpoint = 2,
  /// The predecessor's rule: candidates are the orders' limits (not every tick); most volume,
  /// then least imbalance, then the midpoint of the lowest and highest such limit (floored).
  kImbalanceMidpoint = 3,
};
inline constexpr auto kTieRuleNames = std::to_array<ChoiceName<TieRule>>({
    {"imbalance", TieRule::kImbalance},
    {"previous", TieRule::kPrevious},
    {"midpoint", TieRule::kMidpoint},
    {"imbalance_midpoint", TieRule::kImbalanceMidpoint},
});
constexpr std::span<const ChoiceName<TieRule>> choice_names(TieRule) {
  return kTieRuleNames;
}

/// How a batch rations the long side at the clearing price (allocation).
enum class Allocation : std::uint8_t {
  kTime = 0,     ///< earliest arrival first
  kProRata = 1,  ///< in proportion to size, whole lots, largest remainders first (then time)
  kRandom = 2,   ///< a seeded random priority order (Fisher-Yates over the mechanism stream)
  /// Earliest arrival first among all orders that accept the price, with no price priority
  /// (the predecessor's time_priority).
  kTimeAnyPrice = 3,
};
inline constexpr auto kAllocationNames = std::to_array<ChoiceName<Allocation>>({
    {"time", Allocation::kTime},
    {"pro_rata", Allocation::kProRata},
    {"random", Allocation::kRandom},
    {"time_any_price", Allocation::kTimeAnyPrice},
});
constexpr std::span<const ChoiceName<Allocation>> choice_names(Allocation) {
  return kAllocationNames;
}

/// An enum with a names table (found by `choice_names(E{})`).
template <class E>
concept Choice = std::is_enum_v<E> && requires(E e) {
  { choice_names(e) } -> std::convertible_to<std::span<const ChoiceName<E>>>;
};

/// The TOML name of `value`; "?" for a value outside its table (a cast, never a parsed value).
template <Choice E>
constexpr std::string_view to_string(E value) {
  for (const ChoiceName<E>& c : choice_names(value)) {
    if (c.value == value) return c.name;
  }
  return "?";
}

/// The value named `name`, or nullopt when the table has no such name.
template <Choice E>
constexpr std::optional<E> parse_choice(std::string_view name) {
  for (const ChoiceName<E>& c : choice_names(E{})) {
    if (c.name == name) return c.value;
  }
  return std::nullopt;
}

}  // namespace proteus::engine
