// Whole-run benchmarks: events per second on a quickstart-like scenario with 100 noise
// traders, and time per run of the predecessor's scenarios (CLOB, FBA, RFQ).
#include <benchmark/benchmark.h>

#include <string>

#include "app/allocator.hpp"
#include "engine/config.hpp"
#include "engine/market_sim.hpp"
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
