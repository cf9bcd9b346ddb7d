// The event loop of one market run: latent process, agents, latency, mechanism, ledger and
// metric recorder wired together. run_scenario() is the usual entry; tests use this class to
// look at the final book and ledger.
#pragma once

#include <memory>
#include <vector>

#include "engine/ledger.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/simulation.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

class MarketSimulation {
 public:
  /// `mechanism` replaces the one spec.run.mechanism names (tests inject faulty ones).
  MarketSimulation(const ScenarioSpec& spec, RunKey key, EventSink* events = nullptr,
                   std::unique_ptr<Mechanism> mechanism = nullptr);
  ~MarketSimulation();
  MarketSimulation(const MarketSimulation&) = delete;
  MarketSimulation& operator=(const MarketSimulation&) = delete;

  /// Runs to the horizon. Throws InvariantViolation when accounting or the book breaks.
  void run();
  /// Metrics aligned with metric_registry(spec); valid after run().
  std::vector<double> metrics() const;
  /// Diagnostic counts aligned with diagnostic_names(); valid after run().
  std::vector<double> diagnostics() const;
  std::uint64_t events_processed() const;
  const Ledger& ledger() const;
  const Mechanism& mechanism() const;
  std::size_t agent_count() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace proteus::engine
