// make_agents: agent counts and class settings of a scenario -> the run's agents.
#include "engine/agents/factory.hpp"

#include <utility>

#include "engine/agents/market_maker.hpp"
#include "engine/agents/rfq_agents.hpp"
#include "engine/agents/traders.hpp"

namespace proteus::engine {
namespace {

AgentSlot make_slot(std::unique_ptr<Agent> agent, Role role, EntityClass cls, int index,
                    const SignalSpec& signal, const LatencySpec& latency, std::uint64_t rep_key) {
  const std::uint32_t e = entity(cls, static_cast<std::uint32_t>(index));
  AgentSlot slot{std::move(agent),
                 role,
                 e,
                 SignalSource(signal, rep_key, e),
                 make_latency(latency, rep_key, e),
                 RandomStream{rep_key, StreamId::kDecision, e},
                 RandomStream{rep_key, StreamId::kArrival, e}};
  for (auto kind : {Notice::Kind::kAccepted, Notice::Kind::kRejected, Notice::Kind::kFill,
                    Notice::Kind::kCancelled, Notice::Kind::kCancelRejected}) {
    for (unsigned r = 0; r <= static_cast<unsigned>(Reason::kUnsupportedOrder); ++r) {
      if (slot.agent->wants_notice(kind, static_cast<Reason>(r))) {
        slot.notice_mask[static_cast<std::size_t>(kind)] |= 1u << r;
      }
    }
  }
  return slot;
}

}  // namespace

std::vector<AgentSlot> make_agents(const ScenarioSpec& spec, std::uint64_t rep_key) {
  const AgentsSpec& a = spec.agents;
  const LatencyProfiles& latency = spec.latency;
  std::vector<AgentSlot> slots;
  // Each count is at most 100000 (the key table), so the int sum cannot overflow.
  const int agent_count = a.market_maker.count + a.informed.count + a.noise.count +
                          (a.sniper.enabled ? a.sniper.count : 0) + (a.requester.enabled ? 2 : 0);
  slots.reserve(static_cast<std::size_t>(agent_count));
  for (int i = 0; i < a.market_maker.count; ++i) {
    std::unique_ptr<Agent> mm;
    if (a.dealer.enabled) {
      mm = std::make_unique<LatentDealer>(a.dealer, i);
    } else {
      mm = std::make_unique<MarketMaker>(a.market_maker);
    }
    slots.push_back(make_slot(std::move(mm), Role::kMarketMaker, EntityClass::kMarketMaker, i,
                              a.market_maker.signal, latency.market_maker, rep_key));
  }
  // The requesters share one stream: the same draws decide which of them requests.
  const RandomStream requests{rep_key, StreamId::kDecision, entity(EntityClass::kGlobal, 1)};
  for (int i = 0; i < a.informed.count; ++i) {
    slots.push_back(make_slot(std::make_unique<InformedTrader>(a.informed), Role::kInformed,
                              EntityClass::kInformed, i, a.informed.signal, latency.informed,
                              rep_key));
  }
  if (a.requester.enabled) {
    slots.push_back(make_slot(std::make_unique<Requester>(a.requester, Role::kInformed, requests),
                              Role::kInformed, EntityClass::kInformed, a.informed.count,
                              SignalSpec{}, latency.informed, rep_key));
  }
  for (int i = 0; i < a.noise.count; ++i) {
    slots.push_back(make_slot(std::make_unique<NoiseTrader>(a.noise), Role::kNoise,
                              EntityClass::kNoise, i, SignalSpec{}, latency.noise, rep_key));
  }
  if (a.requester.enabled) {
    slots.push_back(make_slot(std::make_unique<Requester>(a.requester, Role::kNoise, requests),
                              Role::kNoise, EntityClass::kNoise, a.noise.count, SignalSpec{},
                              latency.noise, rep_key));
  }
  if (a.sniper.enabled) {
    for (int i = 0; i < a.sniper.count; ++i) {
      slots.push_back(make_slot(std::make_unique<Sniper>(a.sniper), Role::kSniper,
                                EntityClass::kSniper, i, a.sniper.signal, latency.sniper, rep_key));
    }
  }
  return slots;
}

}  // namespace proteus::engine
