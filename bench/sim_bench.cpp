// Whole-run benchmarks: events per second on a quickstart-like scenario with 100 noise
// traders, time per run of the predecessor's scenarios (CLOB, FBA, RFQ), and the random draws of
// one CLOB run alone.
#include <benchmark/benchmark.h>

#include <string>

#include "app/allocator.hpp"
#include "engine/config.hpp"
#include "engine/detmath.hpp"
#include "engine/market_sim.hpp"
#include "engine/rng.hpp"
#include "engine/simulation.hpp"

namespace {

using proteus::engine::RunKey;

// The same allocator settings as the `proteus` command, so a loop of runs here behaves like a
// sweep worker (and results do not depend on which benchmark ran first).
const bool kAllocatorTuned = [] {
  proteus::app::tune_allocator();
  return true;
}();

proteus::engine::ScenarioSpec load(const char* name, std::vector<std::string> overrides = {}) {
  return proteus::engine::load_scenario_file(std::string(PROTEUS_SOURCE_DIR) + "/configs/" + name,
                                             overrides);
}

void BM_QuickstartWith100NoiseTraders(benchmark::State& state) {
  const auto spec = load("quickstart.toml", {"agents.noise.count=100"});
  std::uint64_t rep = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto r = proteus::engine::run_scenario(spec, RunKey{1, rep++});
    events += r.events_processed;
    benchmark::DoNotOptimize(r.metrics.data());
  }
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_QuickstartWith100NoiseTraders)->Unit(benchmark::kMillisecond);

void BM_PredecessorDefaultRun(benchmark::State& state) {
  const auto spec = load("predecessor-default.toml");
  std::uint64_t rep = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto r = proteus::engine::run_scenario(spec, RunKey{1, rep++});
    events += r.events_processed;
    benchmark::DoNotOptimize(r.metrics.data());
  }
  state.counters["events_per_run"] = static_cast<double>(events) / static_cast<double>(rep);
}
BENCHMARK(BM_PredecessorDefaultRun)->Unit(benchmark::kMicrosecond);

// One run of each of the other predecessor scenarios (docs/validation.md: S2 FBA, S3 RFQ).
void run_config(benchmark::State& state, const char* config) {
  const auto spec = load(config);
  std::uint64_t rep = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const auto r = proteus::engine::run_scenario(spec, RunKey{1, rep++});
    events += r.events_processed;
    benchmark::DoNotOptimize(r.metrics.data());
  }
  state.counters["events_per_run"] = static_cast<double>(events) / static_cast<double>(rep);
}
void BM_PredecessorFbaRun(benchmark::State& state) {
  run_config(state, "predecessor-fba.toml");
}
BENCHMARK(BM_PredecessorFbaRun)->Unit(benchmark::kMicrosecond);
void BM_PredecessorRfqRun(benchmark::State& state) {
  run_config(state, "predecessor-rfq.toml");
}
BENCHMARK(BM_PredecessorRfqRun)->Unit(benchmark::kMicrosecond);

}  // namespace

namespace {

// Set-up and tear-down of a run alone: the predecessor scenario with 1 ms simulated.
void BM_PredecessorDefaultSetupOnly(benchmark::State& state) {
  const auto spec = load("predecessor-default.toml", {"run.duration_s=0.001"});
  std::uint64_t rep = 0;
  for (auto _ : state) {
    const auto r = proteus::engine::run_scenario(spec, RunKey{1, rep++});
    benchmark::DoNotOptimize(r.metrics.data());
  }
}
BENCHMARK(BM_PredecessorDefaultSetupOnly)->Unit(benchmark::kMicrosecond);

}  // namespace

namespace {

// The random draws and deterministic math of one S1 run alone, replayed without the market:
// the calls a predecessor-default run makes (counted with callgrind on repetition 1: 420
// normals, 201 Poisson counts of mean 0.18, 313 uniforms, 202 sigmoids; 497 Philox blocks in
// all) on four streams keyed by the repetition, as the run's are. A floor under any engine
// that keeps counter-based streams and bit-reproducible math (docs/performance.md).
void BM_PredecessorDefaultDrawsOnly(benchmark::State& state) {
  using proteus::engine::RandomStream;
  using proteus::engine::StreamId;
  std::uint64_t rep = 0;
  std::uint64_t blocks = 0;
  for (auto _ : state) {
    const std::uint64_t key = proteus::engine::repetition_key(1, rep++);
    RandomStream latent{key, StreamId::kLatent, 0};
    RandomStream signal{key, StreamId::kSignal, 1};
    RandomStream arrival{key, StreamId::kArrival, 3};
    RandomStream decision{key, StreamId::kDecision, 2};
    double sum = 0.0;
    for (int step = 0; step < 201; ++step) {
      sum += proteus::engine::det_sigmoid(0.05 * latent.normal());  // latent step
      sum += signal.normal() + static_cast<double>(arrival.poisson(0.18));
      sum += decision.uniform();
    }
    for (int k = 0; k < 18; ++k) sum += signal.normal();
    for (int k = 0; k < 112; ++k) sum += decision.uniform();
    sum += proteus::engine::det_sigmoid(sum * 1e-9);
    benchmark::DoNotOptimize(sum);
    blocks += (latent.draws() + signal.draws() + arrival.draws() + decision.draws() + 4) / 2;
  }
  state.counters["philox_blocks_per_run"] = static_cast<double>(blocks) / static_cast<double>(rep);
}
BENCHMARK(BM_PredecessorDefaultDrawsOnly)->Unit(benchmark::kMicrosecond);

}  // namespace
