// Benchmarks of the random streams.
#include <benchmark/benchmark.h>

#include "engine/rng.hpp"

namespace {

void BM_StreamUniform(benchmark::State& state) {
  proteus::engine::RandomStream s{proteus::engine::repetition_key(1, 0),
                                  proteus::engine::StreamId::kLatent, 0};
  for (auto _ : state) benchmark::DoNotOptimize(s.uniform());
}
BENCHMARK(BM_StreamUniform);

}  // namespace
