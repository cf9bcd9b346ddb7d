// JSON, Markdown and CSV of an experiment run; the JSON extends `proteus report --format json`.
#include "app/experiment_output.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <cmath>

#include "app/json.hpp"
#include "app/report_command.hpp"
#include "proteus/version.hpp"
#include "sweep/mpi_session.hpp"
#include "sweep/panel.hpp"
#include "sweep/sha256.hpp"

namespace proteus::app {
namespace {

Json effect_json(const experiment::Effect& e) {
  Json j;
  j["metric"] = e.metric;
  j["units"] = e.units;
  j["n"] = e.n;
  j["mean_diff"] = json_number(e.mean_diff);
  j["ci_low"] = json_number(e.ci_low);
  j["ci_high"] = json_number(e.ci_high);
  j["p_value"] = json_number(e.p_value);
  if (!std::isnan(e.p_adjusted)) j["p_adjusted"] = json_number(e.p_adjusted);
  return j;
}

Json precision_json(const experiment::ExperimentRun& run) {
  // Arrays are built first and moved in: references into an ordered_json object do not
  // survive the insertion of further keys.
  const auto& a = run.adaptive;
  Json targets = Json::array();
  Json trace = Json::array();
  for (const auto& b : a.trace) {
    Json row;
    row["block"] = b.block;
    row["repetitions"] = b.repetitions;
    row["max_half_width"] = json_number(b.max_half_width);
    row["max_ratio"] = json_number(b.max_ratio);
    row["cells_meeting_target"] = b.meeting;
    row["targets"] = b.total;
    trace.push_back(std::move(row));
  }
  std::vector<std::string> seen;
  Json cells = Json::array();
  Json capped = Json::array();
  for (const auto& c : a.achieved) {
    const std::string goal =
        fmt::format("{}{}={}", c.contrast ? "contrast:" : "", c.metric, c.target);
    if (std::find(seen.begin(), seen.end(), goal) == seen.end()) {
      seen.push_back(goal);
      targets.push_back(goal);
    }
    Json row;
    row["cell"] = c.cell;
    row["label"] = c.label;
    row["metric"] = c.metric;
    row["contrast"] = c.contrast;
    if (c.contrast) row["baseline_cell"] = c.baseline_cell;
    row["n"] = c.n;
    row["half_width"] = json_number(c.half_width);
    row["target"] = json_number(c.target);
    row["met"] = c.met;
    if (!c.met && a.capped) capped.push_back(row);
    cells.push_back(std::move(row));
  }
  Json primary = Json::array();
  for (const auto& c : run.primary_precision) {
    Json row;
    row["cell"] = c.cell;
    row["label"] = c.label;
    row["metric"] = c.metric;
    row["n"] = c.n;
    row["half_width"] = json_number(c.half_width);
    primary.push_back(std::move(row));
  }
  Json p;
  p["target"] = std::move(targets);
  p["trace"] = std::move(trace);
  p["cells"] = std::move(cells);
  p["capped_cells"] = std::move(capped);
  p["repetitions"] = a.repetitions;
  p["first_block"] = a.schedule.first;
  p["block"] = a.schedule.block;
  p["cap"] = a.schedule.cap;
  p["capped"] = a.capped;
  p["primary_endpoint"] = std::move(primary);
  return p;
}

std::string secondary_note(const experiment::SecondaryNote& s, stats::Adjustment adjust) {
  if (!std::isfinite(s.effect.p_value)) {
    return "no test: the paired differences do not vary (or fewer than two pairs)";
  }
  return fmt::format("{} after {} adjustment", s.significant ? "significant" : "not significant",
                     sweep::to_string(adjust));
}

Json report_document(const experiment::ExperimentRun& run) {
  const auto& spec = run.spec;
  const auto& f = run.findings;
  Json doc = report_json(run.report);
  Json& e = doc["experiment"];
  e["name"] = spec.name;
  e["preset"] = run.preset.name;
  e["description"] = spec.description;
  Json& primary = e["primary_endpoint"];
  primary["metric"] = spec.primary_metric;
  primary["better"] = spec.better == experiment::Better::kLower ? "lower" : "higher";
  if (spec.budget) {
    primary["budget_metric"] = spec.budget->metric;
    primary["budget"] = json_number(spec.budget->max_increase);
  }
  e["decision_rule"] = spec.decision_rule();
  e["secondary_endpoints"] = spec.secondary;
  e["adjust"] = std::string(sweep::to_string(spec.adjust));
  e["requires"] = spec.requires_experiments;
  e["folder"] = run.folder.filename().string();
  Json& verdicts = doc["verdicts"] = Json::array();
  for (const auto& v : f.verdicts) {
    Json row;
    row["cell"] = v.cell;
    row["label"] = v.label;
    row["baseline_cell"] = v.baseline_cell;
    row["baseline_label"] = v.baseline_label;
    row["verdict"] = v.verdict;
    row["primary"] = effect_json(v.primary);
    if (v.budget) {
      row["budget"] = effect_json(*v.budget);
      row["budget_limit"] = json_number(v.budget_limit);
    }
    row["reason"] = v.reason;
    verdicts.push_back(std::move(row));
  }
  Json& secondary = doc["secondary"] = Json::array();
  for (const auto& s : f.secondary) {
    Json row;
    row["cell"] = s.cell;
    row["label"] = s.label;
    row["baseline_cell"] = s.baseline_cell;
    row["effect"] = effect_json(s.effect);
    row["significant"] = s.significant;
    row["note"] = secondary_note(s, spec.adjust);
    secondary.push_back(std::move(row));
  }
  Json& interactions = doc["interactions"] = Json::array();
  for (const auto& i : f.interactions) {
    Json row;
    row["axis"] = i.axis;
    row["label"] = i.label;
    row["cells"] = {i.cell_high, i.baseline_high, i.cell_low, i.baseline_low};
    row["effect"] = effect_json(i.effect);
    row["significant"] = i.significant;
    interactions.push_back(std::move(row));
  }
  doc["precision"] = precision_json(run);
  if (spec.frontier) {
    Json frontier = Json::array();
    Json all = Json::array();
    for (const auto& p : f.frontier) {
      Json row;
      row["cell"] = p.cell;
      row["label"] = p.label;
      row["protection_metric"] = spec.frontier->protection;
      row["protection"] = json_number(p.protection);
      row["protection_ci"] = {json_number(p.protection_low), json_number(p.protection_high)};
      row["error_metric"] = spec.frontier->error;
      row["error"] = json_number(p.error);
      row["error_ci"] = {json_number(p.error_low), json_number(p.error_high)};
      row["on_front"] = p.on_front;
      if (p.on_front) frontier.push_back(row);
      all.push_back(std::move(row));
    }
    doc["frontier"] = std::move(frontier);
    doc["frontier_candidates"] = std::move(all);
  }
  doc["findings_notes"] = f.notes;
  return doc;
}

Json metadata_document(const experiment::ExperimentRun& run, const SessionInfo& s) {
  Json m;
  m["experiment"] = run.spec.name;
  m["preset"] = run.preset.name;
  m["folder"] = run.folder.filename().string();
  m["command"] = s.command;
  m["proteus_version"] = kVersion;
  m["git_commit"] = kGitCommit;
  m["git_dirty"] = kGitDirty;
  m["config_file"] = "sweep.toml";
  m["config_sha256"] = run.config_sha256;
  m["final_config_sha256"] = sweep::sha256_hex(run.adaptive.config_text);
  m["experiment_file"] = run.spec.file.string();
  m["experiment_sha256"] = sweep::sha256_hex(run.spec.text);
  m["regime"] = s.regime.empty() ? Json(nullptr) : Json(s.regime);
  m["master_seed"] = run.master_seed;
  m["repetitions"] = run.adaptive.repetitions;
  m["cells"] = run.report.summary.empty() ? 0 : run.report.summary.back().cell + 1;
  m["targets"] = s.targets;
  Json& v = m["versions"];
  v["proteus"] = kVersion;
  v["open_mpi"] = sweep::MpiSession::library_version();
  v["hdf5"] = sweep::hdf5_library_version();
  v["compiler"] = fmt::format("g++ {}", __VERSION__);
  m["ranks"] = s.ranks;
  m["resumed"] = run.resumed;
  m["start_time"] = s.start_time;
  m["end_time"] = s.end_time;
  m["wall_time_s"] = json_number(s.wall_time_s);
  return m;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temp(path.string() + ".tmp");
  auto out = fmt::output_file(temp.string());
  out.print("{}", text);
  out.close();
  std::filesystem::rename(temp, path);
}

std::string num(double v) {
  return std::isfinite(v) ? fmt::format("{:.4g}", v) : "-";
}

std::string verdicts_csv(const experiment::ExperimentRun& run) {
  std::string out =
      "cell,label,baseline_cell,verdict,metric,n,mean_diff,ci_low,ci_high,p_value,budget_metric,"
      "budget_mean_diff,budget_ci_high,budget_limit\n";
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (const auto& v : run.findings.verdicts) {
    const auto& e = v.primary;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", v.cell, quote(v.label),
                       v.baseline_cell, v.verdict, e.metric, e.n, e.mean_diff, e.ci_low, e.ci_high,
                       e.p_value, v.budget ? v.budget->metric : "",
                       v.budget ? fmt::format("{}", v.budget->mean_diff) : "",
                       v.budget ? fmt::format("{}", v.budget->ci_high) : "",
                       v.budget ? fmt::format("{}", v.budget_limit) : "");
  }
  return out;
}

}  // namespace

