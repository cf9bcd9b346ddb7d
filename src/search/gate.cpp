// The promotion gate (see gate.hpp): paired regime comparisons per scenario and the verdict.
#include "search/gate.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "engine/config.hpp"
#include "search/library.hpp"
#include "search/output.hpp"
#include "sweep/errors.hpp"

namespace proteus::search {
namespace {

using json = nlohmann::ordered_json;

struct GateScenario {
  std::string id;
  std::string source;
  std::string text;
};

/// The value a scenario gives `key` when a regime leaves it unset (defaults included).
sweep::AxisValue scenario_value(const GateScenario& s, const std::string& key) {
  const auto keys = engine::resolved_keys(engine::load_scenario(s.text, s.source));
  const auto it = keys.find(key);
  if (it == keys.end()) {
    throw engine::ConfigError(s.source, 0, 0, key,
                              fmt::format("{} is not a scenario key (docs/config.md)", key));
  }
  const toml::table t = toml::parse("v = " + it->second);
  const toml::node& v = *t.get("v");
  if (auto b = v.value_exact<bool>()) return *b;
  if (auto i = v.value_exact<std::int64_t>()) return *i;
  if (auto d = v.value_exact<double>()) return *d;
  return *v.value_exact<std::string>();
}

const sweep::AxisValue* find(const std::vector<sweep::Setting>& settings, const std::string& key) {
  for (const auto& s : settings)
    if (s.key == key) return &s.value;
  return nullptr;
}

/// Pairs of usable repetitions (finite in both).
void usable_pairs(const std::vector<double>& a, const std::vector<double>& b,
                  std::vector<double>& out_a, std::vector<double>& out_b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (std::isfinite(a[i]) && std::isfinite(b[i])) {
      out_a.push_back(a[i]);
      out_b.push_back(b[i]);
    }
  }
}

stats::PairedContrast paired(const std::vector<double>& a, const std::vector<double>& b,
                             double level) {
  std::vector<double> x;
  std::vector<double> y;
  usable_pairs(a, b, x, y);
  if (x.empty()) {
    stats::PairedContrast c;
    c.mean_diff = c.ci_low = c.ci_high = c.p_value = std::nan("");
    return c;
  }
  return stats::paired_contrast(x, y, level);
}

std::vector<double> killed(const std::vector<double>& survival) {
  std::vector<double> out;
  out.reserve(survival.size());
  for (double s : survival) out.push_back(std::isfinite(s) ? 1.0 - s : s);
  return out;
}

json contrast_json(const stats::PairedContrast& c) {
  return json{{"n", c.n},
              {"mean_diff", number_or_null(c.mean_diff)},
              {"ci_low", number_or_null(c.ci_low)},
              {"ci_high", number_or_null(c.ci_high)},
              {"p_value", number_or_null(c.p_value)},
              {"level", c.level}};
}

void write_reports(const GateOptions& o, const GateResult& r) {
  json doc;
  doc["verdict"] = to_string(r.verdict);
  doc["exit_code"] = static_cast<int>(r.verdict);
  doc["reason"] = r.reason;
  doc["rule"] = r.rule;
  doc["candidate"] = o.candidate.string();
  doc["baseline"] = o.baseline.string();
  doc["keys"] = r.keys;
  doc["master_seed"] = o.master_seed;
  doc["repetitions"] = o.repetitions;
  doc["level"] = o.level;
  doc["scenario_level"] = r.scenario_level;
  doc["min_improvement"] = o.min_improvement;
  doc["max_kill_increase"] = o.max_kill_increase;
  doc["max_drawdown_increase"] = number_or_null(o.max_drawdown_increase);
  doc["pooled_pnl"] = contrast_json(r.pooled_pnl);
  doc["scenarios"] = json::array();
  std::string md = fmt::format(
      "# Promotion gate: {}\n\n{}\n\nCandidate `{}` against baseline `{}` "
      "on {} scenarios x {} repetitions (seed {}, common random numbers).\n\n"
      "Rule: {}\n\nPooled paired P&L gain (candidate - baseline): {:.4g} "
      "[{:.4g}, {:.4g}] ({:.0f}%, n = {}).\n\n",
      to_string(r.verdict), r.reason, o.candidate.string(), o.baseline.string(), r.rows.size(),
      o.repetitions, o.master_seed, r.rule, r.pooled_pnl.mean_diff, r.pooled_pnl.ci_low,
      r.pooled_pnl.ci_high, o.level * 100, r.pooled_pnl.n);
  md += fmt::format(
      "| scenario | kill base | kill cand | kill diff [{0:.1f}% CI] | P&L diff [{0:.1f}% CI] "
      "| drawdown diff [{0:.1f}% CI] | broken |\n|---|---|---|---|---|---|---|\n",
      r.scenario_level * 100);
  for (const auto& row : r.rows) {
    json j;
    j["id"] = row.id;
    j["source"] = row.source;
    j["baseline"] = stats_json(row.baseline);
    j["candidate"] = stats_json(row.candidate);
    j["pnl_diff"] = contrast_json(row.pnl);
    j["kill_diff"] = contrast_json(row.kill);
    j["drawdown_diff"] = contrast_json(row.drawdown);
    j["broken"] = row.broken;
    doc["scenarios"].push_back(j);
    md += fmt::format(
        "| {} | {:.3f} | {:.3f} | {:.3f} [{:.3f}, {:.3f}] | {:.4g} [{:.4g}, {:.4g}] | "
        "{:.4g} [{:.4g}, {:.4g}] | {} |\n",
        row.id, row.baseline.kill_p, row.candidate.kill_p, row.kill.mean_diff, row.kill.ci_low,
        row.kill.ci_high, row.pnl.mean_diff, row.pnl.ci_low, row.pnl.ci_high,
        row.drawdown.mean_diff, row.drawdown.ci_low, row.drawdown.ci_high,
        row.broken.empty() ? "-" : fmt::format("{}", fmt::join(row.broken, "; ")));
  }
  write_json(o.out / "gate.json", doc);
  write_text_file(o.out / "gate.md", md);
}

}  // namespace

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kHold:
      return "HOLD";
  }
  return "?";
}

