// Reduction of a panel (`proteus report`): per-cell summaries and paired contrasts against the
// baseline cell of each contrast group, read column by column and cell by cell.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stats/contrast.hpp"
#include "stats/multiple.hpp"
#include "stats/summary.hpp"

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
};

/// Probabilities of the quantiles reported for P&L-like metrics.
inline constexpr double kReportQuantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};

/// One cell and metric. `n` counts rows with status ok and a finite value; `n_missing` the
/// other rows of the cell (failed, pending or NaN), which are left out, never imputed.
struct CellSummary {
  std::uint64_t cell = 0;
  std::string label;
  std::string metric;
  std::string units;
  std::uint64_t n_missing = 0;
  stats::Summary summary;   ///< NaN fields when n = 0
  bool proportion = false;  ///< Wilson fields valid (metric is a proportion and values are 0/1)
  double wilson_low = 0.0;
  double wilson_high = 0.0;
  bool tail = false;              ///< VaR, CVaR and quantile fields valid (P&L-like metric, n >= 1)
  double var_5 = 0.0;             ///< 95% VaR of -value (a positive loss)
  double cvar_5 = 0.0;            ///< mean loss at or beyond var_5
  std::vector<double> quantiles;  ///< at kReportQuantiles
};

/// One non-baseline cell against its group's baseline on one metric, paired by repetition over
/// the reps that are ok with finite values in both cells (`n`); `n_missing` reps were skipped.
/// Welch's analysis uses the same n pairs as two independent samples.
struct ContrastRow {
  std::uint64_t cell = 0;
  std::uint64_t baseline_cell = 0;
  std::string label;
  std::string baseline_label;
  std::string metric;
  std::string units;
  std::uint64_t n_missing = 0;
  stats::PairedContrast paired;  ///< NaN fields when n = 0
  stats::WelchContrast welch;
  double p_adjusted = 0.0;  ///< across every contrast of the report; NaN stays NaN
  double bca_low = 0.0;     ///< NaN unless bootstrap > 0 and n >= 2
  double bca_high = 0.0;
  std::uint64_t bootstrap_seed = 0;  ///< SplitMix64 seed used for this contrast
};

/// The whole reduction, in metric order then cell order.
struct Report {
  std::string panel;
  std::string environment;
  double level = 0.95;
  stats::Adjustment adjust = stats::Adjustment::kHolm;
  std::uint64_t bootstrap = 0;
  std::string baseline;  ///< description of the baseline used ("key=value, ...")
  std::vector<CellSummary> summary;
  std::vector<ContrastRow> contrasts;
  std::vector<std::string> notes;  ///< groups without a baseline cell and similar remarks
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
