// The reduction of `proteus report` over plain columns: cell summaries, paired contrasts with
// Welch and BCa intervals, p-value adjustment and tail rows (docs/statistics.md).
#include "sweep/reduction.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "stats/bootstrap.hpp"
#include "stats/proportion.hpp"
#include "stats/tail.hpp"
#include "sweep/panel_schema.hpp"

namespace proteus::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

stats::Summary nan_summary(double level) {
  stats::Summary s;
  s.mean = s.sd = s.se = s.ci_low = s.ci_high = kNaN;
  s.level = level;
  return s;
}

void set_nan_contrast(ContrastRow& row, double level) {
  row.paired.level = row.welch.level = level;
  for (double* f : {&row.paired.mean_diff, &row.paired.sd_diff, &row.paired.se, &row.paired.df,
                    &row.paired.t, &row.paired.p_value, &row.paired.ci_low, &row.paired.ci_high,
                    &row.paired.d_z, &row.paired.vrf, &row.welch.mean_diff, &row.welch.se,
                    &row.welch.df, &row.welch.t, &row.welch.p_value, &row.welch.ci_low,
                    &row.welch.ci_high, &row.welch.cohens_d, &row.welch.hedges_g}) {
    *f = kNaN;
  }
}

/// BCa interval of the mean of the paired differences `d` (Efron 1987) around `estimate`.
stats::BcaInterval bca_of_mean(const std::vector<double>& d, double estimate,
                               const ContrastSettings& settings, std::uint64_t seed) {
  auto distribution =
      stats::bootstrap_distribution(d, stats::mean_statistic, settings.bootstrap, seed);
  // With repeated differences (often exact zeros under common random numbers) many resample
  // means equal the estimate in exact arithmetic but not in the last bits, because they are
  // summed in another order; z0 must count them as ties. Means within 1e-12 max|d| of the
  // estimate are set to it (far below any difference between distinct resample means).
  double scale = 0.0;
  for (double v : d) scale = std::max(scale, std::abs(v));
  for (double& v : distribution) {
    if (std::abs(v - estimate) <= 1e-12 * scale) v = estimate;
  }
  // Leave-one-out means in closed form, (sum - d_i) / (n - 1): O(n) instead of the generic
  // jackknife's O(n^2), which matters at 10^5 repetitions.
  double sum = 0.0;
  for (double v : d) sum += v;
  std::vector<double> jack(d.size());
  const auto m = static_cast<double>(d.size() - 1);
  for (std::size_t i = 0; i < d.size(); ++i) jack[i] = (sum - d[i]) / m;
  return stats::bca_interval(distribution, estimate, jack, settings.level);
}

}  // namespace

bool CellValues::usable(std::size_t rep) const {
  return status[rep] == schema::kStatusOk && std::isfinite(values[rep]);
}

CellSummary summarize_cell(std::uint64_t cell, const std::string& label,
                           const engine::MetricInfo& metric, const CellValues& data, double level) {
  CellSummary out;
  out.cell = cell;
  out.label = label;
  out.metric = metric.name;
  out.units = metric.units;
  std::vector<double> xs;
  for (std::size_t r = 0; r < data.values.size(); ++r) {
    if (data.usable(r)) xs.push_back(data.values[r]);
  }
  out.n_missing = data.values.size() - xs.size();
  out.wilson_low = out.wilson_high = out.var_5 = out.cvar_5 = out.var_1 = out.cvar_1 = kNaN;
  if (xs.empty()) {
    out.summary = nan_summary(level);
    return out;
  }
  out.summary = stats::summarize(xs, level);
  if (metric.kind == engine::MetricKind::kProportion &&
      std::all_of(xs.begin(), xs.end(), [](double v) { return v == 0.0 || v == 1.0; })) {
    const auto k = static_cast<std::uint64_t>(std::count(xs.begin(), xs.end(), 1.0));
    const stats::Proportion p = stats::wilson_interval(k, xs.size(), level);
    out.proportion = true;
    out.wilson_low = p.ci_low;
    out.wilson_high = p.ci_high;
  }
  if (metric.kind == engine::MetricKind::kPnl || metric.kind == engine::MetricKind::kLoss) {
    // tail_risk takes P&L (losses are -value); a loss metric is its own loss.
    std::vector<double> pnl = xs;
    if (metric.kind == engine::MetricKind::kLoss) {
      for (double& v : pnl) v = -v;
    }
    const stats::TailRisk r95 = stats::tail_risk(pnl, 0.95);
    const stats::TailRisk r99 = stats::tail_risk(pnl, 0.99);
    out.tail = true;
    out.var_5 = r95.var;
    out.cvar_5 = r95.cvar;
    out.var_1 = r99.var;
    out.cvar_1 = r99.cvar;
    out.quantiles = stats::quantiles(xs, kReportQuantiles);
  }
  return out;
}

