// Checks of a loaded scenario beyond each key's range: what the simulation clock can hold
// (run_limits.hpp) and the rules that span several keys (tick and lot sizes, min <= max, ...).
// Implements part of engine/config/loader.hpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "engine/config.hpp"
#include "engine/config/loader.hpp"
#include "engine/config/toml_text.hpp"
#include "engine/run_limits.hpp"
#include "engine/types.hpp"

namespace proteus::engine::detail {
namespace {

/// True when `x` is within 1e-9 relative of a whole number.
bool is_whole(double x) {
  return std::abs(x - std::round(x)) <= 1e-9 * std::abs(x);
}

}  // namespace

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

void Loader::check_cross_fields(const ScenarioSpec& s) const {
  const double ticks_per_unit = 1.0 / s.market.tick_size;
  if (!is_whole(ticks_per_unit)) {
    fail_cross({"market.tick_size"},
               fmt::format("market.tick_size = {}: 1 / tick_size = {} must be an integer",
                           render_double(s.market.tick_size), ticks_per_unit));
  }
  const double cash_per_tick_lot =
      static_cast<double>(s.market.cash_per_unit) * s.market.tick_size * s.market.lot_size;
  if (!is_whole(cash_per_tick_lot) || std::round(cash_per_tick_lot) < 1.0) {
    fail_cross({"market.lot_size", "market.tick_size"},
               fmt::format("market.tick_size = {} and market.lot_size = {}: {} * tick_size * "
                           "lot_size = {} must be an integer >= 1 so cash stays exact",
                           render_double(s.market.tick_size), render_double(s.market.lot_size),
                           s.market.cash_per_unit, cash_per_tick_lot));
  }
  if (s.market.cash_per_unit % kCashPerUnit != 0 &&
      (s.market.maker_fee_micros != 0 || s.market.taker_fee_micros != 0)) {
    fail_cross({"market.cash_per_unit", "market.maker_fee_micros"},
               fmt::format("market.cash_per_unit = {} must be a multiple of {} when fees are set "
                           "(fees are given in micro-units)",
                           s.market.cash_per_unit, kCashPerUnit));
  }
  if (s.market.crossing == Crossing::kEndOfInstant &&
      s.market.self_trade != SelfTradeRule::kAllow) {
    fail_cross({"market.crossing", "market.self_trade"},
               "market.crossing = \"end_of_instant\" needs market.self_trade = \"allow\" (the "
               "crossing of one instant has no self-trade prevention)");
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
  check_min_max("agents.requester", s.agents.requester.size_min, s.agents.requester.size_max);

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

}  // namespace proteus::engine::detail
