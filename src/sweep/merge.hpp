// Merging shard panels of one sweep (`proteus merge`) into the panel the same sweep would
// have written as one job: same /runs bytes, rows at the same indices.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace proteus::sweep {

struct MergeOptions {
  std::filesystem::path out;
  std::vector<std::filesystem::path> shards;  ///< shard files, or any panels of the sweep
  bool overwrite = false;
};

struct MergeSummary {
  std::uint64_t rows = 0;    ///< rows written (every row of the sweep)
  std::uint64_t failed = 0;  ///< rows whose status is not ok
};

/// Checks that every input holds the same config text (SHA-256) and that their finished
/// rows cover every run exactly once, then writes `out` with PanelWriter (root attribute
/// complete = 1). Throws SweepUsageError naming differing keys, missing and duplicated runs
/// (as cell/rep) or an existing output without `overwrite`; PanelError on HDF5 failures.
/// The output is never created when a check fails.
MergeSummary merge_panels(const MergeOptions& options);

}  // namespace proteus::sweep
