// Reduction cost of `proteus report`: 10 million rows x 20 metrics through the streaming
// moments, read in chunks as a panel column would be (figures in docs/statistics.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "stats/bootstrap.hpp"
#include "stats/moments.hpp"
#include "stats/summary.hpp"

namespace {

constexpr std::size_t kRows = 10'000'000;
constexpr int kMetrics = 20;
constexpr std::size_t kChunk = 65536;  // rows per read, like an HDF5 chunk of one column

// One 80 MB column, larger than any cache, reused for every metric so that the benchmark's
// memory stays flat on a shared machine; every pass still streams it from main memory.
const std::vector<double>& column() {
  static const std::vector<double> kValues = [] {
    std::vector<double> xs(kRows);
    for (std::size_t i = 0; i < kRows; ++i) {
      xs[i] = static_cast<double>(proteus::stats::splitmix64(2026, i) >> 11) * 0x1.0p-53 - 0.5;
    }
    return xs;
  }();
  return kValues;
}

// The split-invariant reduction a report uses (bits independent of chunking and rank count).
void BM_ReportOrderedMoments(benchmark::State& state) {
  const std::span<const double> col(column());
  for (auto _ : state) {
    for (int metric = 0; metric < kMetrics; ++metric) {
      proteus::stats::OrderedMoments acc;
      for (std::size_t start = 0; start < col.size(); start += kChunk) {
        acc.add(col.subspan(start, std::min(kChunk, col.size() - start)));
      }
      benchmark::DoNotOptimize(proteus::stats::summarize(acc.result(), 0.95));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kRows) * kMetrics);
}
BENCHMARK(BM_ReportOrderedMoments)->Unit(benchmark::kMillisecond)->Iterations(2);

// Plain sequential Welford for comparison (deterministic only for a fixed split).
void BM_ReportWelford(benchmark::State& state) {
  const std::span<const double> col(column());
  for (auto _ : state) {
    for (int metric = 0; metric < kMetrics; ++metric) {
      proteus::stats::Moments acc;
      for (std::size_t start = 0; start < col.size(); start += kChunk) {
        acc.add(col.subspan(start, std::min(kChunk, col.size() - start)));
      }
      benchmark::DoNotOptimize(proteus::stats::summarize(acc, 0.95));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kRows) * kMetrics);
}
BENCHMARK(BM_ReportWelford)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
