// The reduction behind `proteus report`, free of HDF5: per-cell summaries (t-interval, Wilson,
// VaR/CVaR and quantiles) and paired contrasts against each contrast group's baseline cell,
// computed from plain columns of values and statuses.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "stats/contrast.hpp"
#include "stats/multiple.hpp"
#include "stats/summary.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {

/// Probabilities of the quantiles reported for P&L-like metrics.
inline constexpr std::array<double, 7> kReportQuantiles = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

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
  bool tail = false;    ///< VaR, CVaR and quantile fields valid (P&L-like metric, n >= 1)
  double var_5 = 0.0;   ///< 95% VaR of the loss (-value of a P&L, the value of a loss metric)
  double cvar_5 = 0.0;  ///< mean loss at or beyond var_5
  double var_1 = 0.0;   ///< 99% VaR of the loss
  double cvar_1 = 0.0;  ///< mean loss at or beyond var_1
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

/// One cell of one metric: the values and /runs/status codes of its rows, in rep order.
struct CellValues {
  std::vector<double> values;
  std::vector<std::uint8_t> status;

  /// Whether rep `rep` has status ok and a finite value.
  bool usable(std::size_t rep) const;
};

/// What every contrast of a reduction shares.
struct ContrastSettings {
  double level = 0.95;            ///< of the paired, Welch and BCa intervals
  std::uint64_t bootstrap = 0;    ///< BCa resamples; 0: no bootstrap (bca_* NaN)
  std::uint64_t master_seed = 0;  ///< of the panel, for bootstrap_seed()
};

/// Summary of one cell: n, mean, sd, se and t-interval at `level` over the usable reps; Wilson
/// interval when `metric` is a proportion and every usable value is 0 or 1; VaR/CVaR at 95%
/// and kReportQuantiles (type 7) when it is P&L-like. All NaN when no rep is usable.
CellSummary summarize_cell(std::uint64_t cell, const std::string& label,
                           const engine::MetricInfo& metric, const CellValues& data, double level);

/// Seed of the bootstrap of one contrast: a pure function of the panel's master seed, the cell
/// and the metric's position in the registry, so adding metrics or cells changes no other seed.
std::uint64_t bootstrap_seed(std::uint64_t master_seed, std::uint64_t cell,
                             std::size_t metric_index);

/// Contrast of `treated` (cell `cell`) against `base` (cell `baseline`), both with the same
/// number of reps: paired t and Welch on the reps usable in both, and with settings.bootstrap
/// > 0 and at least 2 pairs a BCa interval of the mean difference. p_adjusted is left NaN.
ContrastRow contrast_cells(std::uint64_t cell, std::uint64_t baseline,
                           std::span<const std::string> labels, const engine::MetricInfo& metric,
                           std::size_t metric_index, const CellValues& treated,
                           const CellValues& base, const ContrastSettings& settings);

/// Sets p_adjusted of every row: the finite paired p-values adjusted as one family by
/// `method`; rows with a NaN p-value get NaN.
void adjust_contrasts(std::vector<ContrastRow>& rows, stats::Adjustment method);

/// Reads cell `cell` of the metric being reduced into `out` (resized to the repetitions).
using CellReader = std::function<void(std::uint64_t cell, CellValues& out)>;

/// Reduces one metric (registry position `metric_index`): summarises every member of every
/// group and contrasts each non-baseline member with its group's baseline (groups without one
/// get summaries only), reading each cell once, baseline first, so two cells are held at a
/// time. Appends to report.summary and report.contrasts in cell order; p-values are adjusted
/// later, over all metrics, by adjust_contrasts.
void reduce_metric(const engine::MetricInfo& metric, std::size_t metric_index,
                   std::span<const ContrastGroup> groups, std::span<const std::string> labels,
                   const CellReader& read, const ContrastSettings& settings, Report& report);

}  // namespace proteus::sweep
