// make_agents: agent counts and class settings of a scenario -> the run's agents.
#include "engine/agents/factory.hpp"

#include <utility>

#include "engine/agents/market_maker.hpp"
#include "engine/agents/traders.hpp"

namespace proteus::engine {

std::vector<AgentPlan> make_agents(const ScenarioSpec& spec) {
  const AgentsSpec& a = spec.agents;
  std::vector<AgentPlan> plans;
  auto add = [&plans](std::unique_ptr<Agent> agent, Role role, EntityClass cls, int index,
                      const SignalSpec& signal, const LatencySpec& latency) {
    plans.push_back(
        AgentPlan{std::move(agent), role, cls, static_cast<std::uint32_t>(index), signal, latency});
  };
  for (int i = 0; i < a.market_maker.count; ++i) {
    add(std::make_unique<MarketMaker>(a.market_maker), Role::kMarketMaker,
        EntityClass::kMarketMaker, i, a.market_maker.signal, spec.latency.market_maker);
  }
  for (int i = 0; i < a.informed.count; ++i) {
    add(std::make_unique<InformedTrader>(a.informed), Role::kInformed, EntityClass::kInformed, i,
        a.informed.signal, spec.latency.informed);
  }
  for (int i = 0; i < a.noise.count; ++i) {
    add(std::make_unique<NoiseTrader>(a.noise), Role::kNoise, EntityClass::kNoise, i, SignalSpec{},
        spec.latency.noise);
  }
  if (a.sniper.enabled) {
    for (int i = 0; i < a.sniper.count; ++i) {
      add(std::make_unique<Sniper>(a.sniper), Role::kSniper, EntityClass::kSniper, i,
          a.sniper.signal, spec.latency.sniper);
    }
  }
  return plans;
}

}  // namespace proteus::engine
