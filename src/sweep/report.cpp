// `proteus report`: opens the panel through PanelReader, decides the contrast groups and their
// baselines (stored at creation, or re-derived from the config of older panels, or chosen with
// --baseline) and feeds each metric column, cell by cell, to the reduction.
#include "sweep/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {
namespace {

std::vector<std::string> resolve_metrics(const PanelInfo& info, const ReportOptions& options) {
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

/// Whether row `cell` of `column` equals `value` (strings exactly, numbers numerically,
/// booleans as true/false or 1/0).
bool matches(const CellColumn& column, std::size_t cell, const std::string& value) {
  if (column.is_string) return column.strings.at(cell) == value;
  const double v = column.numbers.at(cell);
  if (column.is_boolean && (value == "true" || value == "false")) {
    return v == (value == "true" ? 1 : 0);
  }
  char* end = nullptr;
  const double parsed = std::strtod(value.c_str(), &end);
  return end != value.c_str() && *end == '\0' && parsed == v;
}

/// Distinct values of `column`, for an error message.
std::string values_text(const CellColumn& column) {
  std::vector<std::string> out;
  if (column.is_string) {
    out = column.strings;
  } else {
    for (double v : column.numbers) out.push_back(fmt::format("{}", v));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return fmt::format("{}", fmt::join(out, ", "));
}

/// The /cells columns a --baseline key may name: the swept keys, label and mechanism, not the
/// contrast-group bookkeeping.
std::vector<std::string> baseline_columns(const PanelReader& reader) {
  std::vector<std::string> columns = reader.cell_column_names();
  std::erase_if(columns, [](const std::string& c) {
    return c == schema::leaf(schema::kCellsContrastGroup) ||
           c == schema::leaf(schema::kCellsIsBaseline);
  });
  return columns;
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

/// The contrast groups and the [sweep] baseline stored in the panel, or for panels written
/// before they were stored, derived again from the stored config text.
StoredGroups sweep_groups(const PanelReader& reader) {
  if (auto stored = reader.stored_groups()) return std::move(*stored);
  const PanelInfo& info = reader.info();
  const SweepPlan plan = parse_sweep(info.config_text, "panel config");
  if (plan.cells.size() != info.cells) {
    throw PanelError(fmt::format("the stored config expands to {} cells but /cells has {}",
                                 plan.cells.size(), info.cells));
  }
  StoredGroups out;
  out.groups = contrast_groups(plan);
  std::vector<std::string> parts;
  for (const auto& b : plan.baseline) parts.push_back(b.key + "=" + to_text(b.value));
  out.baseline = fmt::format("{}", fmt::join(parts, ", "));
  return out;
}

/// Assigns each contrast group its baseline cell from --baseline pairs (or keeps the sweep's);
/// `description` receives the baseline as "key=value, ...".
std::vector<ContrastGroup> baseline_groups(const PanelReader& reader, const ReportOptions& options,
                                           std::string& description) {
  StoredGroups sweep = sweep_groups(reader);
  std::vector<ContrastGroup>& groups = sweep.groups;
  if (options.baseline.empty()) {
    description = sweep.baseline;
    return groups;
  }
  const std::vector<std::string> columns = baseline_columns(reader);
  std::vector<bool> matching(reader.info().cells, true);
  std::vector<std::string> parts;
  for (const auto& [key, value] : options.baseline) {
    const std::string column_name = resolve_cell_key(columns, key);
    const CellColumn column = reader.cell_column(column_name);
    bool any = false;
    for (std::size_t c = 0; c < matching.size(); ++c) {
      const bool hit = matches(column, c, value);
      any = any || hit;
      matching[c] = matching[c] && hit;
    }
    if (!any) {
      throw SweepUsageError(fmt::format("--baseline {}={} matches no cell (values of {}: {})", key,
                                        value, column_name, values_text(column)));
    }
    parts.push_back(fmt::format("{}={}", column_name, value));
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
  require_panel_file(panel);
  const PanelReader reader = PanelReader::open(panel);
  const PanelInfo& info = reader.info();
  const std::vector<std::string> metrics = resolve_metrics(info, options);
  const std::vector<std::string> labels = reader.cell_labels();
  Report report;
  report.panel = panel.string();
  report.environment = info.environment;
  report.level = options.level;
  report.adjust = options.adjust;
  report.bootstrap = options.bootstrap;
  const std::vector<ContrastGroup> groups = baseline_groups(reader, options, report.baseline);
  if (!info.complete) {
    report.notes.emplace_back("the panel is not complete: pending rows are left out (n_missing)");
  }
  for (const auto& group : groups) {
    if (group.members.size() > 1 && group.baseline == kNotApplicable) {
      report.notes.push_back(fmt::format("no baseline cell among cells {}: no contrasts for them",
                                         fmt::join(group.members, ", ")));
    }
  }
  const std::uint64_t reps = info.repetitions;
  if (info.rows < info.cells * reps) {
    throw PanelError(
        fmt::format("/runs has fewer than cells x repetitions = {} rows", info.cells * reps));
  }
  if (options.repetitions > reps) {
    throw SweepUsageError(
        fmt::format("the panel has {} repetitions per cell, not {}", reps, options.repetitions));
  }
  const std::uint64_t used = options.repetitions > 0 ? options.repetitions : reps;
  const ContrastSettings settings{options.level, options.bootstrap, info.master_seed};
  for (const auto& metric : metrics) {
    const std::size_t index = info.metrics.index_of(metric).value();  // resolve_metrics checked
    // Rows of a cell are contiguous (row_of), so one cell is one block of each column.
    const CellReader read = [&](std::uint64_t cell, CellValues& out) {
      const std::uint64_t first = row_of(RunId{cell, 0}, reps);
      reader.read_metric(index, first, used, out.values);
      reader.read_status(first, used, out.status);
    };
    reduce_metric(info.metrics[index], index, groups, labels, read, settings, report);
  }
  adjust_contrasts(report.contrasts, options.adjust);
  return report;
}

}  // namespace proteus::sweep
