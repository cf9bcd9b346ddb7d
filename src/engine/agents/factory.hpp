// The agent family's one factory: a scenario's agent classes -> the agents of a run, in
// agent-id order, each with what the event loop needs to wire it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/agent.hpp"
#include "engine/rng.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// One agent before the event loop wires it: the object, its role, the entity its random
/// streams are keyed by (class and index within the class), its signal and its latency.
struct AgentPlan {
  std::unique_ptr<Agent> agent;
  Role role = Role::kNoise;
  EntityClass entity_class = EntityClass::kNoise;
  std::uint32_t index = 0;
  SignalSpec signal;
  LatencySpec latency;
};

/// Every agent of `spec` in agent-id order: market makers first (the RFQ's dealers are ids
/// 0 .. count-1), then informed traders, noise traders and, when enabled, snipers. Noise
/// traders observe no signal.
std::vector<AgentPlan> make_agents(const ScenarioSpec& spec);

}  // namespace proteus::engine
