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
  /// No prevention: the two orders trade, the owner is buyer and seller of one fill (the
  /// predecessor's CLOB); the ledger nets it to zero and the owner gets both fill notices.
  kAllow = 2,
};
inline constexpr auto kSelfTradeRuleNames = std::to_array<ChoiceName<SelfTradeRule>>({
    {"cancel_resting", SelfTradeRule::kCancelResting},
    {"cancel_incoming", SelfTradeRule::kCancelIncoming},
    {"allow", SelfTradeRule::kAllow},
});
constexpr std::span<const ChoiceName<SelfTradeRule>> choice_names(SelfTradeRule) {
  return kSelfTradeRuleNames;
}

/// When the CLOB matches a limit order (market.crossing).
enum class Crossing : std::uint8_t {
  /// At its arrival, against the book as it stands (price-time priority).
  kOnArrival = 0,
  /// The limit orders that arrive at one instant are all entered first, then the book is
  /// crossed best bid against best ask at the older order's price (the predecessor's CLOB).
  kEndOfInstant = 1,
};
inline constexpr auto kCrossingNames = std::to_array<ChoiceName<Crossing>>({
    {"on_arrival", Crossing::kOnArrival},
    {"end_of_instant", Crossing::kEndOfInstant},
});
constexpr std::span<const ChoiceName<Crossing>> choice_names(Crossing) {
  return kCrossingNames;
}

/// When the latent process takes its first step (latent.first_step).
enum class LatentStart : std::uint8_t {
  kAfterDt = 0,  ///< at dt: p = p0 during the first step
  kAtZero = 1,   ///< at time 0, before anything else (the predecessor: 1 + T/dt steps)
};
inline constexpr auto kLatentStartNames = std::to_array<ChoiceName<LatentStart>>({
    {"after_dt", LatentStart::kAfterDt},
    {"at_zero", LatentStart::kAtZero},
});
constexpr std::span<const ChoiceName<LatentStart>> choice_names(LatentStart) {
  return kLatentStartNames;
}

/// What happens to orders and notices still in flight at the end of the run (run.after_horizon).
enum class AfterHorizon : std::uint8_t {
  kStop = 0,   ///< the run ends at the horizon; later events are dropped
  kDrain = 1,  ///< arrivals, matching and notices go on until none is left (no decisions,
               ///< latent steps or samples); P&L and inventory metrics stay at the horizon
};
inline constexpr auto kAfterHorizonNames = std::to_array<ChoiceName<AfterHorizon>>({
    {"stop", AfterHorizon::kStop},
    {"drain", AfterHorizon::kDrain},
});
constexpr std::span<const ChoiceName<AfterHorizon>> choice_names(AfterHorizon) {
  return kAfterHorizonNames;
}

/// The way from an agent to the mechanism (run.book_delay).
enum class BookDelay : std::uint8_t {
  kSubmit = 0,         ///< the submission delay
  kSubmitPlusAck = 1,  ///< submission plus acknowledgement delay (the predecessor)
};
inline constexpr auto kBookDelayNames = std::to_array<ChoiceName<BookDelay>>({
    {"submit", BookDelay::kSubmit},
    {"submit_plus_ack", BookDelay::kSubmitPlusAck},
});
constexpr std::span<const ChoiceName<BookDelay>> choice_names(BookDelay) {
  return kBookDelayNames;
}

/// How long a market maker's quotes live (agents.market_maker.quotes).
enum class QuoteLifetime : std::uint8_t {
  kReplace = 0,  ///< one quote per side, cancelled and replaced when it moves
  kGtc = 1,      ///< new good-till-cancelled quotes every decision, never cancelled
};
inline constexpr auto kQuoteLifetimeNames = std::to_array<ChoiceName<QuoteLifetime>>({
    {"replace", QuoteLifetime::kReplace},
    {"gtc", QuoteLifetime::kGtc},
});
constexpr std::span<const ChoiceName<QuoteLifetime>> choice_names(QuoteLifetime) {
  return kQuoteLifetimeNames;
}

