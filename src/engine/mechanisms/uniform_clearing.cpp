// Uniform-price clearing: demand/supply segments, the tie rule's price choice, allocation of
// the rationed side (time, pro-rata, random) and pairing of fills into matches.
#include "engine/mechanisms/uniform_clearing.hpp"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <limits>

#include "engine/mechanisms/predecessor_clearing.hpp"

namespace proteus::engine {
namespace {

// Pro-rata shares multiply two lot counts, which can pass 2^63 at the configured limits.
// NOLINTNEXTLINE(modernize-use-using): __extension__ (for -Wpedantic) needs the typedef form.
__extension__ typedef __int128 Wide;

/// The limit as a clearing bound: market buys accept any price, market sells any price.
std::int64_t effective_limit(const BatchOrder& o, std::int64_t ticks_per_unit) {
  if (o.kind != OrderKind::kMarket) return o.limit.ticks;
  return o.side == Side::kBuy ? ticks_per_unit : 0;
}

/// Whether `o` accepts trading at `price`.
bool accepts(const BatchOrder& o, std::int64_t price, std::int64_t ticks_per_unit) {
  const std::int64_t limit = effective_limit(o, ticks_per_unit);
  return o.side == Side::kBuy ? limit >= price : limit <= price;
}

using Segment = ClearingScratch::Segment;

std::int64_t volume(const Segment& s) {
  return std::min(s.demand, s.supply);
}
std::int64_t imbalance(const Segment& s) {
  return std::abs(s.demand - s.supply);
}

/// The point of `segments` closest to `target`, the lower one on a tie.
std::int64_t closest(const std::vector<Segment>& segments, std::int64_t target) {
  std::int64_t best = 0;
  std::int64_t best_distance = std::numeric_limits<std::int64_t>::max();
  for (const Segment& s : segments) {  // ascending, so the first of equal distances is lower
    const std::int64_t p = std::clamp(target, s.lo, s.hi);
    const std::int64_t d = std::abs(p - target);
    if (d < best_distance) {
      best = p;
      best_distance = d;
    }
  }
  return best;
}

std::int64_t midpoint_choice(const std::vector<Segment>& segments) {
  // floor((lo + hi) / 2) of the whole candidate set; both bounds are positive.
  return closest(segments, (segments.front().lo + segments.back().hi) / 2);
}

/// Demand/supply segments over [lo, hi]; O(n log n).
void segments_of(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
                 std::int64_t lo, std::int64_t hi, std::int64_t tpu, ClearingScratch& scratch) {
  // D(p) drops just above each buy limit, S(p) rises at each sell limit.
  std::vector<std::int64_t>& starts = scratch.starts;
  starts.assign(1, lo);
  for (const BatchOrder& b : buys) {
    const std::int64_t s = effective_limit(b, tpu) + 1;
    if (s > lo && s <= hi) starts.push_back(s);
  }
  for (const BatchOrder& o : sells) {
    const std::int64_t s = effective_limit(o, tpu);
    if (s > lo && s <= hi) starts.push_back(s);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());

  auto& buy_limits = scratch.buy_limits;  // ascending limit, lots
  auto& sell_limits = scratch.sell_limits;
  buy_limits.clear();
  sell_limits.clear();
  std::int64_t demand = 0;
  for (const BatchOrder& b : buys) {
    buy_limits.emplace_back(effective_limit(b, tpu), b.open);
    demand += b.open;
  }
  for (const BatchOrder& o : sells) sell_limits.emplace_back(effective_limit(o, tpu), o.open);
  std::sort(buy_limits.begin(), buy_limits.end());
  std::sort(sell_limits.begin(), sell_limits.end());

  std::vector<Segment>& out = scratch.segments;
  out.clear();
  std::size_t bi = 0;
  std::size_t si = 0;
  std::int64_t supply = 0;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::int64_t p = starts[k];
    while (bi < buy_limits.size() && buy_limits[bi].first < p) demand -= buy_limits[bi++].second;
    while (si < sell_limits.size() && sell_limits[si].first <= p)
      supply += sell_limits[si++].second;
    const std::int64_t end = k + 1 < starts.size() ? starts[k + 1] - 1 : hi;
    out.push_back(Segment{p, end, demand, supply});
  }
}

/// Fills `target` lots of the orders of one side that accept `price`: by price priority, then
/// the allocation rule within the marginal price level. Writes fills[i] for each order.
void allocate(std::span<const BatchOrder> orders, std::int64_t price, std::int64_t target,
              const ClearingRules& rules, RandomStream& rng, ClearingScratch& scratch,
              std::vector<std::int64_t>& fills) {
  const std::int64_t tpu = rules.ticks_per_unit;
  fills.assign(orders.size(), 0);
  std::vector<std::uint32_t>& eligible = scratch.eligible;
  eligible.clear();
  for (std::uint32_t i = 0; i < orders.size(); ++i) {
    if (accepts(orders[i], price, tpu)) eligible.push_back(i);
  }
  if (rules.allocation == Allocation::kTimeAnyPrice) {
    // Time priority over every order that accepts the price, whatever its limit.
    std::int64_t left = target;
    for (std::uint32_t m : eligible) {
      fills[m] = std::min(orders[m].open, left);
      left -= fills[m];
    }
    assert(left == 0 && "allocation must place the whole volume");
    return;
  }
  // Best limit first (highest buy, lowest sell), then time priority within a level: the
  // input index breaks ties (eligible is ascending), so no stable sort and its buffer.
  const bool buy = !orders.empty() && orders[0].side == Side::kBuy;
  std::sort(eligible.begin(), eligible.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::int64_t la = effective_limit(orders[a], tpu);
    const std::int64_t lb = effective_limit(orders[b], tpu);
    if (la != lb) return buy ? la > lb : la < lb;
    return a < b;
  });
  std::int64_t left = target;
  std::size_t i = 0;
  while (i < eligible.size() && left > 0) {
    const std::int64_t level = effective_limit(orders[eligible[i]], tpu);
    std::size_t j = i;
    std::int64_t level_lots = 0;
    while (j < eligible.size() && effective_limit(orders[eligible[j]], tpu) == level) {
      level_lots += orders[eligible[j]].open;
      ++j;
    }
    std::span<std::uint32_t> members(eligible.data() + i, j - i);
    if (level_lots <= left) {
      for (std::uint32_t m : members) fills[m] = orders[m].open;
      left -= level_lots;
    } else {
      switch (rules.allocation) {
        case Allocation::kRandom:
          // Fisher-Yates from the back over the time-ordered level: a uniform random priority.
          for (std::size_t k = members.size(); k > 1; --k) {
            std::swap(members[k - 1], members[rng.below(k)]);
          }
          [[fallthrough]];
        case Allocation::kTime:
        case Allocation::kTimeAnyPrice:  // handled above
          for (std::uint32_t m : members) {
            fills[m] = std::min(orders[m].open, left);
            left -= fills[m];
          }
          break;
        case Allocation::kProRata: {
          // Hamilton's largest-remainder method: floor(left * q / Q) each, then one more lot
          // to the largest remainders (left * q mod Q), earlier arrival first on equal ones.
          auto& remainders = scratch.remainders;
          remainders.clear();
          std::int64_t given = 0;
          for (std::uint32_t m : members) {
            const Wide share = static_cast<Wide>(left) * orders[m].open;
            fills[m] = static_cast<std::int64_t>(share / level_lots);
            given += fills[m];
            remainders.emplace_back(static_cast<std::int64_t>(share % level_lots), m);
          }
          // Members are in arrival order, so the order index breaks ties as a stable sort.
          std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
          });
          for (std::int64_t k = 0; k < left - given; ++k) ++fills[remainders[k].second];
          left = 0;
          break;
        }
      }
    }
    i = j;
  }
  assert(left == 0 && "allocation must place the whole volume");
}

}  // namespace

