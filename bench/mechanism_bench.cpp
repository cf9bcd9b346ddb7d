// Mechanism benchmarks: FBA clearing cost per batch against the number of orders (expected
// O(n log n)), and whole runs of the predecessor's default scenario under FBA, RFQ and dual flow.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/allocator.hpp"
#include "engine/config.hpp"
#include "engine/mechanisms/batch_auction.hpp"
#include "engine/rng.hpp"
#include "engine/simulation.hpp"

namespace {

// Allocator settings of the `proteus` command: a loop of runs behaves like a sweep worker.
const bool kAllocatorTuned = [] {
  proteus::app::tune_allocator();
  return true;
}();

}  // namespace

namespace {

using proteus::engine::Allocation;
using proteus::engine::BatchOrder;
using proteus::engine::ClearingRules;
using proteus::engine::TieRule;

/// n orders, half buys and half sells, limits uniform on [470, 530] (a crossed batch), 1-5 lots;
/// every tenth order is a market order.
void make_batch(std::int64_t n, std::uint64_t seed, std::vector<BatchOrder>& buys,
                std::vector<BatchOrder>& sells) {
  proteus::engine::RandomStream rng{seed, proteus::engine::StreamId::kDecision, 0};
  for (std::int64_t i = 0; i < n; ++i) {
    const auto side = i % 2 == 0 ? proteus::engine::Side::kBuy : proteus::engine::Side::kSell;
    const auto kind =
        i % 10 == 9 ? proteus::engine::OrderKind::kMarket : proteus::engine::OrderKind::kLimit;
    BatchOrder o{proteus::engine::OrderId{static_cast<std::uint64_t>(i + 1)},
                 proteus::engine::AgentId{static_cast<std::uint32_t>(i % 50)},
                 side,
                 kind,
                 proteus::engine::Price{static_cast<std::int64_t>(470 + rng.below(61))},
                 static_cast<std::int64_t>(1 + rng.below(5)),
                 static_cast<std::uint64_t>(i)};
    (side == proteus::engine::Side::kBuy ? buys : sells).push_back(o);
  }
}

/// One clear of n orders. Iterations rotate over several different batches (about 2^20
/// orders in total) so that the branch predictor cannot learn one batch's sort by heart,
/// which made small batches look several times cheaper than they are.
void BM_FbaClearPerBatch(benchmark::State& state, Allocation allocation) {
  const std::int64_t n = state.range(0);
  const std::size_t variants =
      static_cast<std::size_t>(std::clamp<std::int64_t>((1 << 20) / n, 1, 64));
  std::vector<std::vector<BatchOrder>> buys(variants), sells(variants);
  for (std::size_t v = 0; v < variants; ++v) make_batch(n, 42 + v, buys[v], sells[v]);
  proteus::engine::RandomStream rng{7, proteus::engine::StreamId::kMechanism, 0};
  const ClearingRules rules{TieRule::kImbalance, allocation, 1000};
  proteus::engine::Clearing result;
  proteus::engine::ClearingScratch scratch;
  std::size_t v = 0;
  for (auto _ : state) {
    proteus::engine::clear_uniform(buys[v], sells[v], rules, proteus::engine::Price{500}, rng,
                                   result, scratch);
    benchmark::DoNotOptimize(result.volume);
    v = v + 1 == variants ? 0 : v + 1;
  }
  state.SetComplexityN(n);
  state.counters["ns_per_order"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_FbaClearPerBatch, time, Allocation::kTime)
    ->RangeMultiplier(4)
    ->Range(16, 1 << 18)
    ->Complexity(benchmark::oNLogN);
BENCHMARK_CAPTURE(BM_FbaClearPerBatch, pro_rata, Allocation::kProRata)
    ->RangeMultiplier(4)
    ->Range(16, 1 << 18)
    ->Complexity(benchmark::oNLogN);

/// Time per 20 s run of configs/predecessor-default.toml under a mechanism.
void BM_PredecessorDefaultRun(benchmark::State& state, std::vector<std::string> overrides) {
  const auto spec = proteus::engine::load_scenario_file(
      std::string(PROTEUS_SOURCE_DIR) + "/configs/predecessor-default.toml", overrides);
  std::uint64_t rep = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto r = proteus::engine::run_scenario(spec, proteus::engine::RunKey{1, rep++});
    events += r.events_processed;
    benchmark::DoNotOptimize(r.metrics.data());
  }
  state.counters["events_per_run"] = static_cast<double>(events) / static_cast<double>(rep);
}
BENCHMARK_CAPTURE(BM_PredecessorDefaultRun, clob, std::vector<std::string>{})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PredecessorDefaultRun, fba_100ms,
                  std::vector<std::string>{"run.mechanism=fba", "mechanism.fba.delta_ms=100"})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PredecessorDefaultRun, rfq, std::vector<std::string>{"run.mechanism=rfq"})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_PredecessorDefaultRun, dual_flow_100ms,
                  std::vector<std::string>{"run.mechanism=dual_flow",
                                           "mechanism.dual_flow.acknowledge_gate=true"})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