std::uint64_t bootstrap_seed(std::uint64_t master_seed, std::uint64_t cell,
                             std::size_t metric_index) {
  return stats::splitmix64(master_seed, (cell << 16) + metric_index);
}

ContrastRow contrast_cells(std::uint64_t cell, std::uint64_t baseline,
                           std::span<const std::string> labels, const engine::MetricInfo& metric,
                           std::size_t metric_index, const CellValues& treated,
                           const CellValues& base, const ContrastSettings& settings) {
  ContrastRow row;
  row.cell = cell;
  row.baseline_cell = baseline;
  row.label = labels[cell];
  row.baseline_label = labels[baseline];
  row.metric = metric.name;
  row.units = metric.units;
  row.bca_low = row.bca_high = row.p_adjusted = kNaN;
  row.bootstrap_seed = bootstrap_seed(settings.master_seed, cell, metric_index);
  // Pairs need both runs ok and finite: the stats layer rejects NaN, so they are dropped here
  // and counted in n_missing.
  std::vector<double> xa;
  std::vector<double> xb;
  for (std::size_t r = 0; r < treated.values.size(); ++r) {
    if (treated.usable(r) && base.usable(r)) {
      xa.push_back(treated.values[r]);
      xb.push_back(base.values[r]);
    }
  }
  row.n_missing = treated.values.size() - xa.size();
  if (xa.empty()) {
    set_nan_contrast(row, settings.level);
    return row;
  }
  row.paired = stats::paired_contrast(xa, xb, settings.level);
  row.welch = stats::welch_contrast(xa, xb, settings.level);
  if (settings.bootstrap > 0 && xa.size() >= 2) {
    std::vector<double> d(xa.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = xa[i] - xb[i];
    const stats::BcaInterval bca =
        bca_of_mean(d, row.paired.mean_diff, settings, row.bootstrap_seed);
    row.bca_low = bca.interval.low;
    row.bca_high = bca.interval.high;
  }
  return row;
}

void adjust_contrasts(std::vector<ContrastRow>& rows, stats::Adjustment method) {
  std::vector<double> ps;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].p_adjusted = kNaN;
    if (std::isfinite(rows[i].paired.p_value)) {
      ps.push_back(rows[i].paired.p_value);
      where.push_back(i);
    }
  }
  const std::vector<double> adjusted = stats::adjust_p_values(ps, method);
  for (std::size_t k = 0; k < where.size(); ++k) rows[where[k]].p_adjusted = adjusted[k];
}

void reduce_metric(const engine::MetricInfo& metric, std::size_t metric_index,
                   std::span<const ContrastGroup> groups, std::span<const std::string> labels,
                   const CellReader& read, const ContrastSettings& settings, Report& report) {
  std::vector<CellSummary> summaries;
  std::vector<ContrastRow> contrasts;
  CellValues base;
  CellValues other;
  for (const auto& group : groups) {
    const bool has_baseline = group.baseline != kNotApplicable;
    if (has_baseline) {
      read(group.baseline, base);
      summaries.push_back(
          summarize_cell(group.baseline, labels[group.baseline], metric, base, settings.level));
    }
    for (std::size_t c : group.members) {
      if (c == group.baseline) continue;
      read(c, other);
      summaries.push_back(summarize_cell(c, labels[c], metric, other, settings.level));
      if (has_baseline) {
        contrasts.push_back(
            contrast_cells(c, group.baseline, labels, metric, metric_index, other, base, settings));
      }
    }
  }
  std::sort(summaries.begin(), summaries.end(),
            [](const auto& x, const auto& y) { return x.cell < y.cell; });
  std::sort(contrasts.begin(), contrasts.end(),
            [](const auto& x, const auto& y) { return x.cell < y.cell; });
  std::move(summaries.begin(), summaries.end(), std::back_inserter(report.summary));
  std::move(contrasts.begin(), contrasts.end(), std::back_inserter(report.contrasts));
}

}  // namespace proteus::sweep
