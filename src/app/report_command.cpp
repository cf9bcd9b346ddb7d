// `proteus report PANEL.h5 [--metric]... [--level] [--baseline K=V]... [--adjust] [--bootstrap]
// [--format] [--out DIR] [--no-write]`: formats a sweep::Report (docs/statistics.md).
#include "app/report_command.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/json.hpp"
#include "app/option_checks.hpp"
#include "engine/config.hpp"
#include "stats/error.hpp"
#include "sweep/errors.hpp"
#include "sweep/report.hpp"

namespace proteus::app {
namespace {

/// Largest --bootstrap: each resample of each contrast is a pass over its paired differences.
constexpr std::uint64_t kMaxBootstrap = 1'000'000;

struct ReportArgs {
  std::string panel;
  std::vector<std::string> metrics;
  double level = 0.95;
  std::vector<std::string> baseline;
  std::string adjust = "holm";
  std::uint64_t bootstrap = 0;
  std::string format = "table";
  std::string out_dir;
  bool no_write = false;
};

}  // namespace

Json report_json(const sweep::Report& r) {
  Json doc;
  doc["level"] = json_number(r.level);
  doc["panel"] = r.panel;
  doc["environment"] = r.environment;
  doc["baseline"] = r.baseline;
  doc["adjust"] = sweep::to_string(r.adjust);
  doc["bootstrap"] = r.bootstrap;
  doc["notes"] = r.notes;
  Json& summary = doc["summary"] = Json::array();
  for (const auto& s : r.summary) {
    Json row;
    row["cell"] = s.cell;
    row["label"] = s.label;
    row["metric"] = s.metric;
    row["units"] = s.units;
    row["n"] = s.summary.n;
    row["n_missing"] = s.n_missing;
    row["mean"] = json_number(s.summary.mean);
    row["sd"] = json_number(s.summary.sd);
    row["se"] = json_number(s.summary.se);
    row["ci_low"] = json_number(s.summary.ci_low);
    row["ci_high"] = json_number(s.summary.ci_high);
    if (s.proportion) {
      row["wilson_low"] = json_number(s.wilson_low);
      row["wilson_high"] = json_number(s.wilson_high);
    }
    if (s.tail) {
      row["var_5"] = json_number(s.var_5);
      row["cvar_5"] = json_number(s.cvar_5);
      row["var_1"] = json_number(s.var_1);
      row["cvar_1"] = json_number(s.cvar_1);
      Json& quantiles = row["quantiles"] = Json::object();
      for (std::size_t q = 0; q < s.quantiles.size(); ++q) {
        quantiles[fmt::format("{}", sweep::kReportQuantiles[q])] = json_number(s.quantiles[q]);
      }
    }
    summary.push_back(std::move(row));
  }
  Json& contrasts = doc["contrasts"] = Json::array();
  for (const auto& c : r.contrasts) {
    Json row;
    row["cell"] = c.cell;
    row["baseline_cell"] = c.baseline_cell;
    row["label"] = c.label;
    row["baseline_label"] = c.baseline_label;
    row["metric"] = c.metric;
    row["units"] = c.units;
    row["n"] = c.paired.n;
    row["n_missing"] = c.n_missing;
    row["mean_diff"] = json_number(c.paired.mean_diff);
    row["ci_low"] = json_number(c.paired.ci_low);
    row["ci_high"] = json_number(c.paired.ci_high);
    row["p_value"] = json_number(c.paired.p_value);
    row["p_adjusted"] = json_number(c.p_adjusted);
    row["d_z"] = json_number(c.paired.d_z);
    row["hedges_g"] = json_number(c.welch.hedges_g);
    row["welch_ci_low"] = json_number(c.welch.ci_low);
    row["welch_ci_high"] = json_number(c.welch.ci_high);
    row["vrf"] = json_number(c.paired.vrf);
    if (r.bootstrap > 0) {
      row["bca_low"] = json_number(c.bca_low);
      row["bca_high"] = json_number(c.bca_high);
      row["bootstrap_seed"] = c.bootstrap_seed;
    }
    contrasts.push_back(std::move(row));
  }
  return doc;
}

namespace {

std::string format_json(const sweep::Report& r) {
  return json_line(report_json(r));
}

/// A grid of cells rendered as aligned text, Markdown or CSV.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::string aligned() const {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string out;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        // Text columns (first ones) left-aligned, numbers right-aligned.
        out += c < 2 ? fmt::format("{:<{}}", cells[c], width[c])
                     : fmt::format("{:>{}}", cells[c], width[c]);
        if (c + 1 < cells.size()) out += "  ";
      }
      return out + "\n";
    };
    std::string out = line(header);
    for (const auto& row : rows) out += line(row);
    return out;
  }

  std::string markdown() const {
    std::string out = fmt::format("| {} |\n|", fmt::join(header, " | "));
    for (std::size_t c = 0; c < header.size(); ++c) out += c < 2 ? " --- |" : " ---: |";
    out += "\n";
    for (const auto& row : rows) out += fmt::format("| {} |\n", fmt::join(row, " | "));
    return out;
  }

  std::string csv() const {
    auto quote = [](const std::string& s) {
      if (s.find_first_of(",\"\n") == std::string::npos) return s;
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    auto line = [&](const std::vector<std::string>& cells) {
      std::vector<std::string> q;
      q.reserve(cells.size());
      for (const auto& c : cells) q.push_back(quote(c));
      return fmt::format("{}\n", fmt::join(q, ","));
    };
    std::string out = line(header);
    for (const auto& row : rows) out += line(row);
    return out;
  }
};

