// Requester and LatentDealer: the predecessor's RFQ run (docs/validation.md).
#include "engine/agents/rfq_agents.hpp"

#include <algorithm>
#include <cmath>

namespace proteus::engine {

void Requester::on_decision(AgentContext& ctx) {
  // The same four draws at every step, whoever requests: both requesters see the same values.
  const bool request = shared_.uniform() < spec_.probability;
  const bool informed = shared_.uniform() < spec_.informed_share;
  const Side side = shared_.uniform() < 0.5 ? Side::kBuy : Side::kSell;
  const double contracts = shared_.uniform(spec_.size_min, std::nextafter(spec_.size_max, 1e300));
  if (request && informed == (role_ == Role::kInformed)) {
    ctx.submit(side, OrderKind::kMarket, Price{}, to_lots(contracts, ctx.lot_size()));
  }
  const SimTime next = ctx.now() + SimTime::from_ms(spec_.interval_ms);
  if (next <= ctx.horizon()) ctx.wake_at(next);
}

std::optional<Price> LatentDealer::quote_for(AgentContext& ctx, Side taker_side, Qty /*qty*/) {
  const double p = ctx.signal();
  const double half = spec_.half_spread - static_cast<double>(index_) * spec_.step +
                      ctx.rng().uniform(0.0, spec_.step);
  const double price = taker_side == Side::kBuy ? p + half : p - half;
  const auto tpu = ctx.rules().ticks_per_unit;
  const auto ticks = static_cast<std::int64_t>(std::llround(price * static_cast<double>(tpu)));
  return Price{std::clamp<std::int64_t>(ticks, 1, tpu - 1)};
}

}  // namespace proteus::engine
