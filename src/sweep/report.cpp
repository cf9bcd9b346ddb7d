// `proteus report` reduction: reads one metric column cell by cell (rows of a cell are
// contiguous), summarises each cell and contrasts it with its group's baseline cell.
#include "sweep/report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

#include "engine/metrics_registry.hpp"
#include "proteus/version.hpp"
#include "stats/bootstrap.hpp"
#include "stats/proportion.hpp"
#include "stats/tail.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_metrics.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {
namespace {

using h5::check;
using h5::Handle;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint8_t kStatusOk = 0;

/// The panel's root attributes and cell table that a report needs.
struct ReportPanel {
  std::string environment;
  engine::MetricRegistry metrics;  ///< the panel's metric columns
  std::uint64_t repetitions = 0;
  std::uint64_t master_seed = 0;
  bool complete = false;
  std::string config;
  std::vector<std::string> labels;  ///< one per cell
};

Handle open_panel(const std::filesystem::path& path, unsigned flags) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  if (!std::filesystem::exists(path)) {
    throw SweepUsageError(fmt::format("{}: no such file", path.string()));
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw SweepUsageError(fmt::format("{}: not a panel (not an HDF5 file)", path.string()));
  }
  // Verified once, before the read; the write that follows reads nothing back.
  if (flags == H5F_ACC_RDONLY) verify_panel(path);
  if (flags == H5F_ACC_RDWR && access(path.c_str(), W_OK) != 0) {
    throw PanelError(fmt::format(
        "cannot store /summary and /contrasts: {}; pass --no-write to only print the report",
        std::strerror(errno)));
  }
  const hid_t id = H5Fopen(path.c_str(), flags, H5P_DEFAULT);
  if (id < 0 && flags == H5F_ACC_RDWR) {
    throw PanelError(fmt::format(
        "cannot store /summary and /contrasts: {}; pass --no-write to only print the report",
        h5::error_stack()));
  }
  return Handle(id, H5Fclose, fmt::format("open {}", path.string()));
}

ReportPanel read_info(hid_t file, const std::string& path) {
  if (!h5::has_attr(file, "schema_version")) {
    throw SweepUsageError(fmt::format("{}: not a panel (no schema_version attribute)", path));
  }
  const int version = h5::read_scalar_attr<int>(file, "schema_version", H5T_NATIVE_INT);
  if (version != kPanelSchemaVersion) {
    throw SweepUsageError(
        fmt::format("{}: unknown panel schema_version {} (this proteus reads version {})", path,
                    version, kPanelSchemaVersion));
  }
  for (const char* name : {"runs", "cells"}) {
    if (check(H5Lexists(file, name, H5P_DEFAULT), name) <= 0) {
      throw SweepUsageError(fmt::format("{}: not a panel (no /{} group)", path, name));
    }
  }
  ReportPanel info;
  info.environment = h5::read_string_attr(file, "environment");
  info.metrics = read_panel_metrics(file);
  info.repetitions = h5::read_scalar_attr<std::uint64_t>(file, "repetitions", H5T_NATIVE_UINT64);
  info.master_seed = h5::read_scalar_attr<std::uint64_t>(file, "master_seed", H5T_NATIVE_UINT64);
  info.complete = h5::read_scalar_attr<std::uint8_t>(file, "complete", H5T_NATIVE_UINT8) == 1;
  info.config = h5::read_string_attr(file, "config");
  info.labels = h5::read_strings(file, "cells/label");
  return info;
}

std::vector<std::string> resolve_metrics(const ReportPanel& info, const ReportOptions& options) {
  std::vector<std::string> available;
  for (const auto& m : info.metrics) available.emplace_back(m.name);
  std::vector<std::string> metrics = options.metrics;
  if (metrics.empty()) metrics = info.metrics.primary();
  for (const auto& m : metrics) {
    if (std::find(available.begin(), available.end(), m) == available.end()) {
      throw SweepUsageError(fmt::format("unknown metric '{}' for environment {}; available: {}", m,
                                        info.environment, fmt::join(available, ", ")));
    }
  }
  return metrics;
}

