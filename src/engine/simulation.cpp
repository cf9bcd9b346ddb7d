// PLACEHOLDER until the event loop lands: deterministic pseudo-metrics from the run's
// streams so that layers above can be built and tested against the real API.
#include "engine/simulation.hpp"

#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {

RunResult run_scenario(const ScenarioSpec& spec, RunKey key, EventSink* /*events*/) {
  RunResult result;
  result.seed = repetition_key(key.master_seed, key.rep);
  RandomStream s{result.seed, StreamId::kLatent, 0};
  const auto registry = metric_registry(spec.run.environment);
  for (std::size_t i = 0; i < registry.size(); ++i) {
    result.metrics.push_back(s.normal() + spec.run.duration_s + spec.latent.sigma_eta);
  }
  result.events_processed = 1;
  return result;
}

}  // namespace proteus::engine
