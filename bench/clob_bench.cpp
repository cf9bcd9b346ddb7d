// Benchmarks of the continuous limit order book: a mixed stream near the touch, and
// Liquibook's published insert workload (figures and commands in docs/performance.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/mechanisms/clob.hpp"
#include "engine/rng.hpp"

namespace {

using proteus::engine::AgentId;
using proteus::engine::Clob;
using proteus::engine::MarketRules;
using proteus::engine::OrderId;
using proteus::engine::OrderKind;
using proteus::engine::OrderRequest;
using proteus::engine::Outcome;
using proteus::engine::OutcomeKind;
using proteus::engine::Outcomes;
using proteus::engine::Price;
using proteus::engine::Qty;
using proteus::engine::RandomStream;
using proteus::engine::Side;
using proteus::engine::SimTime;
using proteus::engine::StreamId;

/// One pre-generated operation: an order, or a cancel of `order.id` by `order.owner`.
struct Op {
  bool cancel = false;
  OrderRequest order;
};

struct Workload {
  MarketRules rules;
  std::vector<Op> ops;
};

/// Replays `ops` on `book` and returns the number of outcomes; the outcome buffer is cleared after
/// every call, as the simulation does after dispatching.
std::size_t replay(Clob& book, const std::vector<Op>& ops, Outcomes& out) {
  std::size_t outcomes = 0;  // returned so that the work cannot be optimised away
  for (const Op& op : ops) {
    if (op.cancel) {
      book.on_cancel(SimTime{}, op.order.owner, op.order.id, out);
    } else {
      book.on_order(SimTime{}, op.order, out);
    }
    outcomes += out.size();
    out.clear();
  }
  return outcomes;
}

/// Mixed stream near the touch: 50% limit orders within 4 ticks behind or 1 tick inside the
/// touch, 35% cancels of live orders, 15% marketable orders (IOC through the touch or market),
/// 1 to 10 lots, 16 agents, around a mid that random-walks. Generated against a shadow book so
/// that cancels name orders that are really live.
Workload mixed_near_touch(std::size_t count) {
  Workload w;
  w.rules.ticks_per_unit = 1000;
  w.rules.max_order_lots = 1000;
  Clob shadow(w.rules);
  RandomStream rng{proteus::engine::repetition_key(42, 0), StreamId::kDecision, 0};
  std::vector<std::uint64_t> live;        // candidate ids for cancels (some may be dead)
  std::vector<std::uint8_t> alive(1, 0);  // indexed by id
  std::vector<AgentId> owner_of(1);
  std::int64_t mid = 500;
  std::uint64_t next_id = 1;
  Outcomes out;
  w.ops.reserve(count);
  while (w.ops.size() < count) {
    Op op;
    const std::uint64_t roll = rng.below(100);
    if (roll < 35 && !live.empty()) {
      // Pick a live order; drop dead candidates lazily.
      std::size_t k = rng.below(live.size());
      while (!alive[live[k]]) {
        live[k] = live.back();
        live.pop_back();
        if (live.empty()) break;
        k = rng.below(live.size());
      }
      if (live.empty()) continue;
      op.cancel = true;
      op.order.id = OrderId{live[k]};
      op.order.owner = owner_of[live[k]];
      live[k] = live.back();
      live.pop_back();
    } else {
      if (rng.below(8) == 0) mid = std::clamp<std::int64_t>(mid + (rng.below(2) ? 1 : -1), 50, 950);
      const auto view = shadow.public_view();
      const Side side = rng.below(2) == 0 ? Side::kBuy : Side::kSell;
      const std::int64_t bid = view.best_bid ? view.best_bid->price.ticks : mid - 1;
      const std::int64_t ask = view.best_ask ? view.best_ask->price.ticks : mid + 1;
      OrderRequest& o = op.order;
      o.id = OrderId{next_id++};
      o.owner = AgentId{static_cast<std::uint32_t>(rng.below(16))};
      o.side = side;
      o.qty = Qty{1 + static_cast<std::int64_t>(rng.below(10))};
      const std::int64_t offset = static_cast<std::int64_t>(rng.below(6)) - 1;  // -1 .. 4
      if (roll < 85) {
        o.kind = OrderKind::kLimit;
        // Joins or improves the own side, anchored on the mid when the touch drifted away.
        const std::int64_t anchor = side == Side::kBuy ? std::min(bid, mid) : std::max(ask, mid);
        o.limit = Price{side == Side::kBuy ? anchor - offset : anchor + offset};
      } else {
        o.kind = rng.below(4) == 0 ? OrderKind::kMarket : OrderKind::kIoc;
        o.limit = Price{side == Side::kBuy ? ask + 1 : bid - 1};
      }
      o.limit = Price{std::clamp<std::int64_t>(o.limit.ticks, 1, w.rules.ticks_per_unit - 1)};
      alive.push_back(0);
      owner_of.push_back(o.owner);
    }
    if (op.cancel) {
      shadow.on_cancel(SimTime{}, op.order.owner, op.order.id, out);
    } else {
      shadow.on_order(SimTime{}, op.order, out);
    }
    for (const Outcome& e : out) {
      if (e.kind == OutcomeKind::kAccepted) {
        alive[e.order.value] = 1;
        live.push_back(e.order.value);
      } else if (e.kind == OutcomeKind::kTrade && e.counter_remaining.lots == 0) {
        alive[e.counter_order.value] = 0;
      } else if (e.kind == OutcomeKind::kCancelled) {
        alive[e.order.value] = 0;
      }
    }
    out.clear();
    w.ops.push_back(op);
  }
  return w;
}

/// Liquibook's performance workload: limit orders only, alternating buy and sell; buys uniform
/// over ticks 1880..1889, sells over 1884..1893, 100..1000 lots in steps of 100.
Workload liquibook_inserts(std::size_t count) {
  Workload w;
  w.rules.ticks_per_unit = 10'000;
  w.rules.max_order_lots = 1000;
  RandomStream rng{proteus::engine::repetition_key(7, 0), StreamId::kDecision, 0};
  w.ops.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Op op;
    OrderRequest& o = op.order;
    o.id = OrderId{i + 1};
    o.owner = AgentId{static_cast<std::uint32_t>(i % 2)};  // never a self-trade
    o.side = i % 2 == 0 ? Side::kBuy : Side::kSell;
    o.kind = OrderKind::kLimit;
    const std::int64_t low = o.side == Side::kBuy ? 1880 : 1884;
    o.limit = Price{low + static_cast<std::int64_t>(rng.below(10))};
    o.qty = Qty{100 * (1 + static_cast<std::int64_t>(rng.below(10)))};
    w.ops.push_back(op);
  }
  return w;
}

