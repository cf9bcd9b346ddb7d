// imbalance_midpoint_price: demand and supply evaluated at the orders' limits by two sweeps
// over the sorted limits.
#include "engine/mechanisms/predecessor_clearing.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace proteus::engine {
namespace {

std::int64_t effective_limit(const BatchOrder& o, std::int64_t ticks_per_unit) {
  if (o.kind != OrderKind::kMarket) return o.limit.ticks;
  return o.side == Side::kBuy ? ticks_per_unit : 0;
}

}  // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> imbalance_midpoint_price(
    std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
    std::int64_t ticks_per_unit, std::vector<std::pair<std::int64_t, std::int64_t>>& buy_limits,
    std::vector<std::pair<std::int64_t, std::int64_t>>& sell_limits,
    std::vector<std::int64_t>& candidates) {
  candidates.clear();
  buy_limits.clear();
  sell_limits.clear();
  std::int64_t demand = 0;  // D at the lowest candidate: every buy at or above it
  for (const BatchOrder& b : buys) {
    if (b.kind != OrderKind::kMarket) candidates.push_back(b.limit.ticks);
    buy_limits.emplace_back(effective_limit(b, ticks_per_unit), b.open);
    demand += b.open;
  }
  for (const BatchOrder& s : sells) {
    if (s.kind != OrderKind::kMarket) candidates.push_back(s.limit.ticks);
    sell_limits.emplace_back(effective_limit(s, ticks_per_unit), s.open);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::sort(buy_limits.begin(), buy_limits.end());
  std::sort(sell_limits.begin(), sell_limits.end());

  std::int64_t best_volume = 0;
  std::int64_t best_imbalance = std::numeric_limits<std::int64_t>::max();
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  std::size_t bi = 0;
  std::size_t si = 0;
  std::int64_t supply = 0;
  for (const std::int64_t p : candidates) {
    // D(p): buys with limit >= p; S(p): sells with limit <= p.
    while (bi < buy_limits.size() && buy_limits[bi].first < p) demand -= buy_limits[bi++].second;
    while (si < sell_limits.size() && sell_limits[si].first <= p) {
      supply += sell_limits[si++].second;
    }
    const std::int64_t volume = std::min(demand, supply);
    if (volume <= 0) continue;
    const std::int64_t imbalance = std::abs(demand - supply);
    if (volume > best_volume || (volume == best_volume && imbalance < best_imbalance)) {
      best_volume = volume;
      best_imbalance = imbalance;
      lo = hi = p;
    } else if (volume == best_volume && imbalance == best_imbalance) {
      hi = p;
    }
  }
  if (best_volume == 0) return std::nullopt;
  return std::make_pair(lo + (hi - lo) / 2, best_volume);
}

}  // namespace proteus::engine
