// Uniform-price clearing: one price that maximises matched volume, a tie rule among such
// prices, allocation of the rationed side and pairing into trades. Pure: no mechanism state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "engine/choices.hpp"
#include "engine/rng.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// An order waiting in a batch. `seq` is the arrival order at the mechanism (time priority).
struct BatchOrder {
  OrderId id;
  AgentId owner;
  Side side = Side::kBuy;
  OrderKind kind = OrderKind::kLimit;
  Price limit;            ///< ignored for market orders
  std::int64_t open = 0;  ///< lots still open
  std::uint64_t seq = 0;
};

/// Parameters of one uniform-price clear.
struct ClearingRules {
  TieRule tie = TieRule::kImbalance;
  Allocation allocation = Allocation::kTime;
  std::int64_t ticks_per_unit = 1000;
};

/// The result of one clear: per-order fills (aligned with the inputs) and the trades that
/// pair them, buys and sells each taken in input order.
struct Clearing {
  struct Match {
    std::uint32_t buy = 0;   ///< index into the buys
    std::uint32_t sell = 0;  ///< index into the sells
    std::int64_t lots = 0;
  };
  std::optional<Price> price;  ///< set exactly when volume > 0
  std::int64_t volume = 0;
  std::vector<std::int64_t> buy_fills;
  std::vector<std::int64_t> sell_fills;
  std::vector<Match> matches;
};

/// Reusable buffers of clear_uniform, so that a mechanism clearing every batch does not
/// allocate once they have grown to the batch size.
struct ClearingScratch {
  /// Prices [lo, hi] on which demand and supply are constant.
  struct Segment {
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    std::int64_t demand = 0;
    std::int64_t supply = 0;
  };
  std::vector<Segment> segments;
  std::vector<std::int64_t> starts;
  std::vector<std::pair<std::int64_t, std::int64_t>> buy_limits;
  std::vector<std::pair<std::int64_t, std::int64_t>> sell_limits;
  std::vector<std::uint32_t> eligible;
  std::vector<std::pair<std::int64_t, std::uint32_t>> remainders;
};

/// Clears `buys` against `sells` (each in time priority, i.e. input order) at one uniform
/// price. Candidates are the ticks between the lowest and highest limit of the priced (limit
/// and IOC) orders; with market orders only, the previous price is the one candidate (none
/// without a previous price: nothing trades). Among the candidates with the largest positive
/// matched volume min(D(p), S(p)) the tie rule picks one; the short side fills completely and
/// the long side fills by price priority, sharing its marginal price level by the allocation
/// rule. `rng` is drawn from only for Allocation::kRandom with a rationed level of >= 2 orders.
/// Cost O(n log n) in the number of orders.
Clearing clear_uniform(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
                       const ClearingRules& rules, std::optional<Price> previous,
                       RandomStream& rng);

/// clear_uniform into `result` (overwritten) with caller-owned scratch buffers.
void clear_uniform(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
                   const ClearingRules& rules, std::optional<Price> previous, RandomStream& rng,
                   Clearing& result, ClearingScratch& scratch);

/// The allocation and pairing of clear_uniform at a price and volume already chosen (volume
/// > 0 lots, at most what the orders accepting `price` can match), into `result`
/// (overwritten).
void clear_at(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells, Price price,
              std::int64_t volume, const ClearingRules& rules, RandomStream& rng, Clearing& result,
              ClearingScratch& scratch);

}  // namespace proteus::engine