/// The market maker's belief p_hat (agents.market_maker.belief).
enum class BeliefRule : std::uint8_t {
  kSignalTape = 0,  ///< belief_weight * signal + (1 - belief_weight) * last trade price
  kSignalEwma = 1,  ///< EWMA of its own signal: p <- (1 - belief_alpha) p + belief_alpha s
};
inline constexpr auto kBeliefRuleNames = std::to_array<ChoiceName<BeliefRule>>({
    {"signal_tape", BeliefRule::kSignalTape},
    {"signal_ewma", BeliefRule::kSignalEwma},
});
constexpr std::span<const ChoiceName<BeliefRule>> choice_names(BeliefRule) {
  return kBeliefRuleNames;
}

/// Where the market maker's sigma_hat and AS_hat come from (agents.market_maker.estimators).
enum class SpreadEstimators : std::uint8_t {
  /// sigma_hat: EWMA of |change of p_hat| per decision; AS_hat: EWMA of the mean adverse move
  /// of the fills since the last decision (both with ewma_alpha).
  kBelief = 0,
  /// The predecessor's: sigma_hat is an EWMA (sigma_alpha) of |change| of a mid series fed by
  /// the mid of its previous quotes at each decision and by each own fill price; AS_hat is an
  /// EWMA (as_alpha) of |p_hat - fill price| at each own fill notice.
  kQuotesAndFills = 1,
};
inline constexpr auto kSpreadEstimatorsNames = std::to_array<ChoiceName<SpreadEstimators>>({
    {"belief", SpreadEstimators::kBelief},
    {"quotes_and_fills", SpreadEstimators::kQuotesAndFills},
});
constexpr std::span<const ChoiceName<SpreadEstimators>> choice_names(SpreadEstimators) {
  return kSpreadEstimatorsNames;
}

/// The market maker's quote size (agents.market_maker.size_rule).
enum class QuoteSizeRule : std::uint8_t {
  kFixed = 0,            ///< size
  kInventoryScaled = 1,  ///< size * max(size_floor, 1 - |I| / max_inventory)
};
inline constexpr auto kQuoteSizeRuleNames = std::to_array<ChoiceName<QuoteSizeRule>>({
    {"fixed", QuoteSizeRule::kFixed},
    {"inventory_scaled", QuoteSizeRule::kInventoryScaled},
});
constexpr std::span<const ChoiceName<QuoteSizeRule>> choice_names(QuoteSizeRule) {
  return kQuoteSizeRuleNames;
}

/// When the market maker stops quoting a side (agents.market_maker.inventory_limit).
enum class InventoryLimit : std::uint8_t {
  kProjected = 0,  ///< when a fill of the quote would take |I| beyond max_inventory
  kReached = 1,    ///< when |I| >= max_inventory already: it quotes only the reducing side
};
inline constexpr auto kInventoryLimitNames = std::to_array<ChoiceName<InventoryLimit>>({
    {"projected", InventoryLimit::kProjected},
    {"reached", InventoryLimit::kReached},
});
constexpr std::span<const ChoiceName<InventoryLimit>> choice_names(InventoryLimit) {
  return kInventoryLimitNames;
}

/// Which prices a trader takes as the market (agents.informed.reference, agents.noise.reference).
enum class PriceReference : std::uint8_t {
  kBook = 0,      ///< the public view (book or last trade)
  kMmQuotes = 1,  ///< the first market maker's quotes of its last decision before now
};
inline constexpr auto kPriceReferenceNames = std::to_array<ChoiceName<PriceReference>>({
    {"book", PriceReference::kBook},
    {"mm_quotes", PriceReference::kMmQuotes},
});
constexpr std::span<const ChoiceName<PriceReference>> choice_names(PriceReference) {
  return kPriceReferenceNames;
}

