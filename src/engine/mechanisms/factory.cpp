// make_mechanism: run.mechanism -> Clob, BatchAuction, DualFlow or Rfq with their parameters.
#include "engine/mechanisms/factory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/config.hpp"
#include "engine/mechanisms/batch_auction.hpp"
#include "engine/mechanisms/clob.hpp"
#include "engine/mechanisms/dual_flow.hpp"
#include "engine/mechanisms/rfq.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {

MarketRules market_rules(const MarketSpec& spec) {
  MarketRules r;
  r.ticks_per_unit = std::llround(1.0 / spec.tick_size);
  r.cash_per_tick_lot =
      std::llround(static_cast<double>(spec.cash_per_unit) * spec.tick_size * spec.lot_size);
  r.cash_per_unit = spec.cash_per_unit;
  r.max_order_lots = spec.max_order_lots;
  return r;
}

namespace {

BatchParams batch_params(const BatchSpec& spec) {
  BatchParams p;
  p.delta = SimTime{std::max<std::int64_t>(1, SimTime::from_ms(spec.delta_ms).ns)};
  p.tie = spec.tie_rule;
  p.allocation = spec.allocation;
  return p;
}

}  // namespace

std::unique_ptr<Mechanism> make_mechanism(const ScenarioSpec& spec, const MarketRules& rules,
                                          std::uint64_t rep_key) {
  // The mechanism's own stream: only the mechanism draws from it (docs/seed-protocol.md).
  const RandomStream own{rep_key, StreamId::kMechanism, entity(EntityClass::kGlobal, 0)};
  switch (spec.run.mechanism) {
    case MechanismKind::kClob:
      return std::make_unique<Clob>(rules, spec.market.self_trade, spec.market.crossing);
    case MechanismKind::kFba:
      return std::make_unique<BatchAuction>(rules, batch_params(spec.mechanism.fba), own);
    case MechanismKind::kDualFlow:
      if (!spec.mechanism.dual_flow.acknowledge_gate)
        throw std::invalid_argument(std::string(kDualFlowGateMessage));
      return std::make_unique<DualFlow>(rules, batch_params(spec.mechanism.dual_flow.batch), own);
    case MechanismKind::kRfq: {
      // Dealers are the market makers: agent ids 0 .. count-1 (they are created first).
      RfqParams p;
      for (int i = 0; i < spec.agents.market_maker.count; ++i)
        p.dealers.push_back(AgentId{static_cast<std::uint32_t>(i)});
      p.competition = spec.mechanism.rfq.dealers;
      p.response = SimTime::from_ms(spec.mechanism.rfq.response_ms);
      p.ttl = SimTime{std::max<std::int64_t>(1, SimTime::from_ms(spec.mechanism.rfq.ttl_ms).ns)};
      return std::make_unique<Rfq>(rules, std::move(p));
    }
  }
  throw std::invalid_argument(fmt::format("mechanism {} is not implemented in this build",
                                          static_cast<int>(spec.run.mechanism)));
}

}  // namespace proteus::engine