Clearing clear_uniform(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
                       const ClearingRules& rules, std::optional<Price> previous,
                       RandomStream& rng) {
  Clearing c;
  ClearingScratch scratch;
  clear_uniform(buys, sells, rules, previous, rng, c, scratch);
  return c;
}

void clear_uniform(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells,
                   const ClearingRules& rules, std::optional<Price> previous, RandomStream& rng,
                   Clearing& c, ClearingScratch& scratch) {
  c.price.reset();
  c.volume = 0;
  c.matches.clear();
  c.buy_fills.assign(buys.size(), 0);
  c.sell_fills.assign(sells.size(), 0);
  if (buys.empty() || sells.empty()) return;
  const std::int64_t tpu = rules.ticks_per_unit;

  std::int64_t lo = tpu;
  std::int64_t hi = 0;
  for (const auto side : {buys, sells}) {
    for (const BatchOrder& o : side) {
      if (o.kind == OrderKind::kMarket) continue;
      lo = std::min(lo, o.limit.ticks);
      hi = std::max(hi, o.limit.ticks);
    }
  }
  if (lo > hi) {  // market orders only: the previous price is the only reference
    if (!previous) return;
    lo = hi = previous->ticks;
  }

  std::int64_t best_volume = 0;
  std::int64_t price = 0;
  if (rules.tie == TieRule::kImbalanceMidpoint && lo <= hi) {
    const auto chosen = imbalance_midpoint_price(buys, sells, tpu, scratch.buy_limits,
                                                 scratch.sell_limits, scratch.starts);
    if (!chosen) return;
    price = chosen->first;
    best_volume = chosen->second;
  } else {
    segments_of(buys, sells, lo, hi, tpu, scratch);
    std::vector<Segment>& segments = scratch.segments;
    for (const Segment& s : segments) best_volume = std::max(best_volume, volume(s));
    if (best_volume == 0) return;
    std::erase_if(segments, [&](const Segment& s) { return volume(s) != best_volume; });
    if (rules.tie == TieRule::kImbalance) {
      std::int64_t least = std::numeric_limits<std::int64_t>::max();
      for (const Segment& s : segments) least = std::min(least, imbalance(s));
      std::erase_if(segments, [&](const Segment& s) { return imbalance(s) != least; });
    }
    const bool use_previous = rules.tie != TieRule::kMidpoint &&
                              rules.tie != TieRule::kImbalanceMidpoint && previous.has_value();
    price = use_previous ? closest(segments, previous->ticks) : midpoint_choice(segments);
  }

  clear_at(buys, sells, Price{price}, best_volume, rules, rng, c, scratch);
}