/// Text of row `cell` of a /cells column, for matching a --baseline value.
class CellColumn {
 public:
  CellColumn(hid_t file, const std::string& key) : key_(key) {
    const std::string path = "cells/" + key;
    Handle ds = h5::open_dataset(file, path);
    Handle type(H5Dget_type(ds.get()), H5Tclose, path);
    if (H5Tget_class(type.get()) == H5T_STRING) {
      strings_ = h5::read_strings(file, path);
      return;
    }
    const std::uint64_t n = h5::extent(ds.get(), path);
    numbers_.resize(n);
    h5::read_rows(ds.get(), H5T_NATIVE_DOUBLE, 0, n, numbers_.data(), path);
    boolean_ = H5Tget_class(type.get()) == H5T_INTEGER && H5Tget_size(type.get()) == 1;
  }

  /// Whether row `cell` equals `value` (strings exactly, numbers numerically, booleans as
  /// true/false or 1/0).
  bool matches(std::size_t cell, const std::string& value) const {
    if (!strings_.empty()) return strings_.at(cell) == value;
    const double v = numbers_.at(cell);
    if (boolean_ && (value == "true" || value == "false")) return v == (value == "true" ? 1 : 0);
    char* end = nullptr;
    const double parsed = std::strtod(value.c_str(), &end);
    return end != value.c_str() && *end == '\0' && parsed == v;
  }

  /// Distinct values, for an error message.
  std::string values_text() const {
    std::vector<std::string> out;
    if (!strings_.empty()) {
      out = strings_;
    } else {
      for (double v : numbers_) out.push_back(fmt::format("{}", v));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return fmt::format("{}", fmt::join(out, ", "));
  }

 private:
  std::string key_;
  std::vector<std::string> strings_;
  std::vector<double> numbers_;
  bool boolean_ = false;
};

/// Names of the /cells datasets, in HDF5's name order.
std::vector<std::string> cell_columns(hid_t file) {
  Handle group(H5Gopen2(file, "cells", H5P_DEFAULT), H5Gclose, "/cells");
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Literate(
            group.get(), H5_INDEX_NAME, H5_ITER_INC, &index,
            [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
              static_cast<std::vector<std::string>*>(data)->emplace_back(name);
              return 0;
            },
            &names),
        "list /cells");
  return names;
}

/// A --baseline key: the /cells column of that name, else the one whose dotted name ends in
/// ".key" when exactly one does.
std::string resolve_cell_key(const std::vector<std::string>& columns, const std::string& key) {
  if (std::find(columns.begin(), columns.end(), key) != columns.end()) return key;
  std::vector<std::string> hits;
  for (const auto& c : columns) {
    if (c.size() > key.size() && c.ends_with("." + key)) hits.push_back(c);
  }
  if (hits.size() == 1) return hits.front();
  throw SweepUsageError(fmt::format("--baseline key '{}' {} /cells column; columns: {}", key,
                                    hits.empty() ? "matches no" : "matches more than one",
                                    fmt::join(columns, ", ")));
}

/// Assigns each contrast group its baseline cell from --baseline pairs (or keeps the sweep's).
std::vector<ContrastGroup> baseline_groups(hid_t file, const ReportPanel& info,
                                           const ReportOptions& options, std::string& description) {
  SweepPlan plan = parse_sweep(info.config, "panel config");
  if (plan.cells.size() != info.labels.size()) {
    throw PanelError(fmt::format("the stored config expands to {} cells but /cells has {}",
                                 plan.cells.size(), info.labels.size()));
  }
  std::vector<ContrastGroup> groups = contrast_groups(plan);
  if (options.baseline.empty()) {
    std::vector<std::string> parts;
    for (const auto& b : plan.baseline) parts.push_back(b.key + "=" + to_text(b.value));
    description = fmt::format("{}", fmt::join(parts, ", "));
    return groups;
  }
  const std::vector<std::string> columns = cell_columns(file);
  std::vector<bool> matching(info.labels.size(), true);
  std::vector<std::string> parts;
  for (const auto& [key, value] : options.baseline) {
    const std::string column_name = resolve_cell_key(columns, key);
    const CellColumn column(file, column_name);
    bool any = false;
    for (std::size_t c = 0; c < matching.size(); ++c) {
      const bool hit = column.matches(c, value);
      any = any || hit;
      matching[c] = matching[c] && hit;
    }
    if (!any) {
      throw SweepUsageError(fmt::format("--baseline {}={} matches no cell (values of {}: {})", key,
                                        value, column_name, column.values_text()));
    }
    parts.push_back(column_name + "=" + value);
  }
  description = fmt::format("{}", fmt::join(parts, ", "));
  if (std::none_of(matching.begin(), matching.end(), [](bool b) { return b; })) {
    throw SweepUsageError(fmt::format("--baseline {} matches no cell", description));
  }
  for (auto& group : groups) {
    group.baseline = kNotApplicable;
    for (std::size_t c : group.members) {
      if (!matching[c]) continue;
      if (group.baseline != kNotApplicable) {
        throw SweepUsageError(fmt::format(
            "--baseline {} matches cells {} and {} of one contrast group; name a treatment value",
            description, group.baseline, c));
      }
      group.baseline = c;
    }
  }
  return groups;
}