/// Human-readable numbers for the table and Markdown; full precision for CSV.
std::string num(double v, bool full) {
  if (std::isnan(v)) return full ? "" : "-";
  return full ? fmt::format("{}", v) : fmt::format("{:.4g}", v);
}

Table summary_table(const sweep::Report& r, bool full) {
  Table t;
  t.header = {"metric", "cell", "label",  "n",       "missing",
              "mean",   "sd",   "ci_low", "ci_high", "units"};
  if (full)
    t.header = {"metric",      "cell",  "label",  "n",       "n_missing", "mean",
                "sd",          "se",    "ci_low", "ci_high", "units",     "wilson_low",
                "wilson_high", "var_5", "cvar_5", "var_1",   "cvar_1"};
  for (const auto& s : r.summary) {
    if (full) {
      t.rows.push_back({s.metric, std::to_string(s.cell), s.label, std::to_string(s.summary.n),
                        std::to_string(s.n_missing), num(s.summary.mean, true),
                        num(s.summary.sd, true), num(s.summary.se, true),
                        num(s.summary.ci_low, true), num(s.summary.ci_high, true), s.units,
                        num(s.wilson_low, true), num(s.wilson_high, true), num(s.var_5, true),
                        num(s.cvar_5, true), num(s.var_1, true), num(s.cvar_1, true)});
    } else {
      t.rows.push_back({s.metric, std::to_string(s.cell), s.label, std::to_string(s.summary.n),
                        std::to_string(s.n_missing), num(s.summary.mean, false),
                        num(s.summary.sd, false), num(s.summary.ci_low, false),
                        num(s.summary.ci_high, false), s.units});
    }
  }
  return t;
}

