// Writing a report into its panel: the /summary and /contrasts groups, one dataset per column
// (docs/panel-schema.md), replaced as a whole each time `proteus report` stores its result.
#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>

#include "proteus/version.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/report.hpp"

namespace proteus::sweep {
namespace {

using h5::check;
using h5::Handle;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Opens `panel` for writing the report groups; the caller verified it when reading.
Handle open_for_report(const std::filesystem::path& path) {
  require_panel_file(path);
  if (access(path.c_str(), W_OK) != 0) {
    throw PanelError(fmt::format(
        "cannot store /summary and /contrasts: {}; pass --no-write to only print the report",
        std::strerror(errno)));
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0) {
    throw PanelError(fmt::format(
        "cannot store /summary and /contrasts: {}; pass --no-write to only print the report",
        h5::error_stack()));
  }
  return Handle(id, H5Fclose, fmt::format("open {}", path.string()));
}

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
  if (units != nullptr) h5::set_string_attr(ds.get(), schema::kUnitsAttr, units);
  h5::set_string_attr(ds.get(), schema::kDescriptionAttr, description);
}

void u64(hid_t g, const char* name, const std::vector<std::uint64_t>& v, const char* units,
         const char* description) {
  Handle ds = h5::write_column(g, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, v.size(), v.data());
  if (units != nullptr) h5::set_string_attr(ds.get(), schema::kUnitsAttr, units);
  h5::set_string_attr(ds.get(), schema::kDescriptionAttr, description);
}

void u32(hid_t g, const char* name, const std::vector<std::uint64_t>& v, const char* description) {
  std::vector<std::uint32_t> narrow(v.begin(), v.end());
  Handle ds =
      h5::write_column(g, name, H5T_STD_U32LE, H5T_NATIVE_UINT32, narrow.size(), narrow.data());
  h5::set_string_attr(ds.get(), schema::kDescriptionAttr, description);
}

void str(hid_t g, const char* name, const std::vector<std::string>& v, const char* description) {
  Handle ds = h5::write_strings(g, name, v);
  h5::set_string_attr(ds.get(), schema::kDescriptionAttr, description);
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
  h5::set_string_attr(g, schema::kProteusVersionAttr, kVersion);
}

void write_summary(hid_t file, const Report& report) {
  Handle group = replace_group(file, schema::kSummaryGroup);
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
  f64(g, "var_1", doubles(s, [](const auto& r) { return r.var_1; }), nullptr,
      "99% value at risk of P&L-like and loss metrics as a positive loss, else NaN (row units)");
  f64(g, "cvar_1", doubles(s, [](const auto& r) { return r.cvar_1; }), nullptr,
      "mean loss at or beyond var_1 for P&L-like and loss metrics, else NaN (row units)");
  static constexpr std::array<const char*, 7> kQuantileNames = {"q01", "q05", "q25", "q50",
                                                                "q75", "q95", "q99"};
  static_assert(kQuantileNames.size() == kReportQuantiles.size());
  for (std::size_t q = 0; q < std::size(kReportQuantiles); ++q) {
    f64(g, kQuantileNames[q],
        doubles(s, [q](const auto& r) { return r.tail ? r.quantiles[q] : kNaN; }), nullptr,
        "type-7 quantile (numpy default) for P&L-like metrics, else NaN (row units)");
  }
}

void write_contrasts(hid_t file, const Report& report) {
  Handle group = replace_group(file, schema::kContrastsGroup);
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
  Handle file = open_for_report(panel);
  write_summary(file.get(), report);
  write_contrasts(file.get(), report);
  file.close();
}

}  // namespace proteus::sweep
