// Dual-flow batch: the shared batch mechanism with maker and taker flows segregated.
#include "engine/mechanisms/dual_flow.hpp"

namespace proteus::engine {
namespace {

BatchParams dual(BatchParams p) {
  p.flow = BatchFlow::kDualFlow;
  return p;
}

}  // namespace

DualFlow::DualFlow(const MarketRules& rules, BatchParams params, RandomStream rng)
    : BatchAuction(rules, dual(params), rng) {}

}  // namespace proteus::engine