std::string findings_markdown(const experiment::ExperimentRun& run) {
  const auto& spec = run.spec;
  const auto& f = run.findings;
  std::string out = fmt::format("# Experiment {} (preset {})\n\n{}\n\n", spec.name, run.preset.name,
                                spec.description);
  out += fmt::format(
      "Primary endpoint: {} ({} is better). Decision rule: {}.\n\n", spec.primary_metric,
      spec.better == experiment::Better::kLower ? "lower" : "higher", spec.decision_rule());
  out += fmt::format("Repetitions per cell: {}; level {}.\n\n## Verdicts\n\n",
                     run.adaptive.repetitions, run.report.level);
  out +=
      "| cell | label | verdict | effect on the primary endpoint [CI] | numbers |\n| ---: | --- | "
      "--- | --- | --- |\n";
  for (const auto& v : f.verdicts) {
    out += fmt::format("| {} | {} | **{}** | {} [{}, {}] | {} |\n", v.cell, v.label, v.verdict,
                       num(v.primary.mean_diff), num(v.primary.ci_low), num(v.primary.ci_high),
                       v.reason);
  }
  if (!f.secondary.empty()) {
    out += fmt::format("\n## Secondary endpoints ({} adjustment over {} contrasts)\n\n",
                       sweep::to_string(spec.adjust), f.secondary.size());
    out +=
        "| cell | metric | mean_diff [CI] | p | p_adj | note |\n| ---: | --- | --- | ---: | ---: | "
        "--- |\n";
    for (const auto& s : f.secondary) {
      out += fmt::format("| {} | {} | {} [{}, {}] | {} | {} | {} |\n", s.cell, s.effect.metric,
                         num(s.effect.mean_diff), num(s.effect.ci_low), num(s.effect.ci_high),
                         num(s.effect.p_value), num(s.effect.p_adjusted),
                         secondary_note(s, spec.adjust));
    }
  }
  if (!f.interactions.empty()) {
    out += "\n## Interactions (difference in differences, paired by repetition)\n\n";
    out += "| contrast | metric | DiD [CI] | p | |\n| --- | --- | --- | ---: | --- |\n";
    for (const auto& i : f.interactions) {
      out += fmt::format("| {} | {} | {} [{}, {}] | {} | {} |\n", i.label, i.effect.metric,
                         num(i.effect.mean_diff), num(i.effect.ci_low), num(i.effect.ci_high),
                         num(i.effect.p_value), i.significant ? "interval excludes 0" : "");
    }
  }
  if (spec.frontier) {
    out += fmt::format("\n## Pareto frontier: protection ({} fall) vs error ({})\n\n",
                       spec.frontier->protection, spec.frontier->error);
    out +=
        "| cell | label | protection [CI] | error [CI] | on front |\n| ---: | --- | --- | --- | "
        "--- |\n";
    for (const auto& p : f.frontier) {
      out +=
          fmt::format("| {} | {} | {} [{}, {}] | {} [{}, {}] | {} |\n", p.cell, p.label,
                      num(p.protection), num(p.protection_low), num(p.protection_high),
                      num(p.error), num(p.error_low), num(p.error_high), p.on_front ? "yes" : "");
    }
  }
  if (!run.adaptive.trace.empty()) {
    out +=
        "\n## Precision (--target)\n\n| block | repetitions | targets met | max half-width / "
        "target |\n| ---: | ---: | ---: | ---: |\n";
    for (const auto& b : run.adaptive.trace) {
      out += fmt::format("| {} | {} | {}/{} | {} |\n", b.block, b.repetitions, b.meeting, b.total,
                         num(b.max_ratio));
    }
    out += run.adaptive.capped ? "\nThe cap was reached with some targets unmet.\n"
                               : "\nEvery target met.\n";
  }
  for (const auto& n : f.notes) out += fmt::format("\nnote: {}\n", n);
  return out;
}

void write_experiment_folder(const experiment::ExperimentRun& run, const SessionInfo& session) {
  write_file(run.folder / "report.json", json_line(report_document(run)));
  write_file(run.folder / "report.md",
             findings_markdown(run) + "\n# Report\n\n" + format_report(run.report, "markdown"));
  write_file(run.folder / "report.csv", format_report(run.report, "csv"));
  write_file(run.folder / "verdicts.csv", verdicts_csv(run));
  write_file(run.folder / "metadata.json", json_line(metadata_document(run, session)));
}

}  // namespace proteus::app