GateResult run_gate(const sweep::MpiSession& mpi, const GateOptions& o) {
  GateResult result;
  std::vector<GateScenario> scenarios;
  std::vector<sweep::Setting> candidate;
  std::vector<sweep::Setting> baseline;
  std::uint64_t count = 0;
  std::exception_ptr failure;
  if (mpi.rank() == 0) {
    try {
      candidate = read_regime(o.candidate);
      baseline = read_regime(o.baseline);
      for (const auto& lib : o.libraries) {
        for (auto& s : load_library(lib)) {
          scenarios.push_back({fmt::format("{}/{}", lib.filename().string(), s.id),
                               (lib / s.file).string(), std::move(s.text)});
        }
      }
      for (const auto& name : o.scenarios) {
        const BaseScenario base = load_base(name, o.preset, o.experiment_dirs);
        scenarios.push_back({std::filesystem::path(name).stem().string(), base.source, base.text});
      }
      if (scenarios.empty()) {
        throw sweep::SweepUsageError("the gate needs scenarios: --library DIR or --scenario FILE");
      }
      for (const auto& s : baseline) result.keys.push_back(s.key);
      for (const auto& s : candidate)
        if (find(baseline, s.key) == nullptr) result.keys.push_back(s.key);
      count = scenarios.size();
    } catch (const std::exception&) {
      failure = std::current_exception();
    }
  }
  std::uint64_t failed = failure ? 1 : 0;
  mpi.broadcast(failed);
  if (failure) std::rethrow_exception(failure);
  if (failed != 0) {
    result.sweep.outcome = sweep::SweepOutcome::kPeerFailed;
    result.sweep.peer_input_error = true;
    return result;
  }
  mpi.broadcast(count);
  const double scenario_level =
      1.0 - (1.0 - o.level) / static_cast<double>(std::max<std::uint64_t>(count, 1));
  result.scenario_level = scenario_level;
  std::vector<double> pooled_c;
  std::vector<double> pooled_b;
  for (std::uint64_t i = 0; i < count; ++i) {
    Generation gen;
    if (mpi.rank() == 0) {
      try {
        const GateScenario& s = scenarios[i];
        gen.name = fmt::format("gate-{:03}", i);
        gen.scenario_text = s.text;
        gen.keys = result.keys;
        gen.repetitions = o.repetitions;
        gen.master_seed = o.master_seed;
        gen.panel = o.out / fmt::format("scenario-{:03}.h5", i);
        for (const auto* regime : {&baseline, &candidate}) {
          std::vector<sweep::AxisValue> point;
          for (const auto& key : result.keys) {
            const sweep::AxisValue* v = find(*regime, key);
            point.push_back(v != nullptr ? *v : scenario_value(s, key));
          }
          gen.points.push_back(std::move(point));
        }
      } catch (const std::exception&) {
        gen.error = std::current_exception();
      }
    }
    const GenerationResult r = run_generation(mpi, gen, o.batch, o.progress);
    result.sweep = r.sweep;
    if (r.sweep.outcome != sweep::SweepOutcome::kComplete) return result;
    if (mpi.rank() != 0) continue;
    const auto& b = r.candidates[0];
    const auto& c = r.candidates[1];
    if (b.failed + c.failed > 0) {
      throw sweep::PanelError(fmt::format(
          "scenario {}: {} runs failed (status and /errors in {}); the gate does not judge with "
          "missing runs",
          scenarios[i].id, b.failed + c.failed, gen.panel.string()));
    }
    ScenarioComparison row;
    row.id = scenarios[i].id;
    row.source = scenarios[i].source;
    row.baseline = candidate_stats(b, o.level);
    row.candidate = candidate_stats(c, o.level);
    row.pnl = paired(c.pnl, b.pnl, scenario_level);
    row.kill = paired(killed(c.survival), killed(b.survival), scenario_level);
    row.drawdown = paired(c.drawdown, b.drawdown, scenario_level);
    if (row.kill.ci_low > o.max_kill_increase) {
      row.broken.push_back(
          fmt::format("kill probability rises by {:.3g} (lower bound {:.3g} > {:g})",
                      row.kill.mean_diff, row.kill.ci_low, o.max_kill_increase));
    }
    if (row.drawdown.ci_low > o.max_drawdown_increase) {
      row.broken.push_back(fmt::format("drawdown rises by {:.3g} (lower bound {:.3g} > {:g})",
                                       row.drawdown.mean_diff, row.drawdown.ci_low,
                                       o.max_drawdown_increase));
    }
    if (row.pnl.ci_high < 0.0) {
      row.broken.push_back(fmt::format("P&L falls by {:.3g} (upper bound {:.3g} < 0)",
                                       -row.pnl.mean_diff, row.pnl.ci_high));
    }
    usable_pairs(c.pnl, b.pnl, pooled_c, pooled_b);
    if (o.log) {
      o.log(fmt::format(
          "scenario {}/{} {}{}: kill {:.3f} -> {:.3f}, P&L diff {:.4g} [{:.4g}, {:.4g}]{}", i + 1,
          count, row.id, r.reused ? " (reused)" : "", row.baseline.kill_p, row.candidate.kill_p,
          row.pnl.mean_diff, row.pnl.ci_low, row.pnl.ci_high, row.broken.empty() ? "" : " BROKEN"));
    }
    result.rows.push_back(std::move(row));
  }
  if (mpi.rank() != 0) return result;
  result.pooled_pnl = stats::paired_contrast(pooled_c, pooled_b, o.level);
  const std::string drawdown_clause =
      std::isfinite(o.max_drawdown_increase)
          ? fmt::format("the paired drawdown rise has its lower bound above {:g}, ",
                        o.max_drawdown_increase)
          : std::string();
  result.rule = fmt::format(
      "FAIL when any scenario breaks a guardrail at the per-scenario level {:.4g} (Bonferroni "
      "over {} scenarios): the paired kill-probability rise has its lower bound above {:g}, {}or "
      "the paired P&L change has its upper bound below 0; else PASS when the pooled paired P&L "
      "gain over every (scenario, repetition) has its {:g}% lower bound above {:g}; else HOLD.",
      scenario_level, count, o.max_kill_increase, drawdown_clause, o.level * 100,
      o.min_improvement);
  std::vector<std::string> broken;
  for (const auto& row : result.rows)
    if (!row.broken.empty())
      broken.push_back(fmt::format("{}: {}", row.id, fmt::join(row.broken, "; ")));
  if (!broken.empty()) {
    result.verdict = Verdict::kFail;
    result.reason = fmt::format("FAIL: guardrails broken in {} of {} scenarios ({})", broken.size(),
                                count, fmt::join(broken, " | "));
  } else if (result.pooled_pnl.ci_low > o.min_improvement) {
    result.verdict = Verdict::kPass;
    result.reason =
        fmt::format("PASS: P&L gain {:.4g} with lower bound {:.4g} > {:g}, no guardrail broken",
                    result.pooled_pnl.mean_diff, result.pooled_pnl.ci_low, o.min_improvement);
  } else {
    result.verdict = Verdict::kHold;
    result.reason = fmt::format(
        "HOLD: no guardrail broken, but the P&L gain {:.4g} has lower bound {:.4g}, not above "
        "{:g}: "
        "not enough evidence (more repetitions or scenarios)",
        result.pooled_pnl.mean_diff, result.pooled_pnl.ci_low, o.min_improvement);
  }
  write_reports(o, result);
  return result;
}

}  // namespace proteus::search