/// One cell of one metric: the values and statuses of its rows, in rep order.
struct CellData {
  std::vector<double> values;
  std::vector<std::uint8_t> status;

  bool usable(std::size_t rep) const {
    return status[rep] == kStatusOk && std::isfinite(values[rep]);
  }
};

/// Reads one metric column cell by cell.
class ColumnReader {
 public:
  ColumnReader(hid_t file, const std::string& metric, std::uint64_t repetitions,
               std::uint64_t cells)
      : values_(h5::open_dataset(file, "runs/" + metric)),
        status_(h5::open_dataset(file, "runs/status")),
        name_("runs/" + metric),
        repetitions_(repetitions) {
    const std::uint64_t rows = cells * repetitions;
    if (h5::extent(values_.get(), name_) < rows ||
        h5::extent(status_.get(), "runs/status") < rows) {
      throw PanelError(fmt::format("{} has fewer than cells x repetitions = {} rows", name_, rows));
    }
  }

  void read(std::uint64_t cell, CellData& out) const {
    out.values.resize(repetitions_);
    out.status.resize(repetitions_);
    const std::uint64_t first = row_of(RunId{cell, 0}, repetitions_);
    h5::read_rows(values_.get(), H5T_NATIVE_DOUBLE, first, repetitions_, out.values.data(), name_);
    h5::read_rows(status_.get(), H5T_NATIVE_UINT8, first, repetitions_, out.status.data(),
                  "runs/status");
  }

 private:
  Handle values_;
  Handle status_;
  std::string name_;
  std::uint64_t repetitions_;
};

stats::Summary nan_summary(double level) {
  stats::Summary s;
  s.mean = s.sd = s.se = s.ci_low = s.ci_high = kNaN;
  s.level = level;
  return s;
}

CellSummary summarize_cell(std::uint64_t cell, const ReportPanel& info,
                           const engine::MetricInfo& metric, const CellData& data, double level,
                           std::vector<double>& scratch) {
  CellSummary out;
  out.cell = cell;
  out.label = info.labels[cell];
  out.metric = metric.name;
  out.units = metric.units;
  scratch.clear();
  for (std::size_t r = 0; r < data.values.size(); ++r) {
    if (data.usable(r)) scratch.push_back(data.values[r]);
  }
  out.n_missing = data.values.size() - scratch.size();
  out.wilson_low = out.wilson_high = out.var_5 = out.cvar_5 = kNaN;
  if (scratch.empty()) {
    out.summary = nan_summary(level);
    return out;
  }
  out.summary = stats::summarize(scratch, level);
  if (metric.kind == engine::MetricKind::kProportion &&
      std::all_of(scratch.begin(), scratch.end(), [](double v) { return v == 0.0 || v == 1.0; })) {
    const auto k = static_cast<std::uint64_t>(std::count(scratch.begin(), scratch.end(), 1.0));
    const stats::Proportion p = stats::wilson_interval(k, scratch.size(), level);
    out.proportion = true;
    out.wilson_low = p.ci_low;
    out.wilson_high = p.ci_high;
  }
  if (metric.kind == engine::MetricKind::kPnl) {
    const stats::TailRisk risk = stats::tail_risk(scratch, 0.95);
    out.tail = true;
    out.var_5 = risk.var;
    out.cvar_5 = risk.cvar;
    out.quantiles = stats::quantiles(scratch, kReportQuantiles);
  }
  return out;
}

