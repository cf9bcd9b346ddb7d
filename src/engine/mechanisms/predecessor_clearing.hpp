// The predecessor's clearing-price rule (pyproteus fba.py): candidates are the orders' own
// limit prices, not every tick; most volume, then least imbalance, then the midpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "engine/mechanisms/uniform_clearing.hpp"

namespace proteus::engine {

/// The price and volume chosen by TieRule::kImbalanceMidpoint: among the distinct limits of
/// the priced (limit and IOC) orders, those with the largest positive matched volume
/// min(D(p), S(p)), then among them those with the least |D(p) - S(p)|, then the midpoint of
/// the lowest and highest remaining candidates, floored to a whole tick (the predecessor keeps
/// the exact midpoint; with a fine tick the difference is below one tick). nullopt when no
/// candidate matches anything. `limits` is scratch. O(n log n).
std::optional<std::pair<std::int64_t, std::int64_t>> imbalance_midpoint_price(
    std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
    std::int64_t ticks_per_unit, std::vector<std::pair<std::int64_t, std::int64_t>>& buy_limits,
    std::vector<std::pair<std::int64_t, std::int64_t>>& sell_limits,
    std::vector<std::int64_t>& candidates);

/// The same rule over limit orders already sorted by price, as (limit, open lots) pairs: the
/// buys that can cross highest first, the sells that can cross lowest first (the crossing
/// region: buys at or above the lowest sell, sells at or below the highest buy). No sort:
/// O(n) in the region's size. `sell_limits` must already be ascending; `buy_limits` and
/// `candidates` are scratch.
std::optional<std::pair<std::int64_t, std::int64_t>> imbalance_midpoint_price_sorted(
    std::span<const std::pair<std::int64_t, std::int64_t>> buys_descending,
    std::span<const std::pair<std::int64_t, std::int64_t>> sells_ascending,
    std::vector<std::pair<std::int64_t, std::int64_t>>& buy_limits,
    std::vector<std::int64_t>& candidates);

}  // namespace proteus::engine