Table contrast_table(const sweep::Report& r, bool full) {
  Table t;
  t.header = {"metric",       "cell",         "baseline", "n", "mean_diff", "ci_low",
              "ci_high",      "d_z",          "hedges_g", "p", "p_adj",     "vrf",
              "welch_ci_low", "welch_ci_high"};
  if (r.bootstrap > 0) {
    t.header.emplace_back("bca_low");
    t.header.emplace_back("bca_high");
  }
  if (full) t.header.insert(t.header.begin() + 3, {"label", "baseline_label", "n_missing"});
  for (const auto& c : r.contrasts) {
    std::vector<std::string> row = {c.metric,
                                    std::to_string(c.cell),
                                    std::to_string(c.baseline_cell),
                                    std::to_string(c.paired.n),
                                    num(c.paired.mean_diff, full),
                                    num(c.paired.ci_low, full),
                                    num(c.paired.ci_high, full),
                                    num(c.paired.d_z, full),
                                    num(c.welch.hedges_g, full),
                                    num(c.paired.p_value, full),
                                    num(c.p_adjusted, full),
                                    num(c.paired.vrf, full),
                                    num(c.welch.ci_low, full),
                                    num(c.welch.ci_high, full)};
    if (r.bootstrap > 0) {
      row.push_back(num(c.bca_low, full));
      row.push_back(num(c.bca_high, full));
    }
    if (full) row.insert(row.begin() + 3, {c.label, c.baseline_label, std::to_string(c.n_missing)});
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string preamble(const sweep::Report& r) {
  std::string out = fmt::format(
      "panel {} ({}), level {}, baseline {}, p-values adjusted: {}{}\n", r.panel, r.environment,
      r.level, r.baseline.empty() ? "(none)" : r.baseline, sweep::to_string(r.adjust),
      r.bootstrap > 0 ? fmt::format(", BCa bootstrap {} resamples", r.bootstrap) : "");
  for (const auto& n : r.notes) out += fmt::format("note: {}\n", n);
  return out;
}

/// Cell labels once, so the summary and contrast tables can refer to cells by number.
std::string cell_legend(const sweep::Report& r) {
  std::string out;
  auto last = static_cast<std::uint64_t>(-1);
  std::vector<std::pair<std::uint64_t, std::string>> cells;
  for (const auto& s : r.summary) cells.emplace_back(s.cell, s.label);
  std::sort(cells.begin(), cells.end());
  for (const auto& [cell, label] : cells) {
    if (cell == last) continue;
    last = cell;
    out += fmt::format("  cell {:>3}: {}\n", cell, label);
  }
  return out;
}

}  // namespace

std::string format_report(const sweep::Report& r, const std::string& format) {
  if (format == "json") return format_json(r);
  if (format == "csv") {
    return summary_table(r, true).csv() + "\n" + contrast_table(r, true).csv();
  }
  const std::string contrast_note =
      "mean_diff = cell - baseline, paired by repetition; ci = paired t-interval; welch_ci = "
      "unpaired; vrf = (var(a) + var(b)) / var(a - b)";
  if (format == "markdown") {
    auto summary = summary_table(r, false);
    return fmt::format("{}\n## Cells\n\n{}\n## Per-cell summary\n\n{}\n## Contrasts\n\n{}\n\n{}",
                       preamble(r), cell_legend(r), summary.markdown(), contrast_note,
                       contrast_table(r, false).markdown());
  }
  return fmt::format("{}\ncells:\n{}\nper-cell summary:\n{}\ncontrasts ({}):\n{}", preamble(r),
                     cell_legend(r), summary_table(r, false).aligned(), contrast_note,
                     contrast_table(r, false).aligned());
}

namespace {

std::string extension_of(const std::string& format) {
  if (format == "json") return "json";
  if (format == "csv") return "csv";
  if (format == "markdown") return "md";
  return "txt";
}

int run_report(const ReportArgs& args) {
  sweep::ReportOptions options;
  options.metrics = args.metrics;
  options.level = args.level;
  options.bootstrap = args.bootstrap;
  options.adjust = args.adjust == "bh"     ? stats::Adjustment::kBenjaminiHochberg
                   : args.adjust == "none" ? stats::Adjustment::kNone
                                           : stats::Adjustment::kHolm;
  for (const auto& pair : args.baseline) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError(fmt::format("--baseline {}: expected KEY=VALUE", pair));
    }
    options.baseline.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  try {
    const sweep::Report report = sweep::compute_report(args.panel, options);
    if (!args.no_write) sweep::write_report(args.panel, report);
    const std::string text = format_report(report, args.format);
    fmt::print("{}", text);
    if (!args.out_dir.empty()) {
      const std::filesystem::path dir(args.out_dir);
      std::filesystem::create_directories(dir);
      const auto file =
          dir / fmt::format("{}-report.{}", std::filesystem::path(args.panel).stem().string(),
                            extension_of(args.format));
      auto out = fmt::output_file(file.string());
      out.print("{}", text);
      out.close();
    }
    return kExitOk;
  } catch (const sweep::PanelError& e) {
    // HDF5's message names the call, not always the file.
    return report_error(e, args.panel);
  }
}

}  // namespace

void register_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Summaries and paired contrasts of a sweep panel (stored in /summary, /contrasts)");
  cmd->add_option("PANEL.h5", args->panel, "Panel written by proteus sweep")->required();
  cmd->add_option("--metric", args->metrics,
                  "Metric to reduce (repeatable; default: the environment's primary metrics)")
      ->allow_extra_args(false);
  cmd->add_option("--level", args->level, "Confidence level of every interval (default 0.95)")
      ->check(CLI::Range(0.0, 1.0).description("in (0, 1)"));
  cmd->add_option("--baseline", args->baseline,
                  "KEY=VALUE matched against /cells columns (repeatable; default: the sweep's "
                  "[sweep] baseline)")
      ->allow_extra_args(false);
  cmd->add_option("--adjust", args->adjust, "Multiple-comparison adjustment (default holm)")
      ->check(CLI::IsMember({"holm", "bh", "none"}));
  cmd->add_option("--bootstrap", args->bootstrap,
                  "BCa interval of each paired mean difference with N resamples (default 0: off)")
      ->check(integer_in(0, kMaxBootstrap));
  cmd->add_option("--format", args->format, "Output format (default table)")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
  cmd->add_option("--out", args->out_dir, "Also write the output to DIR/<panel>-report.<ext>")
      ->check(non_empty());
  cmd->add_flag("--no-write", args->no_write, "Do not store /summary and /contrasts in the panel");
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

}  // namespace proteus::app