/// Seed of the bootstrap of one contrast: a pure function of the panel's master seed, the cell
/// and the metric's position in the registry, so adding metrics or cells changes no other seed.
std::uint64_t bootstrap_seed(std::uint64_t master_seed, std::uint64_t cell,
                             std::size_t metric_index) {
  return stats::splitmix64(master_seed, (cell << 16) + metric_index);
}

ContrastRow contrast_cells(std::uint64_t cell, std::uint64_t baseline, const ReportPanel& info,
                           const std::string& metric, std::size_t metric_index,
                           const std::string& units, const CellData& a, const CellData& b,
                           const ReportOptions& options) {
  ContrastRow row;
  row.cell = cell;
  row.baseline_cell = baseline;
  row.label = info.labels[cell];
  row.baseline_label = info.labels[baseline];
  row.metric = metric;
  row.units = units;
  row.bca_low = row.bca_high = kNaN;
  row.bootstrap_seed = bootstrap_seed(info.master_seed, cell, metric_index);
  // Pairs need both runs ok and finite: the stats layer rejects NaN, so they are dropped here
  // and counted in n_missing.
  std::vector<double> xa;
  std::vector<double> xb;
  for (std::size_t r = 0; r < a.values.size(); ++r) {
    if (a.usable(r) && b.usable(r)) {
      xa.push_back(a.values[r]);
      xb.push_back(b.values[r]);
    }
  }
  row.n_missing = a.values.size() - xa.size();
  if (xa.empty()) {
    row.paired.level = row.welch.level = options.level;
    for (double* f : {&row.paired.mean_diff, &row.paired.sd_diff, &row.paired.se, &row.paired.df,
                      &row.paired.t, &row.paired.p_value, &row.paired.ci_low, &row.paired.ci_high,
                      &row.paired.d_z, &row.paired.vrf, &row.welch.mean_diff, &row.welch.se,
                      &row.welch.df, &row.welch.t, &row.welch.p_value, &row.welch.ci_low,
                      &row.welch.ci_high, &row.welch.cohens_d, &row.welch.hedges_g}) {
      *f = kNaN;
    }
    return row;
  }
  row.paired = stats::paired_contrast(xa, xb, options.level);
  row.welch = stats::welch_contrast(xa, xb, options.level);
  if (options.bootstrap > 0 && xa.size() >= 2) {
    std::vector<double> d(xa.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = xa[i] - xb[i];
    auto distribution = stats::bootstrap_distribution(d, stats::mean_statistic, options.bootstrap,
                                                      row.bootstrap_seed);
    // With repeated differences (often exact zeros under common random numbers) many resample
    // means equal the estimate in exact arithmetic but not in the last bits, because they are
    // summed in another order; z0 must count them as ties. Means within 1e-12 max|d| of the
    // estimate are set to it (far below any difference between distinct resample means).
    double scale = 0.0;
    for (double v : d) scale = std::max(scale, std::abs(v));
    for (double& v : distribution) {
      if (std::abs(v - row.paired.mean_diff) <= 1e-12 * scale) v = row.paired.mean_diff;
    }
    // Leave-one-out means in closed form, (sum - d_i) / (n - 1): O(n) instead of the generic
    // jackknife's O(n^2), which matters at 10^5 repetitions.
    double sum = 0.0;
    for (double v : d) sum += v;
    std::vector<double> jack(d.size());
    const double m = static_cast<double>(d.size() - 1);
    for (std::size_t i = 0; i < d.size(); ++i) jack[i] = (sum - d[i]) / m;
    const stats::BcaInterval bca =
        stats::bca_interval(distribution, row.paired.mean_diff, jack, options.level);
    row.bca_low = bca.interval.low;
    row.bca_high = bca.interval.high;
  }
  return row;
}

/// Adjusts the finite p-values of all contrasts as one family; NaN p-values stay NaN.
void adjust(std::vector<ContrastRow>& rows, stats::Adjustment method) {
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

}  // namespace

std::string_view to_string(stats::Adjustment adjust) {
  switch (adjust) {
    case stats::Adjustment::kNone:
      return "none";
    case stats::Adjustment::kHolm:
      return "holm";
    case stats::Adjustment::kBenjaminiHochberg:
      return "bh";
  }
  return "?";
}

Report compute_report(const std::filesystem::path& panel, const ReportOptions& options) {
  if (!(options.level > 0.0 && options.level < 1.0)) {
    throw SweepUsageError(fmt::format("--level {} is not in (0, 1)", options.level));
  }
  Handle file = open_panel(panel, H5F_ACC_RDONLY);
  const ReportPanel info = read_info(file.get(), panel.string());
  const std::vector<std::string> metrics = resolve_metrics(info, options);
  Report report;
  report.panel = panel.string();
  report.environment = info.environment;
  report.level = options.level;
  report.adjust = options.adjust;
  report.bootstrap = options.bootstrap;
  const std::vector<ContrastGroup> groups =
      baseline_groups(file.get(), info, options, report.baseline);
  if (!info.complete) {
    report.notes.push_back("the panel is not complete: pending rows are left out (n_missing)");
  }
  for (const auto& group : groups) {
    if (group.members.size() > 1 && group.baseline == kNotApplicable) {
      report.notes.push_back(fmt::format("no baseline cell among cells {}: no contrasts for them",
                                         fmt::join(group.members, ", ")));
    }
  }
  const engine::MetricRegistry& registry = info.metrics;
  const std::uint64_t cells = info.labels.size();
  CellData base;
  CellData other;
  std::vector<double> scratch;
  for (const auto& metric : metrics) {
    const std::size_t metric_index = registry.index_of(metric).value();  // resolve_metrics checked
    const engine::MetricInfo& info_m = registry[metric_index];
    const std::string& units = info_m.units;
    const ColumnReader reader(file.get(), metric, info.repetitions, cells);
    std::vector<CellSummary> summaries;
    std::vector<ContrastRow> contrasts;
    // Each cell is read once per metric: the baseline first, then every other member.
    for (const auto& group : groups) {
      const bool has_baseline = group.baseline != kNotApplicable;
      if (has_baseline) {
        reader.read(group.baseline, base);
        summaries.push_back(
            summarize_cell(group.baseline, info, info_m, base, options.level, scratch));
      }
      for (std::size_t c : group.members) {
        if (c == group.baseline) continue;
        reader.read(c, other);
        summaries.push_back(summarize_cell(c, info, info_m, other, options.level, scratch));
        if (has_baseline) {
          contrasts.push_back(contrast_cells(c, group.baseline, info, metric, metric_index, units,
                                             other, base, options));
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
  adjust(report.contrasts, options.adjust);
  return report;
}

namespace {

template <class Row, class Get>
std::vector<double> doubles(const std::vector<Row>& rows, Get get) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(get(r));
  return out;
}

template <class Row, class Get>
std::vector<std::uint64_t> counts(const std::vector<Row>& rows, Get get) {
  std::vector<std::uint64_t> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(get(r));
  return out;
}

template <class Row, class Get>
std::vector<std::string> strings(const std::vector<Row>& rows, Get get) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(get(r));
  return out;
}

void f64(hid_t g, const char* name, const std::vector<double>& v, const char* units,
         const char* description) {
  Handle ds = h5::write_column(g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.size(), v.data());
  if (units != nullptr) h5::set_string_attr(ds.get(), "units", units);
  h5::set_string_attr(ds.get(), "description", description);
}

void u64(hid_t g, const char* name, const std::vector<std::uint64_t>& v, const char* units,
         const char* description) {
  Handle ds = h5::write_column(g, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, v.size(), v.data());
  if (units != nullptr) h5::set_string_attr(ds.get(), "units", units);
  h5::set_string_attr(ds.get(), "description", description);
}

void u32(hid_t g, const char* name, const std::vector<std::uint64_t>& v, const char* description) {
  std::vector<std::uint32_t> narrow(v.begin(), v.end());
  Handle ds =
      h5::write_column(g, name, H5T_STD_U32LE, H5T_NATIVE_UINT32, narrow.size(), narrow.data());
  h5::set_string_attr(ds.get(), "description", description);
}

void str(hid_t g, const char* name, const std::vector<std::string>& v, const char* description) {
  Handle ds = h5::write_strings(g, name, v);
  h5::set_string_attr(ds.get(), "description", description);
}

Handle replace_group(hid_t file, const char* name) {
  if (check(H5Lexists(file, name, H5P_DEFAULT), name) > 0) {
    check(H5Ldelete(file, name, H5P_DEFAULT), name);
  }
  return Handle(H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, name);
}

void describe_group(hid_t g, const Report& report) {
  h5::set_double_attr(g, "level", report.level);
  h5::set_string_attr(g, "adjust", std::string(to_string(report.adjust)));
  h5::set_u64_attr(g, "bootstrap", report.bootstrap);
  h5::set_string_attr(g, "baseline", report.baseline);
  h5::set_string_attr(g, "proteus_version", kVersion);
}

void write_summary(hid_t file, const Report& report) {
  Handle group = replace_group(file, "summary");
  const hid_t g = group.get();
  describe_group(g, report);
  const auto& s = report.summary;
  u32(g, "cell", counts(s, [](const auto& r) { return r.cell; }), "cell index (row of /cells)");
  str(g, "label", strings(s, [](const auto& r) { return r.label; }), "cell label");
  str(g, "metric", strings(s, [](const auto& r) { return r.metric; }), "metric (a /runs column)");
  str(g, "units", strings(s, [](const auto& r) { return r.units; }),
      "units of mean, sd, se, intervals and tail fields of the row");
  u64(g, "n", counts(s, [](const auto& r) { return r.summary.n; }), "count",
      "rows with status ok and a finite value");
  u64(g, "n_missing", counts(s, [](const auto& r) { return r.n_missing; }), "count",
      "rows of the cell left out: failed, pending or NaN");
  f64(g, "mean", doubles(s, [](const auto& r) { return r.summary.mean; }), nullptr,
      "sample mean (row units)");
  f64(g, "sd", doubles(s, [](const auto& r) { return r.summary.sd; }), nullptr,
      "sample standard deviation, divisor n - 1 (row units)");
  f64(g, "se", doubles(s, [](const auto& r) { return r.summary.se; }), nullptr,
      "standard error sd / sqrt(n) (row units)");
  f64(g, "ci_low", doubles(s, [](const auto& r) { return r.summary.ci_low; }), nullptr,
      "Student-t interval lower bound at the group's level (row units)");
  f64(g, "ci_high", doubles(s, [](const auto& r) { return r.summary.ci_high; }), nullptr,
      "Student-t interval upper bound (row units)");
  f64(g, "wilson_low", doubles(s, [](const auto& r) { return r.wilson_low; }), "1",
      "Wilson score interval lower bound for proportion metrics, else NaN");
  f64(g, "wilson_high", doubles(s, [](const auto& r) { return r.wilson_high; }), "1",
      "Wilson score interval upper bound for proportion metrics, else NaN");
  f64(g, "var_5", doubles(s, [](const auto& r) { return r.var_5; }), nullptr,
      "95% value at risk of P&L-like metrics as a positive loss, else NaN (row units)");
  f64(g, "cvar_5", doubles(s, [](const auto& r) { return r.cvar_5; }), nullptr,
      "mean loss at or beyond var_5 for P&L-like metrics, else NaN (row units)");
  static constexpr const char* kQuantileNames[] = {"q05", "q25", "q50", "q75", "q95"};
  for (std::size_t q = 0; q < std::size(kReportQuantiles); ++q) {
    f64(g, kQuantileNames[q],
        doubles(s, [q](const auto& r) { return r.tail ? r.quantiles[q] : kNaN; }), nullptr,
        "type-7 quantile (numpy default) for P&L-like metrics, else NaN (row units)");
  }
}

void write_contrasts(hid_t file, const Report& report) {
  Handle group = replace_group(file, "contrasts");
  const hid_t g = group.get();
  describe_group(g, report);
  const auto& c = report.contrasts;
  u32(g, "cell", counts(c, [](const auto& r) { return r.cell; }), "treatment cell (row of /cells)");
  u32(g, "baseline_cell", counts(c, [](const auto& r) { return r.baseline_cell; }),
      "baseline cell of the contrast group (row of /cells)");
  str(g, "label", strings(c, [](const auto& r) { return r.label; }), "treatment cell label");
  str(g, "baseline_label", strings(c, [](const auto& r) { return r.baseline_label; }),
      "baseline cell label");
  str(g, "metric", strings(c, [](const auto& r) { return r.metric; }), "metric (a /runs column)");
  str(g, "units", strings(c, [](const auto& r) { return r.units; }),
      "units of the differences and intervals of the row");
  u64(g, "n", counts(c, [](const auto& r) { return r.paired.n; }), "count",
      "repetitions paired: ok with a finite value in both cells");
  u64(g, "n_missing", counts(c, [](const auto& r) { return r.n_missing; }), "count",
      "repetitions skipped because either run failed, is pending or is NaN");
  f64(g, "mean_diff", doubles(c, [](const auto& r) { return r.paired.mean_diff; }), nullptr,
      "mean of cell - baseline over paired repetitions (row units)");
  f64(g, "ci_low", doubles(c, [](const auto& r) { return r.paired.ci_low; }), nullptr,
      "paired t-interval lower bound (row units)");
  f64(g, "ci_high", doubles(c, [](const auto& r) { return r.paired.ci_high; }), nullptr,
      "paired t-interval upper bound (row units)");
  f64(g, "t", doubles(c, [](const auto& r) { return r.paired.t; }), "1", "paired t statistic");
  f64(g, "p_value", doubles(c, [](const auto& r) { return r.paired.p_value; }), "1",
      "two-sided paired t-test p-value");
  f64(g, "p_adjusted", doubles(c, [](const auto& r) { return r.p_adjusted; }), "1",
      "p_value adjusted across all contrasts of the report (attribute adjust)");
  f64(g, "d_z", doubles(c, [](const auto& r) { return r.paired.d_z; }), "1",
      "Cohen's d_z = mean_diff / sd of differences");
  f64(g, "hedges_g", doubles(c, [](const auto& r) { return r.welch.hedges_g; }), "1",
      "Hedges' g (pooled sd, exact gamma-function correction)");
  f64(g, "welch_ci_low", doubles(c, [](const auto& r) { return r.welch.ci_low; }), nullptr,
      "Welch unpaired interval lower bound (row units)");
  f64(g, "welch_ci_high", doubles(c, [](const auto& r) { return r.welch.ci_high; }), nullptr,
      "Welch unpaired interval upper bound (row units)");
  f64(g, "welch_p_value", doubles(c, [](const auto& r) { return r.welch.p_value; }), "1",
      "two-sided Welch t-test p-value");
  f64(g, "vrf", doubles(c, [](const auto& r) { return r.paired.vrf; }), "1",
      "variance-reduction factor (var(a) + var(b)) / var(a - b)");
  f64(g, "bca_low", doubles(c, [](const auto& r) { return r.bca_low; }), nullptr,
      "bootstrap BCa lower bound of mean_diff, NaN without --bootstrap (row units)");
  f64(g, "bca_high", doubles(c, [](const auto& r) { return r.bca_high; }), nullptr,
      "bootstrap BCa upper bound of mean_diff, NaN without --bootstrap (row units)");
  u64(g, "bootstrap_seed", counts(c, [](const auto& r) { return r.bootstrap_seed; }), nullptr,
      "SplitMix64 seed of the contrast's bootstrap");
}

}  // namespace

void write_report(const std::filesystem::path& panel, const Report& report) {
  Handle file = open_panel(panel, H5F_ACC_RDWR);
  write_summary(file.get(), report);
  write_contrasts(file.get(), report);
  file.close();
}

}  // namespace proteus::sweep