void clear_at(std::span<const BatchOrder> buys, std::span<const BatchOrder> sells, Price price,
              std::int64_t volume, const ClearingRules& rules, RandomStream& rng, Clearing& c,
              ClearingScratch& scratch) {
  c.price = price;
  c.volume = volume;
  c.matches.clear();
  allocate(buys, price.ticks, volume, rules, rng, scratch, c.buy_fills);
  allocate(sells, price.ticks, volume, rules, rng, scratch, c.sell_fills);

  // Pair the fills, buys and sells each in input (time) order.
  std::uint32_t b = 0;
  std::uint32_t s = 0;
  std::int64_t b_left = c.buy_fills.empty() ? 0 : c.buy_fills[0];
  std::int64_t s_left = c.sell_fills.empty() ? 0 : c.sell_fills[0];
  while (true) {
    while (b < buys.size() && b_left == 0) b_left = ++b < buys.size() ? c.buy_fills[b] : 0;
    while (s < sells.size() && s_left == 0) s_left = ++s < sells.size() ? c.sell_fills[s] : 0;
    if (b >= buys.size() || s >= sells.size()) break;
    const std::int64_t lots = std::min(b_left, s_left);
    c.matches.push_back({b, s, lots});
    b_left -= lots;
    s_left -= lots;
  }
}

}  // namespace proteus::engine
