// run_scenario: picks the environment, runs it, and turns failures into a status.
#include "engine/simulation.hpp"

#include <exception>
#include <limits>

#include "engine/as2008.hpp"
#include "engine/glosten_milgrom.hpp"
#include "engine/ledger.hpp"
#include "engine/market_sim.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

RunResult run_market(const ScenarioSpec& spec, RunKey key, EventSink* events) {
  RunResult result;
  result.seed = repetition_key(key.master_seed, key.rep);
  try {
    MarketSimulation sim(spec, key, events);
    try {
      sim.run();
      result.metrics = sim.metrics();
      result.diagnostics = sim.diagnostics();
    } catch (...) {
      result.events_processed = sim.events_processed();
      throw;
    }
    result.events_processed = sim.events_processed();
  } catch (const InvariantViolation& e) {
    result.status = RunStatus::kInvariantViolation;
    result.message = e.what();
  } catch (const std::exception& e) {
    result.status = RunStatus::kError;
    result.message = e.what();
  }
  if (result.metrics.empty()) {
    result.metrics.assign(metric_registry(spec).size(), std::numeric_limits<double>::quiet_NaN());
  }
  return result;
}

}  // namespace

RunResult run_scenario(const ScenarioSpec& spec, RunKey key, EventSink* events) {
  switch (spec.run.environment) {
    case Environment::kAs2008:
      return run_as2008(spec.as2008, key);
    case Environment::kGlostenMilgrom:
      return run_glosten_milgrom(spec.glosten_milgrom, key);
    case Environment::kMarket:
      return run_market(spec, key, events);
  }
  return run_market(spec, key, events);  // unreachable: every environment returns above
}

}  // namespace proteus::engine
