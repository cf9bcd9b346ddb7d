// Dual-flow batch: maker flow (limit orders) and taker flow (IOC and market orders) are
// segregated; each batch clears buy takers against maker asks and sell takers against maker
// bids in two separate uniform-price clears, never maker against maker.
#pragma once

#include "engine/mechanisms/batch_auction.hpp"

namespace proteus::engine {

/// The dual-flow batch mechanism: a BatchAuction with segregated flows ("dual_flow").
class DualFlow final : public BatchAuction {
 public:
  /// `params.flow` is ignored (always BatchFlow::kDualFlow).
  DualFlow(const MarketRules& rules, BatchParams params, RandomStream rng);
};

}  // namespace proteus::engine