/// What one pass of a workload does to the book: shares of orders that trade as taker and that
/// trade at all (as taker or maker), and the largest number of resting orders.
struct Profile {
  double taker_fraction = 0;
  double filled_fraction = 0;
  std::size_t max_resting = 0;
};

Profile profile(const Workload& w) {
  Clob book(w.rules);
  Outcomes out;
  std::vector<std::uint8_t> filled;
  std::size_t orders = 0;
  std::size_t takers = 0;
  Profile p;
  for (const Op& op : w.ops) {
    if (op.cancel) {
      book.on_cancel(SimTime{}, op.order.owner, op.order.id, out);
    } else {
      ++orders;
      book.on_order(SimTime{}, op.order, out);
    }
    bool took = false;
    for (const Outcome& e : out) {
      if (e.kind != OutcomeKind::kTrade) continue;
      took = true;
      for (const std::uint64_t id : {e.order.value, e.counter_order.value}) {
        if (filled.size() <= id) filled.resize(id + 1, 0);
        filled[id] = 1;
      }
    }
    takers += took ? 1 : 0;
    p.max_resting = std::max(p.max_resting, book.resting_orders());
    out.clear();
  }
  p.taker_fraction = static_cast<double>(takers) / static_cast<double>(orders);
  p.filled_fraction = static_cast<double>(std::count(filled.begin(), filled.end(), 1)) /
                      static_cast<double>(orders);
  return p;
}

/// Times replays of `w`, each on a fresh book built (and the previous one freed) untimed.
void run(benchmark::State& state, const Workload& w) {
  const Profile p = profile(w);
  Outcomes out;
  out.reserve(4096);
  std::unique_ptr<Clob> book;
  for (auto _ : state) {
    state.PauseTiming();
    book.reset();
    book = std::make_unique<Clob>(w.rules);
    book->reserve(p.max_resting);
    state.ResumeTiming();
    benchmark::DoNotOptimize(replay(*book, w.ops, out));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.ops.size()));
  state.counters["max_resting"] = static_cast<double>(p.max_resting);
  state.counters["taker_fraction"] = p.taker_fraction;
  state.counters["filled_fraction"] = p.filled_fraction;
}

void BM_ClobMixedNearTouch(benchmark::State& state) {
  static const Workload kWorkload = mixed_near_touch(static_cast<std::size_t>(state.range(0)));
  run(state, kWorkload);
}
BENCHMARK(BM_ClobMixedNearTouch)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void BM_ClobLiquibookInserts(benchmark::State& state) {
  static const Workload kWorkload = liquibook_inserts(static_cast<std::size_t>(state.range(0)));
  run(state, kWorkload);
}
BENCHMARK(BM_ClobLiquibookInserts)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
