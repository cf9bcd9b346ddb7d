// `proteus report`: the reduction (sweep/reduction.hpp) of a panel read through PanelReader,
// column by column and cell by cell, and the /summary and /contrasts groups it stores.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stats/multiple.hpp"
#include "sweep/reduction.hpp"

namespace proteus::sweep {

/// What to reduce and how.
struct ReportOptions {
  /// Empty: the panel's primary metrics (engine::MetricRegistry::primary(): market-maker P&L,
  /// adverse selection at the horizon nearest 1 s, spreads, price error, survival; as2008:
  /// profit, final inventory, mean spread).
  std::vector<std::string> metrics;
  double level = 0.95;  ///< confidence level of every interval, in (0, 1)
  /// key=value pairs matched against /cells columns; empty: the sweep's [sweep] baseline.
  std::vector<std::pair<std::string, std::string>> baseline;
  stats::Adjustment adjust = stats::Adjustment::kHolm;
  std::uint64_t bootstrap = 0;  ///< BCa resamples of the paired mean difference; 0: none
  /// 0: every repetition; else only repetitions [0, repetitions) of each cell (the panel as it
  /// was after that block of an adaptive-precision run).
  std::uint64_t repetitions = 0;
};

/// Reduces `panel`; memory holds two cells of one column at a time. Throws SweepUsageError when
/// the file is not a panel, has an unknown schema_version, a metric is unknown (the message
/// lists the available ones) or the baseline matches no cell; PanelError on HDF5 failures.
Report compute_report(const std::filesystem::path& panel, const ReportOptions& options);

/// Replaces the /summary and /contrasts groups of `panel` with `report` (one dataset per column).
void write_report(const std::filesystem::path& panel, const Report& report);

/// Name of an adjustment as accepted on the command line: "holm", "bh" or "none".
std::string_view to_string(stats::Adjustment adjust);

}  // namespace proteus::sweep
