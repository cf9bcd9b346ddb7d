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

/// The rule's sweep over ascending distinct candidates, ascending buy and sell limits and the
/// demand at the lowest candidate (every buy's lots).
std::optional<std::pair<std::int64_t, std::int64_t>> sweep(
    std::span<const std::int64_t> candidates,
    std::span<const std::pair<std::int64_t, std::int64_t>> buy_limits,
    std::span<const std::pair<std::int64_t, std::int64_t>> sell_limits, std::int64_t demand) {
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

}  // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> imbalance_midpoint_price(
    std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
    std::int64_t ticks_per_unit, std::vector<std::pair<std::int64_t, std::int64_t>>& buy_limits,
    std::vector<std::pair<std::int64_t, std::int64_t>>& sell_limits,
    std::vector<std::int64_t>& candidates) {
  candidates.clear();
  buy_limits.clear();
  sell_limits.clear();
  // Only the crossing region matters: a buy below every sell never counts in D(p) at a price
  // where S(p) > 0, nor a sell above every buy in S(p) where D(p) > 0, and their own limits
  // match nothing. Carried orders that did not trade mostly lie outside it, so this keeps the
  // sorts to the few orders that can trade (the result is the same).
  std::int64_t lowest_sell = ticks_per_unit + 1;
  std::int64_t highest_buy = -1;
  for (const BatchOrder& b : buys)
    highest_buy = std::max(highest_buy, effective_limit(b, ticks_per_unit));
  for (const BatchOrder& s : sells)
    lowest_sell = std::min(lowest_sell, effective_limit(s, ticks_per_unit));
  std::int64_t demand = 0;  // D at the lowest candidate: every kept buy at or above it
  for (const BatchOrder& b : buys) {
    const std::int64_t limit = effective_limit(b, ticks_per_unit);
    if (limit < lowest_sell) continue;
    if (b.kind != OrderKind::kMarket) candidates.push_back(limit);
    buy_limits.emplace_back(limit, b.open);
    demand += b.open;
  }
  for (const BatchOrder& s : sells) {
    const std::int64_t limit = effective_limit(s, ticks_per_unit);
    if (limit > highest_buy) continue;
    if (s.kind != OrderKind::kMarket) candidates.push_back(limit);
    sell_limits.emplace_back(limit, s.open);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::sort(buy_limits.begin(), buy_limits.end());
  std::sort(sell_limits.begin(), sell_limits.end());

  return sweep(candidates, buy_limits, sell_limits, demand);
}

std::optional<std::pair<std::int64_t, std::int64_t>> imbalance_midpoint_price_sorted(
    std::span<const std::pair<std::int64_t, std::int64_t>> buys_descending,
    std::span<const std::pair<std::int64_t, std::int64_t>> sells_ascending,
    std::vector<std::pair<std::int64_t, std::int64_t>>& buy_limits,
    std::vector<std::int64_t>& candidates) {
  buy_limits.assign(buys_descending.rbegin(), buys_descending.rend());
  std::int64_t demand = 0;
  for (const auto& b : buy_limits) demand += b.second;
  // The distinct limits of both sides, ascending: a merge of two ascending lists.
  candidates.clear();
  std::size_t bi = 0;
  std::size_t si = 0;
  while (bi < buy_limits.size() || si < sells_ascending.size()) {
    const bool take_buy =
        si == sells_ascending.size() ||
        (bi < buy_limits.size() && buy_limits[bi].first < sells_ascending[si].first);
    const std::int64_t p = take_buy ? buy_limits[bi++].first : sells_ascending[si++].first;
    if (candidates.empty() || candidates.back() != p) candidates.push_back(p);
  }
  return sweep(candidates, buy_limits, sells_ascending, demand);
}

}  // namespace proteus::engine
