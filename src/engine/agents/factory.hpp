// The agent family's one factory: a scenario's agent classes -> the agents of a run in
// agent-id order, each with its own signal, latency and random streams.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/agent.hpp"
#include "engine/latency.hpp"
#include "engine/rng.hpp"
#include "engine/signal.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// One agent of a run as the event loop holds it. Its streams are keyed by `entity` (class
/// and index within the class), so adding an agent never shifts another's draws.
struct AgentSlot {
  std::unique_ptr<Agent> agent;
  Role role = Role::kNoise;
  std::uint32_t entity = 0;
  SignalSource signal;
  AgentLatency latency;
  RandomStream decision;
  RandomStream arrival;
  /// Bit r of [kind]: the agent wants notices of that kind with Reason r (asked once here).
  std::array<std::uint32_t, 5> notice_mask{};
};

/// Every agent of `spec` for repetition key `rep_key`, in agent-id order: market makers
/// first (the RFQ's dealers are ids 0 .. count-1), then informed traders, noise traders and,
/// when enabled, snipers. Noise traders observe no signal.
std::vector<AgentSlot> make_agents(const ScenarioSpec& spec, std::uint64_t rep_key);

}  // namespace proteus::engine
