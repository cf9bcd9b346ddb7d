// Event-count estimate of one run, from durations and steps alone (no simulation).
#include "engine/run_limits.hpp"

namespace proteus::engine {
namespace {

/// Adds one source's events and remembers the largest contribution.
void add(EventEstimate& estimate, std::string_view key, double events) {
  estimate.total += events;
  if (events > estimate.largest) {
    estimate.largest = events;
    estimate.largest_key = key;
  }
}

}  // namespace

EventEstimate estimate_events(const ScenarioSpec& spec) {
  EventEstimate estimate;
  switch (spec.run.environment) {
    case Environment::kAs2008:
      add(estimate, "as2008.dt", spec.as2008.T / spec.as2008.dt);
      return estimate;
    case Environment::kGlostenMilgrom:
      add(estimate, "glosten_milgrom.trades", spec.glosten_milgrom.trades);
      return estimate;
    case Environment::kMarket:
      break;
  }
  const double duration_ms = spec.run.duration_s * 1e3;
  add(estimate, "latent.dt_ms", duration_ms / spec.latent.dt_ms);
  // Each jump is drawn one by one (Poisson counting draws one uniform per jump).
  add(estimate, "latent.jump_rate", spec.latent.jump_rate * spec.run.duration_s);
  add(estimate, "metrics.sample_ms", duration_ms / spec.metrics.sample_ms);
  const MarketMakerSpec& mm = spec.agents.market_maker;
  add(estimate, "agents.market_maker.schedule.interval_ms",
      mm.count * duration_ms / mm.schedule.interval_ms);
  const InformedSpec& informed = spec.agents.informed;
  add(estimate, "agents.informed.schedule.interval_ms",
      informed.count * duration_ms / informed.schedule.interval_ms);
  const NoiseSpec& noise = spec.agents.noise;
  add(estimate, "agents.noise.rate", noise.count * noise.rate * spec.run.duration_s);
  if (spec.run.mechanism == MechanismKind::kFba) {
    add(estimate, "mechanism.fba.delta_ms", duration_ms / spec.mechanism.fba.delta_ms);
  } else if (spec.run.mechanism == MechanismKind::kDualFlow) {
    add(estimate, "mechanism.dual_flow.delta_ms",
        duration_ms / spec.mechanism.dual_flow.batch.delta_ms);
  }
  return estimate;
}

}  // namespace proteus::engine
