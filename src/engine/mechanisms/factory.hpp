// The mechanism family's one factory: a scenario's run.mechanism and its parameters -> the
// mechanism object, and the scenario's trading rules.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/mechanisms/mechanism.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// Trading rules of a scenario (tick, lot and cash scale).
MarketRules market_rules(const MarketSpec& spec);

/// Builds the mechanism spec.run.mechanism names, drawing from the repetition's mechanism
/// stream (`rep_key`). Throws std::invalid_argument for an unacknowledged dual-flow gate.
std::unique_ptr<Mechanism> make_mechanism(const ScenarioSpec& spec, const MarketRules& rules,
                                          std::uint64_t rep_key);

}  // namespace proteus::engine
