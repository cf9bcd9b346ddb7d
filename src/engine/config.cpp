// Scenario configuration loader: one table of keys (name, member, range, allowed values) drives
// TOML conversion, unknown-key detection, did-you-mean suggestions and resolved_keys.
#include "engine/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/run_limits.hpp"
#include "engine/types.hpp"

namespace proteus::engine {
namespace {

std::string format_what(const std::string& file, int line, int column, const std::string& message) {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string key,
                         const std::string& message)
    : std::runtime_error(format_what(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)) {}

namespace {

// ---------------------------------------------------------------------------------------------
// The key table.

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

constexpr Range closed(double lo, double hi, ClockUse clock = ClockUse::kNone) {
  return Range{lo, hi, false, false, clock};
}
/// (lo, hi]: strictly above `lo`.
constexpr Range above(double lo, double hi, ClockUse clock = ClockUse::kNone) {
  return Range{lo, hi, true, false, clock};
}
constexpr Range kAnyValue{};
constexpr double kMaxInt64AsDouble = 9223372036854775807.0;

using Choices = std::span<const std::string_view>;

/// An enum type seen through its names table (choices.hpp): values are read and written as
/// the index of their name, so one code path converts every choice key.
struct ChoiceType {
  std::vector<std::string_view> names;  ///< in table order: what errors list
  std::size_t (*index_of)(const void* field);
  void (*assign)(void* field, std::size_t index);
};

template <Choice E>
const ChoiceType& choice_type() {
  static const ChoiceType type = [] {
    ChoiceType t;
    for (const ChoiceName<E>& c : choice_names(E{})) t.names.push_back(c.name);
    t.index_of = [](const void* field) -> std::size_t {
      const auto table = choice_names(E{});
      const E value = *static_cast<const E*>(field);
      for (std::size_t i = 0; i < table.size(); ++i) {
        if (table[i].value == value) return i;
      }
      assert(false && "enum value missing from its names table");
      return 0;
    };
    t.assign = [](void* field, std::size_t index) {
      *static_cast<E*>(field) = choice_names(E{})[index].value;
    };
    return t;
  }();
  return type;
}

/// An enum field of one ScenarioSpec with its type's names.
struct ChoiceRef {
  void* field;
  const ChoiceType* type;
};

/// Where an enum member lives inside a struct S (any enum with a names table).
template <class S>
struct ChoiceMember {
  template <Choice E>
  ChoiceMember(E S::*p)  // implicit: table rows read {"name", &S::field}
      : type(&choice_type<E>()), ref([p](S& owner) {
          return ChoiceRef{&(owner.*p), &choice_type<E>()};
        }) {}
  const ChoiceType* type;
  std::function<ChoiceRef(S&)> ref;
};

/// Where a member lives inside a struct S; one alternative per supported field type.
template <class S>
using MemberPtr = std::variant<double S::*, int S::*, std::int64_t S::*, std::uint64_t S::*,
                               bool S::*, std::vector<double> S::*, ChoiceMember<S>>;

/// The same alternatives, resolved to a field of one ScenarioSpec.
using FieldRef = std::variant<double*, int*, std::int64_t*, std::uint64_t*, bool*,
                              std::vector<double>*, ChoiceRef>;

/// One key of a struct: its TOML name, the member and, for numbers, the allowed range.
template <class S>
struct Member {
  std::string_view name;
  MemberPtr<S> ptr;
  Range range = kAnyValue;
};

constexpr double kMaxMs = 1e6;        // 1000 s: longer than any delay or interval we model
constexpr double kMaxCount = 100000;  // agents of one class
constexpr double kMaxContracts = 1e6;

const auto kRunMembers = std::to_array<Member<RunSpec>>({
    {"duration_s", &RunSpec::duration_s, above(0, 1e7, ClockUse::kDurationS)},
    {"mechanism", &RunSpec::mechanism},
    {"environment", &RunSpec::environment},
    {"seed", &RunSpec::seed, closed(0, kMaxInt64AsDouble)},
});

const auto kMarketMembers = std::to_array<Member<MarketSpec>>({
    {"tick_size", &MarketSpec::tick_size, above(0, 0.1)},
    {"lot_size", &MarketSpec::lot_size, above(0, kMaxContracts)},
    {"max_order_lots", &MarketSpec::max_order_lots, closed(1, 1e9)},
    {"maker_fee_micros", &MarketSpec::maker_fee_micros, closed(-1e6, 1e6)},
    {"taker_fee_micros", &MarketSpec::taker_fee_micros, closed(-1e6, 1e6)},
    {"self_trade", &MarketSpec::self_trade},
});

const auto kLatentMembers = std::to_array<Member<LatentSpec>>({
    {"p0", &LatentSpec::p0, Range{0, 1, true, true}},
    {"phi", &LatentSpec::phi, closed(0, 1)},
    {"sigma_eta", &LatentSpec::sigma_eta, closed(0, 10)},
    {"dt_ms", &LatentSpec::dt_ms, above(0, kMaxMs, ClockUse::kStepMs)},
    {"x_bound", &LatentSpec::x_bound, above(0, 50)},
    {"jump_rate", &LatentSpec::jump_rate, closed(0, 1000)},
    {"jump_dist", &LatentSpec::jump_dist},
    {"jump_mean", &LatentSpec::jump_mean, closed(-50, 50)},
    {"jump_sd", &LatentSpec::jump_sd, closed(0, 50)},
    {"jump_size", &LatentSpec::jump_size, closed(0, 50)},
});

const auto kSignalMembers = std::to_array<Member<SignalSpec>>({
    {"delay_ms", &SignalSpec::delay_ms, closed(0, kMaxMs, ClockUse::kDurationMs)},
    {"noise", &SignalSpec::noise, closed(0, 1)},
});

const auto kScheduleMembers = std::to_array<Member<ScheduleSpec>>({
    {"mode", &ScheduleSpec::mode},
    {"interval_ms", &ScheduleSpec::interval_ms, above(0, kMaxMs, ClockUse::kStepMs)},
});

const auto kMarketMakerMembers = std::to_array<Member<MarketMakerSpec>>({
    {"count", &MarketMakerSpec::count, closed(0, kMaxCount)},
    {"rule", &MarketMakerSpec::rule},
    {"h0", &MarketMakerSpec::h0, closed(0, 0.5)},
    {"kappa", &MarketMakerSpec::kappa, closed(0, 1)},
    {"a", &MarketMakerSpec::a, closed(0, 1)},
    {"b", &MarketMakerSpec::b, closed(0, 100)},
    {"c", &MarketMakerSpec::c, closed(0, 100)},
    {"min_half_spread", &MarketMakerSpec::min_half_spread, closed(0, 0.5)},
    {"gamma", &MarketMakerSpec::gamma, above(0, 1000)},
    {"k", &MarketMakerSpec::k, above(0, 1000)},
    {"sigma", &MarketMakerSpec::sigma, closed(0, 10)},
    {"size", &MarketMakerSpec::size, above(0, kMaxContracts)},
    {"max_inventory", &MarketMakerSpec::max_inventory, above(0, 1e9)},
    {"loss_limit", &MarketMakerSpec::loss_limit, above(0, 1e12)},
    {"belief_weight", &MarketMakerSpec::belief_weight, closed(0, 1)},
    {"ewma_alpha", &MarketMakerSpec::ewma_alpha, above(0, 1)},
});

const auto kInformedMembers = std::to_array<Member<InformedSpec>>({
    {"count", &InformedSpec::count, closed(0, kMaxCount)},
    {"theta", &InformedSpec::theta, closed(0, 1)},
    {"cost", &InformedSpec::cost, closed(0, 1)},
    {"activity", &InformedSpec::activity, closed(0, 1)},
    {"size_min", &InformedSpec::size_min, above(0, kMaxContracts)},
    {"size_max", &InformedSpec::size_max, above(0, kMaxContracts)},
    {"size_per_edge", &InformedSpec::size_per_edge, closed(0, 1e9)},
});

const auto kNoiseMembers = std::to_array<Member<NoiseSpec>>({
    {"count", &NoiseSpec::count, closed(0, kMaxCount)},
    {"rate", &NoiseSpec::rate, closed(0, 10000, ClockUse::kRate)},
    {"size_dist", &NoiseSpec::size_dist},
    {"size_min", &NoiseSpec::size_min, above(0, kMaxContracts)},
    {"size_max", &NoiseSpec::size_max, above(0, kMaxContracts)},
    {"size_mean", &NoiseSpec::size_mean, above(0, kMaxContracts)},
    {"limit_fraction", &NoiseSpec::limit_fraction, closed(0, 1)},
    {"limit_offset_max", &NoiseSpec::limit_offset_max, closed(0, 1)},
    {"limit_ttl_ms", &NoiseSpec::limit_ttl_ms, above(0, 1e9, ClockUse::kDurationMs)},
});

const auto kSniperMembers = std::to_array<Member<SniperSpec>>({
    {"enabled", &SniperSpec::enabled},
    {"count", &SniperSpec::count, closed(0, kMaxCount)},
    {"theta_snipe", &SniperSpec::theta_snipe, closed(0, 1)},
    {"size", &SniperSpec::size, above(0, kMaxContracts)},
});

const auto kDelayMembers = std::to_array<Member<DelaySpec>>({
    {"dist", &DelaySpec::dist},
    {"value_ms", &DelaySpec::value_ms, closed(0, kMaxMs, ClockUse::kDurationMs)},
    {"low_ms", &DelaySpec::low_ms, closed(0, kMaxMs, ClockUse::kDurationMs)},
    {"high_ms", &DelaySpec::high_ms, closed(0, kMaxMs, ClockUse::kDurationMs)},
    {"median_ms", &DelaySpec::median_ms, above(0, kMaxMs, ClockUse::kDurationMs)},
    {"sigma", &DelaySpec::sigma, closed(0, 10)},
});

const auto kMetricsMembers = std::to_array<Member<MetricsSpec>>({
    {"as_horizons_ms", &MetricsSpec::as_horizons_ms, above(0, 1e9, ClockUse::kDurationMs)},
    {"sample_ms", &MetricsSpec::sample_ms, above(0, kMaxMs, ClockUse::kStepMs)},
    {"shock_threshold", &MetricsSpec::shock_threshold, above(0, 1)},
});

const auto kGlostenMilgromMembers = std::to_array<Member<GlostenMilgromSpec>>({
    {"v_low", &GlostenMilgromSpec::v_low, closed(-1e9, 1e9)},
    {"v_high", &GlostenMilgromSpec::v_high, closed(-1e9, 1e9)},
    {"prior", &GlostenMilgromSpec::prior, Range{0, 1, true, true}},
    {"mu", &GlostenMilgromSpec::mu, closed(0, 1)},
    {"trades", &GlostenMilgromSpec::trades, closed(1, 1e7)},
});

const auto kAs2008Members = std::to_array<Member<As2008Spec>>({
    {"strategy", &As2008Spec::strategy},
    {"s0", &As2008Spec::s0, above(0, 1e9)},
    {"T", &As2008Spec::T, above(0, 1e6)},
    {"sigma", &As2008Spec::sigma, closed(0, 1e6)},
    {"dt", &As2008Spec::dt, above(0, 1e6)},
    {"k", &As2008Spec::k, above(0, 1000)},
    {"A", &As2008Spec::A, closed(0, 1e6)},
    {"gamma", &As2008Spec::gamma, above(0, 1000)},
});

const auto kBatchMembers = std::to_array<Member<BatchSpec>>({
    {"delta_ms", &BatchSpec::delta_ms, above(0, kMaxMs, ClockUse::kStepMs)},
    {"tie_rule", &BatchSpec::tie_rule},
    {"allocation", &BatchSpec::allocation},
});

const auto kDualFlowMembers = std::to_array<Member<DualFlowSpec>>({
    {"acknowledge_gate", &DualFlowSpec::acknowledge_gate},
});

const auto kRfqMembers = std::to_array<Member<RfqSpec>>({
    {"dealers", &RfqSpec::dealers, closed(1, kMaxCount)},
    {"response_ms", &RfqSpec::response_ms, closed(0, kMaxMs, ClockUse::kDurationMs)},
    {"ttl_ms", &RfqSpec::ttl_ms, above(0, kMaxMs, ClockUse::kDurationMs)},
});

/// Latency profiles in key order; every one except "default" inherits from "default".
struct LatencyProfileName {
  std::string_view name;
  LatencySpec LatencyProfiles::*profile;
};
const auto kLatencyProfiles = std::to_array<LatencyProfileName>({
    {"default", &LatencyProfiles::default_profile},
    {"market_maker", &LatencyProfiles::market_maker},
    {"informed", &LatencyProfiles::informed},
    {"noise", &LatencyProfiles::noise},
    {"sniper", &LatencyProfiles::sniper},
});
constexpr std::string_view kDefaultLatencyPrefix = "latency.default.";

struct LatencyChannelName {
  std::string_view name;
  DelaySpec LatencySpec::*channel;
};
const auto kLatencyChannels = std::to_array<LatencyChannelName>({
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

template <class S, class Get, std::size_t N>
void add_members(std::vector<Entry>& out, std::string_view prefix, Get get,
                 const std::array<Member<S>, N>& members) {
  for (const Member<S>& m : members) {
    auto ref = [get, ptr = m.ptr](ScenarioSpec& spec) -> FieldRef {
      S& owner = get(spec);
      return std::visit(
          [&owner](const auto& p) -> FieldRef {
            if constexpr (std::is_same_v<std::decay_t<decltype(p)>, ChoiceMember<S>>) {
              return p.ref(owner);
            } else {
              return &(owner.*p);
            }
          },
          ptr);
    };
    // The names outlive the registry: choice_type<E>() keeps them in a function-local static.
    Choices choices;
    if (const auto* c = std::get_if<ChoiceMember<S>>(&m.ptr)) choices = c->type->names;
    out.push_back(Entry{fmt::format("{}.{}", prefix, m.name), ref, m.range, choices});
  }
}

Registry build_registry() {
  Registry reg;
  auto& out = reg.entries;
  add_members(
      out, "run", [](ScenarioSpec& s) -> RunSpec& { return s.run; }, kRunMembers);
  add_members(
      out, "market", [](ScenarioSpec& s) -> MarketSpec& { return s.market; }, kMarketMembers);
  add_members(
      out, "latent", [](ScenarioSpec& s) -> LatentSpec& { return s.latent; }, kLatentMembers);

  auto mm = [](ScenarioSpec& s) -> MarketMakerSpec& { return s.agents.market_maker; };
  add_members(out, "agents.market_maker", mm, kMarketMakerMembers);
  add_members(
      out, "agents.market_maker.signal",
      [mm](ScenarioSpec& s) -> SignalSpec& { return mm(s).signal; }, kSignalMembers);
  add_members(
      out, "agents.market_maker.schedule",
      [mm](ScenarioSpec& s) -> ScheduleSpec& { return mm(s).schedule; }, kScheduleMembers);

  auto informed = [](ScenarioSpec& s) -> InformedSpec& { return s.agents.informed; };
  add_members(out, "agents.informed", informed, kInformedMembers);
  add_members(
      out, "agents.informed.signal",
      [informed](ScenarioSpec& s) -> SignalSpec& { return informed(s).signal; }, kSignalMembers);
  add_members(
      out, "agents.informed.schedule",
      [informed](ScenarioSpec& s) -> ScheduleSpec& { return informed(s).schedule; },
      kScheduleMembers);

  add_members(
      out, "agents.noise", [](ScenarioSpec& s) -> NoiseSpec& { return s.agents.noise; },
      kNoiseMembers);

  auto sniper = [](ScenarioSpec& s) -> SniperSpec& { return s.agents.sniper; };
  add_members(out, "agents.sniper", sniper, kSniperMembers);
  add_members(
      out, "agents.sniper.signal",
      [sniper](ScenarioSpec& s) -> SignalSpec& { return sniper(s).signal; }, kSignalMembers);

  for (const auto& [profile_name, profile] : kLatencyProfiles) {
    for (const auto& [channel_name, channel] : kLatencyChannels) {
      auto delay = [profile, channel](ScenarioSpec& s) -> DelaySpec& {
        return (s.latency.*profile).*channel;
      };
      add_members(out, fmt::format("latency.{}.{}", profile_name, channel_name), delay,
                  kDelayMembers);
    }
  }

  add_members(
      out, "metrics", [](ScenarioSpec& s) -> MetricsSpec& { return s.metrics; }, kMetricsMembers);
  add_members(
      out, "as2008", [](ScenarioSpec& s) -> As2008Spec& { return s.as2008; }, kAs2008Members);
  add_members(
      out, "glosten_milgrom",
      [](ScenarioSpec& s) -> GlostenMilgromSpec& { return s.glosten_milgrom; },
      kGlostenMilgromMembers);
  add_members(
      out, "mechanism.fba", [](ScenarioSpec& s) -> BatchSpec& { return s.mechanism.fba; },
      kBatchMembers);
  add_members(
      out, "mechanism.dual_flow",
      [](ScenarioSpec& s) -> BatchSpec& { return s.mechanism.dual_flow.batch; }, kBatchMembers);
  add_members(
      out, "mechanism.dual_flow",
      [](ScenarioSpec& s) -> DualFlowSpec& { return s.mechanism.dual_flow; }, kDualFlowMembers);
  add_members(
      out, "mechanism.rfq", [](ScenarioSpec& s) -> RfqSpec& { return s.mechanism.rfq; },
      kRfqMembers);

  std::map<std::string, std::set<std::string>, std::less<>> children;
  for (const Entry& e : reg.entries) {
    reg.leaves.emplace(e.key, &e);
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = e.key.find('.', start);
      const std::string parent = start == 0 ? std::string() : e.key.substr(0, start - 1);
      children[parent].insert(e.key.substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  for (auto& [parent, names] : children) {
    reg.children.emplace(parent, std::vector<std::string>(names.begin(), names.end()));
  }
  return reg;
}

const Registry& registry() {
  static const Registry reg = build_registry();
  return reg;
}

std::string join_key(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
}

// ---------------------------------------------------------------------------------------------
// Rendering values as TOML text (resolved_keys and error messages).

std::string render_double(double v) {
  std::string s = fmt::format("{}", v);
  // fmt prints integral doubles without a point ("100"); TOML would read that as an integer.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string render_field(const FieldRef& ref) {
  struct Visitor {
    std::string operator()(const double* p) const { return render_double(*p); }
    std::string operator()(const int* p) const { return fmt::format("{}", *p); }
    std::string operator()(const std::int64_t* p) const { return fmt::format("{}", *p); }
    std::string operator()(const std::uint64_t* p) const { return fmt::format("{}", *p); }
    std::string operator()(const bool* p) const { return *p ? "true" : "false"; }
    std::string operator()(const ChoiceRef& r) const {
      return quote_string(r.type->names[r.type->index_of(r.field)]);
    }
    std::string operator()(const std::vector<double>* p) const {
      std::string out = "[";
      for (std::size_t i = 0; i < p->size(); ++i) {
        if (i > 0) out += ", ";
        out += render_double((*p)[i]);
      }
      return out + "]";
    }
  };
  return std::visit(Visitor{}, ref);
}

/// What a TOML node is, with its value: `string "abc"`, `integer 3`, `a table`.
std::string describe(const toml::node& node) {
  if (const auto* v = node.as_string()) return "string " + quote_excerpt(v->get());
  if (const auto* v = node.as_integer()) return fmt::format("integer {}", v->get());
  if (const auto* v = node.as_floating_point()) return "float " + render_double(v->get());
  if (const auto* v = node.as_boolean()) return v->get() ? "boolean true" : "boolean false";
  if (const auto* arr = node.as_array()) {
    std::string out = "array [";
    for (std::size_t i = 0; i < arr->size(); ++i) {
      if (i > 0) out += ", ";
      const toml::node& element = *arr->get(i);
      if (const auto* s = element.as_string()) {
        out += quote_excerpt(s->get());
      } else if (const auto* n = element.as_integer()) {
        out += fmt::format("{}", n->get());
      } else if (const auto* f = element.as_floating_point()) {
        out += render_double(f->get());
      } else if (const auto* b = element.as_boolean()) {
        out += b->get() ? "true" : "false";
      } else {
        out += "...";
      }
    }
    return out + "]";
  }
  if (node.is_table()) return "a table";
  return "a date/time";
}

std::string render_range(const Range& r) {
  return fmt::format("{}{}, {}{}", r.lo_open ? '(' : '[', r.lo, r.hi, r.hi_open ? ')' : ']');
}

std::string join_choices(Choices choices) {
  std::string out;
  for (std::string_view c : choices) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Did-you-mean.

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

/// The closest candidate when it is reasonably close: at most max(2, shorter length / 3) edits,
/// and not a complete rewrite of the word. Ties go to the first candidate in sorted order.
std::optional<std::string_view> closest(std::string_view word,
                                        std::span<const std::string> candidates) {
  // The distance table is word.size() x candidate.size(): a megabyte-long value would cost
  // gigabytes, and no key or allowed value is anywhere near this long.
  constexpr std::size_t kMaxWord = 64;
  if (word.size() > kMaxWord) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    const std::size_t limit = std::max<std::size_t>(2, std::min(word.size(), c.size()) / 3);
    if (dist <= limit && dist < std::max(word.size(), c.size()) && dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

std::optional<std::string_view> closest(std::string_view word, Choices candidates) {
  std::vector<std::string> owned(candidates.begin(), candidates.end());
  const auto found = closest(word, owned);
  if (!found) return std::nullopt;
  return *std::find(candidates.begin(), candidates.end(), *found);
}

/// Why `value` is not one of the allowed values of enumerated key `e`, with a suggestion.
std::optional<std::string> choice_error(const Entry& e, std::string_view value) {
  if (e.choices.empty() ||
      std::find(e.choices.begin(), e.choices.end(), value) != e.choices.end()) {
    return std::nullopt;
  }
  std::string message = fmt::format("{} = {} is not one of the allowed values: {}", e.key,
                                    quote_excerpt(value), join_choices(e.choices));
  if (auto near = closest(value, e.choices)) {
    message += fmt::format(" (did you mean {}?)", quote_string(*near));
  }
  return message;
}

// ---------------------------------------------------------------------------------------------
// What the clock can hold (run_limits.hpp).

/// Why an in-range value of `key` cannot be simulated, or nothing when it can.
std::optional<std::string> clock_problem(std::string_view key, const Range& r, double value,
                                         const std::string& shown) {
  // SimTime counts integer nanoseconds; a shorter positive value rounds to 0 ns.
  const std::string zero_or = r.lo_open ? "" : "0 or ";
  switch (r.clock) {
    case ClockUse::kNone:
      return std::nullopt;
    case ClockUse::kDurationMs:
      if (value > 0.0 && value < kClockResolutionMs) {
        return fmt::format(
            "{} = {} ms is shorter than 1 ns, the resolution of the simulation clock (integer "
            "nanoseconds): use {}at least {} ms",
            key, shown, zero_or, kClockResolutionMs);
      }
      return std::nullopt;
    case ClockUse::kDurationS:
      if (value < kClockResolutionMs * 1e-3) {
        return fmt::format(
            "{} = {} s is shorter than 1 ns, the resolution of the simulation clock: use at "
            "least {} s",
            key, shown, kClockResolutionMs * 1e-3);
      }
      return std::nullopt;
    case ClockUse::kStepMs:
      if (value < kMinStepMs) {
        return fmt::format(
            "{} = {} ms is below the shortest step the simulation accepts, {} ms (1 us): every "
            "step is an event on a clock of integer nanoseconds",
            key, shown, kMinStepMs);
      }
      return std::nullopt;
    case ClockUse::kRate:
      if (value > 0.0 && value < kMinRatePerSecond) {
        return fmt::format(
            "{} = {} per second is below the smallest positive rate, {} per second (gaps of up "
            "to 37.4 / rate seconds must fit the simulation clock): use 0 for no arrivals or at "
            "least {}",
            key, shown, kMinRatePerSecond, kMinRatePerSecond);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Conversion of TOML nodes into spec fields.

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

  Origin origin_of(const toml::source_region& region) const {
    if (!region.path) return Origin{source_, 0, 0};
    // Override values are parsed with the override text as their path; positions inside that
    // one-line snippet would mislead, so they report no line.
    if (*region.path != source_) return Origin{*region.path, 0, 0};
    return Origin{source_, static_cast<int>(region.begin.line),
                  static_cast<int>(region.begin.column)};
  }

  [[noreturn]] void fail(const Origin& where, std::string_view key,
                         const std::string& message) const {
    throw ConfigError(where.file, where.line, where.column, std::string(key), message);
  }

  [[noreturn]] void fail_type(const toml::node& node, std::string_view key,
                              std::string_view expected) const {
    fail(origin_of(node.source()), key,
         fmt::format("{}: expected {}, got {}", key, expected, describe(node)));
  }

  void check_range(const Entry& e, const toml::node& node, double value,
                   const std::string& shown) const {
    const Range& r = e.range;
    const bool lo_ok = r.lo_open ? value > r.lo : value >= r.lo;
    const bool hi_ok = r.hi_open ? value < r.hi : value <= r.hi;
    if (!(lo_ok && hi_ok)) {
      fail(origin_of(node.source()), e.key,
           fmt::format("{} = {} is out of range: allowed {}", e.key, shown, render_range(r)));
    }
    if (auto problem = clock_problem(e.key, r, value, shown)) {
      fail(origin_of(node.source()), e.key, *problem);
    }
  }

  std::optional<double> as_number(const toml::node& node) const {
    if (const auto* f = node.as_floating_point()) return f->get();
    if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
    return std::nullopt;
  }

  std::int64_t as_checked_integer(const Entry& e, const toml::node& node) const {
    const auto* i = node.as_integer();
    if (i == nullptr) fail_type(node, e.key, "an integer");
    check_range(e, node, static_cast<double>(i->get()), fmt::format("{}", i->get()));
    return i->get();
  }

  double as_checked_double(const Entry& e, const toml::node& node) const {
    const std::optional<double> v = as_number(node);
    if (!v) fail_type(node, e.key, "a number (float or integer)");
    check_range(e, node, *v, render_double(*v));
    return *v;
  }

  /// Converts `node` to the field's type, checks range and allowed values, then stores it.
  void assign(const Entry& e, const toml::node& node, ScenarioSpec& spec) {
    struct Visitor {
      const Loader& self;
      const Entry& e;
      const toml::node& node;
      void operator()(double* p) const { *p = self.as_checked_double(e, node); }
      void operator()(int* p) const { *p = static_cast<int>(self.as_checked_integer(e, node)); }
      void operator()(std::int64_t* p) const { *p = self.as_checked_integer(e, node); }
      void operator()(std::uint64_t* p) const {
        *p = static_cast<std::uint64_t>(self.as_checked_integer(e, node));
      }
      void operator()(bool* p) const {
        const auto* b = node.as_boolean();
        if (b == nullptr) self.fail_type(node, e.key, "a boolean (true or false)");
        *p = b->get();
      }
      void operator()(const ChoiceRef& r) const {
        const auto* s = node.as_string();
        if (s == nullptr) self.fail_type(node, e.key, "a string");
        const std::string& value = s->get();
        if (auto message = choice_error(e, value)) {
          self.fail(self.origin_of(node.source()), e.key, *message);
        }
        const auto found = std::find(e.choices.begin(), e.choices.end(), value);
        r.type->assign(r.field, static_cast<std::size_t>(found - e.choices.begin()));
      }
      void operator()(std::vector<double>* p) const {
        const auto* arr = node.as_array();
        if (arr == nullptr) self.fail_type(node, e.key, "an array of numbers");
        std::vector<double> values;
        for (const toml::node& element : *arr) {
          const std::optional<double> v = self.as_number(element);
          if (!v) self.fail_type(element, e.key, "an array of numbers");
          self.check_range(e, element, *v, render_double(*v));
          values.push_back(*v);
        }
        *p = std::move(values);
      }
    };
    std::visit(Visitor{*this, e, node}, e.ref(spec));
    origins_[e.key] = origin_of(node.source());
  }

  /// Collects (key, node) pairs of `table`, rejecting keys that are not in the registry.
  void collect(const toml::table& table, const std::string& prefix,
               std::vector<std::pair<const Entry*, const toml::node*>>& out) const {
    const Registry& reg = registry();
    for (const auto& [k, node] : table) {
      const std::string key = join_key(prefix, k.str());
      // A quoted key with a dot ("agents.noise" = ...) is one segment in TOML, never a path.
      const bool one_segment = k.str().find('.') == std::string_view::npos;
      if (auto leaf = reg.leaves.find(key); one_segment && leaf != reg.leaves.end()) {
        out.emplace_back(leaf->second, &node);
      } else if (one_segment && reg.children.contains(key)) {
        const toml::table* sub = node.as_table();
        if (sub == nullptr) fail_type(node, key, "a table");
        collect(*sub, key, out);
      } else {
        std::string message = fmt::format("unknown key '{}'", excerpt(key));
        if (auto near = closest(k.str(), reg.children.find(prefix)->second)) {
          message += fmt::format(" (did you mean '{}'?)", join_key(prefix, *near));
        }
        fail(origin_of(k.source()), key, message);
      }
    }
  }

  /// Origin of a resolved key; class latency keys not set explicitly answer for the default's.
  Origin origin_of_key(std::string_view key) const {
    if (auto it = origins_.find(key); it != origins_.end()) return it->second;
    if (key.starts_with("latency.")) {
      const std::size_t class_end = key.find('.', 8);
      auto it = origins_.find(fmt::format("latency.default{}", key.substr(class_end)));
      if (it != origins_.end()) return it->second;
    }
    return Origin{source_, 0, 0};
  }

  /// The origin to blame for a cross-field failure among `keys`: an override if there is one,
  /// else the first key that was set explicitly, else the first key.
  std::pair<std::string_view, Origin> blame(std::initializer_list<std::string_view> keys) const {
    std::optional<std::pair<std::string_view, Origin>> explicit_key;
    for (std::string_view key : keys) {
      Origin o = origin_of_key(key);
      if (o.file != source_) return {key, o};
      if (o.line > 0 && !explicit_key) explicit_key.emplace(key, o);
    }
    if (explicit_key) return *explicit_key;
    return {*keys.begin(), origin_of_key(*keys.begin())};
  }

  [[noreturn]] void fail_cross(std::initializer_list<std::string_view> keys,
                               const std::string& message) const {
    const auto [key, where] = blame(keys);
    fail(where, key, message);
  }

  void check_cross_fields(const ScenarioSpec& s) const;

 private:
  std::string source_;
  std::map<std::string, Origin, std::less<>> origins_;
};

/// True when `x` is within 1e-9 relative of a whole number.
bool is_whole(double x) {
  return std::abs(x - std::round(x)) <= 1e-9 * std::abs(x);
}

void Loader::check_cross_fields(const ScenarioSpec& s) const {
  const double ticks_per_unit = 1.0 / s.market.tick_size;
  if (!is_whole(ticks_per_unit)) {
    fail_cross({"market.tick_size"},
               fmt::format("market.tick_size = {}: 1 / tick_size = {} must be an integer",
                           render_double(s.market.tick_size), ticks_per_unit));
  }
  const double cash_per_tick_lot =
      static_cast<double>(kCashPerUnit) * s.market.tick_size * s.market.lot_size;
  if (!is_whole(cash_per_tick_lot) || std::round(cash_per_tick_lot) < 1.0) {
    fail_cross({"market.lot_size", "market.tick_size"},
               fmt::format("market.tick_size = {} and market.lot_size = {}: {} * tick_size * "
                           "lot_size = {} must be an integer >= 1 so cash stays exact",
                           render_double(s.market.tick_size), render_double(s.market.lot_size),
                           kCashPerUnit, cash_per_tick_lot));
  }

  auto check_whole_lots = [&](std::string_view key, double size) {
    const double lots = size / s.market.lot_size;
    if (!is_whole(lots) || std::round(lots) < 1.0) {
      fail_cross({key, "market.lot_size"},
                 fmt::format("{} = {} must be a whole number >= 1 of lots (market.lot_size = {})",
                             key, render_double(size), render_double(s.market.lot_size)));
    }
  };
  check_whole_lots("agents.market_maker.size", s.agents.market_maker.size);
  check_whole_lots("agents.sniper.size", s.agents.sniper.size);

  auto check_min_max = [&](std::string_view prefix, double lo, double hi) {
    if (lo > hi) {
      const std::string min_key = fmt::format("{}.size_min", prefix);
      const std::string max_key = fmt::format("{}.size_max", prefix);
      fail_cross({max_key, min_key}, fmt::format("{} = {} must be >= {} = {}", max_key,
                                                 render_double(hi), min_key, render_double(lo)));
    }
  };
  check_min_max("agents.informed", s.agents.informed.size_min, s.agents.informed.size_max);
  check_min_max("agents.noise", s.agents.noise.size_min, s.agents.noise.size_max);

  for (const auto& [profile_name, profile] : kLatencyProfiles) {
    for (const auto& [channel_name, channel] : kLatencyChannels) {
      const DelaySpec& d = (s.latency.*profile).*channel;
      if (d.dist == DelayDist::kUniform && d.low_ms > d.high_ms) {
        const std::string prefix = fmt::format("latency.{}.{}", profile_name, channel_name);
        const std::string high_key = prefix + ".high_ms";
        const std::string low_key = prefix + ".low_ms";
        fail_cross({high_key, low_key},
                   fmt::format("{}: uniform delay needs low_ms <= high_ms, got low_ms = {} and "
                               "high_ms = {}",
                               prefix, render_double(d.low_ms), render_double(d.high_ms)));
      }
    }
  }

  const std::vector<double>& horizons = s.metrics.as_horizons_ms;
  if (std::adjacent_find(horizons.begin(), horizons.end(), std::greater_equal<>()) !=
      horizons.end()) {
    fail_cross({"metrics.as_horizons_ms"},
               "metrics.as_horizons_ms must be strictly increasing (each horizon is one column)");
  }

  if (s.run.mechanism == MechanismKind::kDualFlow && !s.mechanism.dual_flow.acknowledge_gate) {
    fail_cross({"run.mechanism", "mechanism.dual_flow.acknowledge_gate"},
               std::string(kDualFlowGateMessage));
  }

  if (!(s.glosten_milgrom.v_high > s.glosten_milgrom.v_low)) {
    fail_cross({"glosten_milgrom.v_low", "glosten_milgrom.v_high"},
               fmt::format("glosten_milgrom.v_high = {} must exceed glosten_milgrom.v_low = {}",
                           render_double(s.glosten_milgrom.v_high),
                           render_double(s.glosten_milgrom.v_low)));
  }
  if (s.as2008.dt > s.as2008.T) {
    fail_cross({"as2008.dt", "as2008.T"},
               fmt::format("as2008.dt = {} must be <= as2008.T = {}", render_double(s.as2008.dt),
                           render_double(s.as2008.T)));
  }

  const EventEstimate events = estimate_events(s);
  if (!(events.total <= kMaxEventsPerRun)) {
    const std::string_view duration_key =
        s.run.environment == Environment::kAs2008 ? "as2008.T" : "run.duration_s";
    fail_cross({events.largest_key, duration_key},
               fmt::format("about {:.3g} events per run, above the limit of {:.0e} (the largest "
                           "share, {:.3g}, comes from {}; see 'Limits' in docs/config.md): "
                           "use a longer step, a lower rate or count, or a shorter {}",
                           events.total, kMaxEventsPerRun, events.largest, events.largest_key,
                           duration_key));
  }
}

// ---------------------------------------------------------------------------------------------
// Overrides.

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

/// A word the shell would pass unquoted that TOML cannot read, e.g. fba: taken as a string.
bool is_bare_word(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f &&
           std::string_view("\"'[]{}=#,\\").find(c) == std::string_view::npos;
  });
}

/// Splits an override key into its segments, rejecting unknown keys with a suggestion.
std::vector<std::string> check_override_key(std::string_view key, const std::string& where) {
  const Registry& reg = registry();
  std::vector<std::string> segments;
  std::string prefix;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string segment(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    auto level = reg.children.find(prefix);
    const bool known = level != reg.children.end() &&
                       std::binary_search(level->second.begin(), level->second.end(), segment);
    if (!known) {
      std::string message = fmt::format("unknown key '{}'", key);
      if (level == reg.children.end()) {
        message += fmt::format(": '{}' is a value, not a table", prefix);
      } else if (auto near = closest(segment, level->second)) {
        // Suggest the whole corrected key when the rest of it is then known.
        std::string fixed = join_key(prefix, *near);
        if (dot != std::string_view::npos) {
          const std::string whole = fmt::format("{}{}", fixed, key.substr(dot));
          if (reg.leaves.contains(whole) || reg.children.contains(whole)) fixed = whole;
        }
        message += fmt::format(" (did you mean '{}'?)", fixed);
      }
      throw ConfigError(where, 0, 0, std::string(key), message);
    }
    segments.push_back(segment);
    prefix = join_key(prefix, segment);
    if (dot == std::string_view::npos) return segments;
    start = dot + 1;
  }
}

/// Applies one "dotted.key=value" to the parsed document, replacing what was there.
void apply_override(toml::table& doc, const std::string& text, const Loader& loader) {
  const std::string where = "--set " + text;
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) {
    throw ConfigError(where, 0, 0, "", "an override must look like dotted.key=value");
  }
  const std::string_view key = trim(std::string_view(text).substr(0, eq));
  const std::string_view value = trim(std::string_view(text).substr(eq + 1));
  if (key.empty()) throw ConfigError(where, 0, 0, "", "missing key before '='");
  const std::vector<std::string> segments = check_override_key(key, where);
  if (value.empty()) {
    throw ConfigError(where, 0, 0, std::string(key), fmt::format("missing value for {}", key));
  }

  toml::table parsed;
  try {
    parsed = toml::parse(fmt::format("v = {}", value), where);
  } catch (const toml::parse_error& error) {
    if (!is_bare_word(value)) {
      throw ConfigError(where, 0, 0, std::string(key),
                        fmt::format("invalid TOML value: {}", error.description()));
    }
    // Parsed rather than constructed so that the value carries the override as its origin.
    parsed = toml::parse(fmt::format("v = {}", quote_string(value)), where);
  }

  toml::table* table = &doc;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    prefix = join_key(prefix, segments[i]);
    toml::node* next = table->get(segments[i]);
    if (next == nullptr) next = &table->insert(segments[i], toml::table{}).first->second;
    table = next->as_table();
    if (table == nullptr) loader.fail_type(*next, prefix, "a table");
  }
  table->insert_or_assign(segments.back(), std::move(*parsed.get("v")));
}

}  // namespace

ScenarioSpec load_scenario(std::string_view toml_text, std::string_view source,
                           std::span<const std::string> overrides) {
  Loader loader(source);
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    const toml::source_position begin = error.source().begin;
    throw ConfigError(std::string(source), static_cast<int>(begin.line),
                      static_cast<int>(begin.column), "", std::string(error.description()));
  }
  for (const std::string& override_text : overrides) apply_override(doc, override_text, loader);

  std::vector<std::pair<const Entry*, const toml::node*>> assignments;
  loader.collect(doc, "", assignments);

  // Class latency profiles start as copies of the finished default profile, so its keys go first.
  ScenarioSpec spec;
  auto is_default_latency = [](const Entry* e) {
    return e->key.starts_with(kDefaultLatencyPrefix);
  };
  for (const auto& [entry, node] : assignments) {
    if (is_default_latency(entry)) loader.assign(*entry, *node, spec);
  }
  for (const auto& [name, profile] : kLatencyProfiles) {
    if (profile != &LatencyProfiles::default_profile) {
      spec.latency.*profile = spec.latency.default_profile;
    }
  }
  for (const auto& [entry, node] : assignments) {
    if (!is_default_latency(entry)) loader.assign(*entry, *node, spec);
  }
  loader.check_cross_fields(spec);
  return spec;
}

std::string read_config_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(name, 0, 0, "", "is a directory, not a config file");
  }
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) {
    throw ConfigError(name, 0, 0, "", fmt::format("cannot open: {}", std::strerror(errno)));
  }
  std::string text;
  std::array<char, 65536> buffer;
  std::size_t n = 0;
  // Reads at most one buffer past the cap, so an endless file (/dev/zero) fails at once.
  while (text.size() <= kMaxConfigBytes &&
         (n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    text.append(buffer.data(), n);
  }
  const int read_errno = errno;
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    throw ConfigError(name, 0, 0, "", fmt::format("read error: {}", std::strerror(read_errno)));
  }
  if (text.size() > kMaxConfigBytes) {
    throw ConfigError(
        name, 0, 0, "",
        fmt::format("larger than {} MiB, the limit for a config file", kMaxConfigBytes >> 20));
  }
  return text;
}

ScenarioSpec load_scenario_file(const std::filesystem::path& path,
                                std::span<const std::string> overrides) {
  return load_scenario(read_config_file(path), path.string(), overrides);
}

std::optional<std::string> choice_error(std::string_view key, std::string_view value) {
  const Registry& reg = registry();
  const auto leaf = reg.leaves.find(key);
  if (leaf == reg.leaves.end()) return std::nullopt;
  return choice_error(*leaf->second, value);
}

std::map<std::string, std::string> resolved_keys(const ScenarioSpec& spec) {
  // The key table hands out mutable references; render from a copy so `spec` stays const.
  ScenarioSpec copy = spec;
  std::map<std::string, std::string> out;
  for (const Entry& e : registry().entries) out.emplace(e.key, render_field(e.ref(copy)));
  return out;
}

std::string excerpt(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  // Cut before a UTF-8 continuation byte never inside a character.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
  return fmt::format("{}... ({} bytes)", s.substr(0, cut), s.size());
}

std::string quote_excerpt(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return quote_string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
  return fmt::format("{}... ({} bytes)", quote_string(s.substr(0, cut)), s.size());
}

std::string quote_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(ch)));
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace proteus::engine
