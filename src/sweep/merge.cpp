// `proteus merge`: checks that shard panels belong to one sweep and cover each run once,
// then copies their finished rows into a fresh panel at the same row indices.
#include "sweep/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "sweep/errors.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/sha256.hpp"
#include "sweep/shard.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {
namespace {

constexpr std::uint64_t kCopyBlockRows = 1 << 16;
constexpr std::size_t kListedRuns = 10;

/// Rows in a range list, as "cell/rep" names (at most kListedRuns, then "... (N runs)").
std::string describe_runs(const std::vector<RowRange>& ranges, std::uint64_t repetitions) {
  std::vector<std::string> names;
  for (const auto& [first, last] : ranges) {
    for (std::uint64_t row = first; row < last && names.size() < kListedRuns; ++row) {
      const RunId id = run_of(row, repetitions);
      names.push_back(fmt::format("{}/{}", id.cell, id.rep));
    }
  }
  const std::uint64_t total = row_count(ranges);
  return fmt::format("{}{} ({} run{})", fmt::join(names, ", "), total > names.size() ? ", ..." : "",
                     total, total == 1 ? "" : "s");
}

/// Splits the rows [0, rows) by how many of `finished` (one ascending list per input) hold
/// them: none (missing) or several (duplicated).
void coverage(const std::vector<std::vector<RowRange>>& finished, std::uint64_t rows,
              std::vector<RowRange>& missing, std::vector<RowRange>& duplicated) {
  // Sweep line over range boundaries: +1 at a range start, -1 at its end.
  std::vector<std::pair<std::uint64_t, int>> edges;
  for (const auto& list : finished) {
    for (const auto& [first, last] : list) {
      edges.emplace_back(first, +1);
      edges.emplace_back(last, -1);
    }
  }
  edges.emplace_back(rows, 0);
  std::sort(edges.begin(), edges.end());
  auto add = [](std::vector<RowRange>& list, std::uint64_t first, std::uint64_t last) {
    if (first >= last) return;
    if (!list.empty() && list.back().second == first) {
      list.back().second = last;
    } else {
      list.emplace_back(first, last);
    }
  };
  int depth = 0;
  std::uint64_t at = 0;
  for (const auto& [row, delta] : edges) {
    const std::uint64_t end = std::min(row, rows);
    if (depth == 0) add(missing, at, end);
    if (depth > 1) add(duplicated, at, end);
    at = std::max(at, end);
    depth += delta;
  }
}

std::string shard_name(const PanelInfo& info) {
  return info.shard ? fmt::format("shard {}", to_text(*info.shard)) : std::string("whole panel");
}

}  // namespace

MergeSummary merge_panels(const MergeOptions& options) {
  if (options.shards.empty()) throw SweepUsageError("merge: no input panels given");
  for (const auto& shard : options.shards) {
    std::error_code missing;  // an input or the output that does not exist is not the same file
    if (std::filesystem::equivalent(shard, options.out, missing)) {
      throw SweepUsageError(
          fmt::format("merge: the output {} is also an input", options.out.string()));
    }
  }
  if (panel_exists(options.out) && !options.overwrite) {
    throw SweepUsageError(
        fmt::format("{} exists; pass --overwrite to replace it", options.out.string()));
  }
  std::vector<PanelReader> readers;
  for (const auto& shard : options.shards) readers.push_back(PanelReader::open(shard));

  const PanelInfo& first = readers.front().info();
  const std::string first_sha = sha256_hex(first.config_text);
  for (std::size_t i = 1; i < readers.size(); ++i) {
    const PanelInfo& info = readers[i].info();
    if (sha256_hex(info.config_text) == first_sha) continue;
    const auto diffs = config_differences(first.config_text, info.config_text);
    throw SweepUsageError(fmt::format(
        "merge: {} and {} come from different configs (SHA-256 {} vs {}); differing keys: {}",
        options.shards.front().string(), options.shards[i].string(), first_sha,
        sha256_hex(info.config_text),
        diffs.empty() ? std::string("(none: comments or formatting only)")
                      : fmt::format("{}", fmt::join(diffs, "; "))));
  }

  const SweepPlan plan =
      load_sweep(first.config_text, options.shards.front().string() + " (stored config)");
  std::vector<std::vector<RowRange>> finished;
  for (std::size_t i = 0; i < readers.size(); ++i) {
    if (readers[i].info().rows != plan.total_runs()) {
      throw PanelError(fmt::format("merge: {} has {} rows, its config has {} runs",
                                   options.shards[i].string(), readers[i].info().rows,
                                   plan.total_runs()));
    }
    finished.push_back(readers[i].finished_ranges());
  }
  std::vector<RowRange> missing;
  std::vector<RowRange> duplicated;
  coverage(finished, plan.total_runs(), missing, duplicated);
  if (!missing.empty() || !duplicated.empty()) {
    std::vector<std::string> inputs;
    for (std::size_t i = 0; i < readers.size(); ++i) {
      inputs.push_back(fmt::format("{} ({}, {} finished runs)", options.shards[i].string(),
                                   shard_name(readers[i].info()), row_count(finished[i])));
    }
    std::vector<std::string> problems;
    if (!missing.empty()) {
      problems.push_back(
          fmt::format("missing runs (cell/rep): {}", describe_runs(missing, plan.repetitions)));
    }
    if (!duplicated.empty()) {
      problems.push_back(fmt::format("runs in more than one input (cell/rep): {}",
                                     describe_runs(duplicated, plan.repetitions)));
    }
    throw SweepUsageError(
        fmt::format("merge: the inputs do not cover every run exactly once: {}; "
                    "inputs: {}",
                    fmt::join(problems, "; "), fmt::join(inputs, ", ")));
  }

  int ranks = 0;
  for (const auto& reader : readers) ranks = std::max(ranks, reader.info().ranks);
  PanelWriter writer = PanelWriter::create(options.out, plan, ranks);
  MergeSummary summary;
  for (std::size_t i = 0; i < readers.size(); ++i) {
    for (const auto& [begin, end] : finished[i]) {
      for (std::uint64_t row = begin; row < end; row += kCopyBlockRows) {
        std::vector<RunRecord> records =
            readers[i].read(row, std::min<std::uint64_t>(kCopyBlockRows, end - row));
        for (const auto& r : records) summary.failed += r.status != schema::kStatusOk ? 1 : 0;
        summary.rows += records.size();
        writer.add(std::move(records));
        if (writer.buffered() >= kCopyBlockRows) writer.flush();
      }
    }
  }
  writer.close(true);
  return summary;
}

}  // namespace proteus::sweep