/// The informed trader's order (agents.informed.order).
enum class TakerOrder : std::uint8_t {
  kIoc = 0,    ///< immediate-or-cancel at the price it saw
  kLimit = 1,  ///< good-till-cancelled limit order at that price (rests if not filled)
};
inline constexpr auto kTakerOrderNames = std::to_array<ChoiceName<TakerOrder>>({
    {"ioc", TakerOrder::kIoc},
    {"limit", TakerOrder::kLimit},
});
constexpr std::span<const ChoiceName<TakerOrder>> choice_names(TakerOrder) {
  return kTakerOrderNames;
}

/// Which market-maker quote a metric sample reads (metrics.mm_quote_sample).
enum class QuoteSample : std::uint8_t {
  kLastDecision = 0,   ///< the last decision, including one at the sample's own instant
  kBeforeInstant = 1,  ///< the last decision strictly before the sample's instant
};
inline constexpr auto kQuoteSampleNames = std::to_array<ChoiceName<QuoteSample>>({
    {"last_decision", QuoteSample::kLastDecision},
    {"before_instant", QuoteSample::kBeforeInstant},
});
constexpr std::span<const ChoiceName<QuoteSample>> choice_names(QuoteSample) {
  return kQuoteSampleNames;
}

/// How the informed trader draws whether it acts (agents.informed.activity_draw).
enum class ActivityDraw : std::uint8_t {
  /// One geometric draw skips the inactive decision slots: it wakes only when it acts (the
  /// first slot one interval after the start).
  kSkip = 0,
  /// It decides every interval from time 0 and draws activity at each decision (the
  /// predecessor's per-decision draw).
  kPerDecision = 1,
};
inline constexpr auto kActivityDrawNames = std::to_array<ChoiceName<ActivityDraw>>({
    {"skip", ActivityDraw::kSkip},
    {"per_decision", ActivityDraw::kPerDecision},
});
constexpr std::span<const ChoiceName<ActivityDraw>> choice_names(ActivityDraw) {
  return kActivityDrawNames;
}

/// How noise arrivals are drawn (agents.noise.arrivals).
enum class NoiseArrivals : std::uint8_t {
  kPoisson = 0,  ///< a Poisson process: exponential gaps
  kPerStep = 1,  ///< every step_ms from time 0, a Poisson(rate * step) count of orders at once
};
inline constexpr auto kNoiseArrivalsNames = std::to_array<ChoiceName<NoiseArrivals>>({
    {"poisson", NoiseArrivals::kPoisson},
    {"per_step", NoiseArrivals::kPerStep},
});
constexpr std::span<const ChoiceName<NoiseArrivals>> choice_names(NoiseArrivals) {
  return kNoiseArrivalsNames;
}

/// Where a noise limit order rests (agents.noise.limit_price).
enum class NoiseLimitPrice : std::uint8_t {
  kBehindTouch = 0,  ///< behind the touch on its own side by U(0, limit_offset_max)
  kAroundMid = 1,    ///< at the reference mid + U(-limit_offset_max, limit_offset_max)
};
inline constexpr auto kNoiseLimitPriceNames = std::to_array<ChoiceName<NoiseLimitPrice>>({
    {"behind_touch", NoiseLimitPrice::kBehindTouch},
    {"around_mid", NoiseLimitPrice::kAroundMid},
});
constexpr std::span<const ChoiceName<NoiseLimitPrice>> choice_names(NoiseLimitPrice) {
  return kNoiseLimitPriceNames;
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

/// The spread the as2008 environment quotes (as2008.spread, docs/model.md).
enum class As2008Spread : std::uint8_t {
  /// (2 / gamma) ln(1 + gamma / k) at every step: the spread the paper's tables print.
  kConstant,
  /// gamma sigma^2 (T - t) + (2 / gamma) ln(1 + gamma / k): the paper's section 3 formula.
  kFiniteHorizon,
};
inline constexpr auto kAs2008SpreadNames = std::to_array<ChoiceName<As2008Spread>>({
    {"constant", As2008Spread::kConstant},
    {"finite_horizon", As2008Spread::kFiniteHorizon},
});
constexpr std::span<const ChoiceName<As2008Spread>> choice_names(As2008Spread) {
  return kAs2008SpreadNames;
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
