// The key table: every scenario key with its ScenarioSpec member, its range (and what it means
// to the clock) and, for enum keys, the names from choices.hpp; resolved_keys renders it.
#include "engine/config/keys.hpp"

#include <fmt/format.h>

#include <cassert>
#include <set>
#include <type_traits>
#include <utility>

#include "engine/config.hpp"
#include "engine/config/toml_text.hpp"

namespace proteus::engine {
namespace detail {
namespace {

constexpr double kMaxInt64AsDouble = 9223372036854775807.0;

template <Choice E>
const ChoiceType& choice_type() {
  static const ChoiceType kType = [] {
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
  return kType;
}

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
    {"book_delay", &RunSpec::book_delay},
    {"after_horizon", &RunSpec::after_horizon},
});

const auto kMarketMembers = std::to_array<Member<MarketSpec>>({
    {"tick_size", &MarketSpec::tick_size, above(0, 0.1)},
    {"lot_size", &MarketSpec::lot_size, above(0, kMaxContracts)},
    {"max_order_lots", &MarketSpec::max_order_lots, closed(1, 1e9)},
    {"maker_fee_micros", &MarketSpec::maker_fee_micros, closed(-1e6, 1e6)},
    {"taker_fee_micros", &MarketSpec::taker_fee_micros, closed(-1e6, 1e6)},
    {"self_trade", &MarketSpec::self_trade},
    {"crossing", &MarketSpec::crossing},
    {"cash_per_unit", &MarketSpec::cash_per_unit, closed(1, 1e15)},
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
    {"first_step", &LatentSpec::first_step},
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
    {"quotes", &MarketMakerSpec::quotes},
    {"belief", &MarketMakerSpec::belief},
    {"belief_alpha", &MarketMakerSpec::belief_alpha, above(0, 1)},
    {"belief_init", &MarketMakerSpec::belief_init, closed(0, 1)},
    {"estimators", &MarketMakerSpec::estimators},
    {"sigma_alpha", &MarketMakerSpec::sigma_alpha, above(0, 1)},
    {"as_alpha", &MarketMakerSpec::as_alpha, above(0, 1)},
    {"size_rule", &MarketMakerSpec::size_rule},
    {"size_floor", &MarketMakerSpec::size_floor, above(0, 1)},
    {"inventory_limit", &MarketMakerSpec::inventory_limit},
});

const auto kInformedMembers = std::to_array<Member<InformedSpec>>({
    {"count", &InformedSpec::count, closed(0, kMaxCount)},
    {"theta", &InformedSpec::theta, closed(0, 1)},
    {"cost", &InformedSpec::cost, closed(0, 1)},
    {"activity", &InformedSpec::activity, closed(0, 1)},
    {"size_min", &InformedSpec::size_min, above(0, kMaxContracts)},
    {"size_max", &InformedSpec::size_max, above(0, kMaxContracts)},
    {"size_per_edge", &InformedSpec::size_per_edge, closed(0, 1e9)},
    {"order", &InformedSpec::order},
    {"activity_draw", &InformedSpec::activity_draw},
    {"reference", &InformedSpec::reference},
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
    {"arrivals", &NoiseSpec::arrivals},
    {"step_ms", &NoiseSpec::step_ms, above(0, kMaxMs, ClockUse::kStepMs)},
    {"limit_price", &NoiseSpec::limit_price},
    {"limit_gtc", &NoiseSpec::limit_gtc},
    {"reference", &NoiseSpec::reference},
});

const auto kSniperMembers = std::to_array<Member<SniperSpec>>({
    {"enabled", &SniperSpec::enabled},
    {"count", &SniperSpec::count, closed(0, kMaxCount)},
    {"theta_snipe", &SniperSpec::theta_snipe, closed(0, 1)},
    {"size", &SniperSpec::size, above(0, kMaxContracts)},
});

const auto kRequesterMembers = std::to_array<Member<RequesterSpec>>({
    {"enabled", &RequesterSpec::enabled},
    {"interval_ms", &RequesterSpec::interval_ms, above(0, kMaxMs, ClockUse::kStepMs)},
    {"probability", &RequesterSpec::probability, closed(0, 1)},
    {"informed_share", &RequesterSpec::informed_share, closed(0, 1)},
    {"size_min", &RequesterSpec::size_min, above(0, kMaxContracts)},
    {"size_max", &RequesterSpec::size_max, above(0, kMaxContracts)},
});

const auto kDealerMembers = std::to_array<Member<DealerSpec>>({
    {"enabled", &DealerSpec::enabled},
    {"half_spread", &DealerSpec::half_spread, closed(0, 0.5)},
    {"step", &DealerSpec::step, closed(0, 0.5)},
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
    {"mm_quote_sample", &MetricsSpec::mm_quote_sample},
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
    {"spread", &As2008Spec::spread},
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

  add_members(
      out, "agents.requester", [](ScenarioSpec& s) -> RequesterSpec& { return s.agents.requester; },
      kRequesterMembers);
  add_members(
      out, "agents.dealer", [](ScenarioSpec& s) -> DealerSpec& { return s.agents.dealer; },
      kDealerMembers);

  for (const LatencyProfileName& p : kLatencyProfiles) {
    for (const LatencyChannelName& c : kLatencyChannels) {
      // Named captures: clang before 16 cannot capture structured bindings.
      auto delay = [profile = p.profile, channel = c.channel](ScenarioSpec& s) -> DelaySpec& {
        return (s.latency.*profile).*channel;
      };
      add_members(out, fmt::format("latency.{}.{}", p.name, c.name), delay, kDelayMembers);
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

}  // namespace

const Registry& registry() {
  static const Registry kRegistry = build_registry();
  return kRegistry;
}

std::string join_key(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
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

}  // namespace detail

std::map<std::string, std::string> resolved_keys(const ScenarioSpec& spec) {
  // The key table hands out mutable references; render from a copy so `spec` stays const.
  ScenarioSpec copy = spec;
  std::map<std::string, std::string> out;
  for (const detail::Entry& e : detail::registry().entries) {
    out.emplace(e.key, detail::render_field(e.ref(copy)));
  }
  return out;
}

std::optional<std::string> latency_default_key(std::string_view key) {
  if (!key.starts_with("latency.")) return std::nullopt;
  const std::size_t class_end = key.find('.', 8);
  if (class_end == std::string_view::npos) return std::nullopt;
  return fmt::format("latency.default{}", key.substr(class_end));
}

}  // namespace proteus::engine
