// What one run may ask of the simulation clock and the event loop: the clock's resolution,
// the shortest step, the smallest positive rate and an estimate of the events a run processes.
// The scenario loader refuses configs outside these limits (docs/config.md, "Limits").
#pragma once

#include <string_view>

#include "engine/spec.hpp"

namespace proteus::engine {

/// Resolution of the clock (SimTime counts integer nanoseconds), in ms: a positive duration
/// shorter than this would round to 0 ns.
inline constexpr double kClockResolutionMs = 1e-6;

/// Shortest step of anything that recurs (latent.dt_ms, schedule interval_ms,
/// metrics.sample_ms, batch delta_ms), in ms: 1 us. Every step is at least one event.
inline constexpr double kMinStepMs = 1e-3;

/// Smallest positive arrival rate, per second. An exponential gap is at most
/// -ln(2^-54) / rate = 37.4 / rate seconds (RandomStream::uniform_open never returns less than
/// 2^-54), so a gap stays below 3.8e7 s, far inside the clock's 2^63 ns (292 years).
inline constexpr double kMinRatePerSecond = 1e-6;

/// Largest accepted estimate of events per run (estimate_events): 10^8 events take minutes
/// and gigabytes of event log at about 1 us per event; anything above is a typo.
inline constexpr double kMaxEventsPerRun = 1e8;

/// An estimate of the events one run processes, with the key that contributes most.
struct EventEstimate {
  double total = 0.0;            ///< events per run, summed over every recurring source
  double largest = 0.0;          ///< the largest single contribution
  std::string_view largest_key;  ///< the key whose value sets `largest` (a static string)
};

/// Sums duration / step for every recurring event source of the run's environment (latent
/// steps, latent jumps jump_rate * duration, metric samples, decision slots of every market maker
/// and informed trader, noise arrivals count * rate * duration, batch clears of the run's batch
/// mechanism; as2008.T / as2008.dt steps for the as2008 environment). It is an order-of-magnitude
/// estimate: orders, acknowledgements and market-data updates add a small multiple of it.
EventEstimate estimate_events(const ScenarioSpec& spec);

}  // namespace proteus::engine
