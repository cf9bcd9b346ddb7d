// The decision rule, secondary notes, difference-in-differences and the Pareto frontier over a
// sweep::Report; interactions read the panel's columns by repetition.
#include "experiment/findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "stats/contrast.hpp"
#include "stats/multiple.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::experiment {
namespace {

Effect effect_of(const sweep::ContrastRow& c) {
  return Effect{c.metric,        c.units,          c.paired.n,       c.paired.mean_diff,
                c.paired.ci_low, c.paired.ci_high, c.paired.p_value, std::nan("")};
}

std::string effect_text(const Effect& e) {
  return fmt::format("{} {:+.4g} [{:.4g}, {:.4g}] {} (paired, n = {}, p = {:.3g})", e.metric,
                     e.mean_diff, e.ci_low, e.ci_high, e.units, e.n, e.p_value);
}

const sweep::ContrastRow* find_contrast(const sweep::Report& report, const std::string& metric,
                                        std::uint64_t cell) {
  for (const auto& c : report.contrasts) {
    if (c.metric == metric && c.cell == cell) return &c;
  }
  return nullptr;
}

Verdict decide(const ExperimentSpec& spec, const sweep::Report& report,
               const sweep::ContrastRow& row) {
  Verdict v;
  v.cell = row.cell;
  v.baseline_cell = row.baseline_cell;
  v.label = row.label;
  v.baseline_label = row.baseline_label;
  v.primary = effect_of(row);
  const Effect& e = v.primary;
  if (e.n < 2 || !std::isfinite(e.ci_low) || !std::isfinite(e.ci_high)) {
    v.verdict = "no_data";
    v.reason = fmt::format("{}: fewer than two usable pairs (n = {})", e.metric, e.n);
    return v;
  }
  const bool lower = spec.better == Better::kLower;
  const bool improves = lower ? e.ci_high < 0 : e.ci_low > 0;
  const bool worsens = lower ? e.ci_low > 0 : e.ci_high < 0;
  v.reason = effect_text(e);
  if (improves) {
    v.verdict = "better";
    if (spec.budget) {
      v.budget_limit = spec.budget->max_increase;
      const sweep::ContrastRow* b = find_contrast(report, spec.budget->metric, row.cell);
      if (b == nullptr || b->paired.n < 2 || !std::isfinite(b->paired.ci_high)) {
        v.verdict = "inconclusive";
        v.reason += fmt::format("; budget metric {} has no usable pairs", spec.budget->metric);
        return v;
      }
      v.budget = effect_of(*b);
      const bool within = v.budget->ci_high <= spec.budget->max_increase;
      v.reason += fmt::format("; {}: upper end {:.4g} {} budget {:.4g}", effect_text(*v.budget),
                              v.budget->ci_high, within ? "<=" : ">", spec.budget->max_increase);
      if (!within) v.verdict = "over_budget";
    }
  } else if (worsens) {
    v.verdict = "worse";
  } else {
    v.verdict = "inconclusive";
    v.reason += ": the interval contains 0";
  }
  return v;
}

/// Rep values of one cell and metric (NaN where the run is not ok).
std::vector<double> cell_values(const sweep::PanelReader& reader, std::size_t metric,
                                std::uint64_t cell) {
  const std::uint64_t reps = reader.info().repetitions;
  std::vector<double> values;
  std::vector<std::uint8_t> status;
  const std::uint64_t first = sweep::row_of(sweep::RunId{cell, 0}, reps);
  reader.read_metric(metric, first, reps, values);
  reader.read_status(first, reps, status);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (status[i] != sweep::schema::kStatusOk) values[i] = std::nan("");
  }
  return values;
}

void interactions(const ExperimentSpec& spec, const std::filesystem::path& panel, double level,
                  Findings& out) {
  if (spec.interactions.empty()) return;
  const sweep::PanelReader reader = sweep::PanelReader::open(panel);
  const sweep::PanelInfo& info = reader.info();
  const sweep::SweepPlan plan = sweep::parse_sweep(info.config_text, panel.string());
  const auto stored = reader.stored_groups();
  const std::vector<sweep::ContrastGroup> groups =
      stored ? stored->groups : sweep::contrast_groups(plan);
  std::vector<std::size_t> baseline_of(plan.cells.size(), sweep::kNotApplicable);
  for (const auto& g : groups) {
    for (std::size_t c : g.members) baseline_of[c] = g.baseline;
  }
  for (const auto& want : spec.interactions) {
    std::size_t axis = sweep::kNotApplicable;
    for (std::size_t a = 0; a < plan.axes.size(); ++a) {
      for (const auto& key : plan.axes[a].keys) {
        if (key == want.axis || key.ends_with("." + want.axis)) axis = a;
      }
    }
    const auto index = info.metrics.index_of(want.metric);
    if (axis == sweep::kNotApplicable || !index || plan.axes[axis].points.size() < 2) {
      out.notes.push_back(fmt::format(
          "interaction {} x {}: {}", want.metric, want.axis,
          !index ? "no such metric in the panel" : "no grid axis with two or more values"));
      continue;
    }
    const std::size_t last = plan.axes[axis].points.size() - 1;
    auto partner = [&](std::size_t cell) {
      std::vector<std::size_t> point = plan.cells[cell].point;
      point[axis] = 0;
      for (std::size_t c = 0; c < plan.cells.size(); ++c) {
        if (plan.cells[c].point == point) return c;
      }
      return sweep::kNotApplicable;
    };
    for (std::size_t t = 0; t < plan.cells.size(); ++t) {
      const std::size_t b = baseline_of[t];
      if (plan.cells[t].point[axis] != last || b == sweep::kNotApplicable || b == t) continue;
      const std::size_t t0 = partner(t);
      const std::size_t b0 = partner(b);
      if (t0 == sweep::kNotApplicable || b0 == sweep::kNotApplicable) continue;
      const auto vt = cell_values(reader, *index, t);
      const auto vb = cell_values(reader, *index, b);
      const auto vt0 = cell_values(reader, *index, t0);
      const auto vb0 = cell_values(reader, *index, b0);
      std::vector<double> high;
      std::vector<double> low;
      for (std::size_t i = 0; i < vt.size(); ++i) {
        const double h = vt[i] - vb[i];
        const double l = vt0[i] - vb0[i];
        if (std::isfinite(h) && std::isfinite(l)) {
          high.push_back(h);
          low.push_back(l);
        }
      }
      InteractionResult r;
      r.axis = plan.axes[axis].keys.front();
      r.cell_high = t;
      r.baseline_high = b;
      r.cell_low = t0;
      r.baseline_low = b0;
      r.label = fmt::format("[{}] - [{}] minus [{}] - [{}]", plan.cells[t].label,
                            plan.cells[b].label, plan.cells[t0].label, plan.cells[b0].label);
      r.effect.metric = want.metric;
      r.effect.units = std::string(info.metrics[*index].units);
      r.effect.p_adjusted = std::nan("");
      r.effect.n = high.size();
      if (high.size() >= 2) {
        const stats::PairedContrast p = stats::paired_contrast(high, low, level);
        r.effect.mean_diff = p.mean_diff;
        r.effect.ci_low = p.ci_low;
        r.effect.ci_high = p.ci_high;
        r.effect.p_value = p.p_value;
        r.significant = p.ci_low > 0 || p.ci_high < 0;
      } else {
        r.effect.mean_diff = r.effect.ci_low = r.effect.ci_high = r.effect.p_value = std::nan("");
      }
      out.interactions.push_back(std::move(r));
    }
  }
}

void frontier(const ExperimentSpec& spec, const sweep::Report& report, Findings& out) {
  if (!spec.frontier) return;
  const double sign = spec.better == Better::kLower ? -1.0 : 1.0;
  for (const auto& s : report.summary) {
    if (s.metric != spec.frontier->error || s.summary.n == 0) continue;
    FrontierPoint p;
    p.cell = s.cell;
    p.label = s.label;
    p.error = s.summary.mean;
    p.error_low = s.summary.ci_low;
    p.error_high = s.summary.ci_high;
    if (const auto* c = find_contrast(report, spec.frontier->protection, s.cell)) {
      p.protection = sign * c->paired.mean_diff;
      p.protection_low = std::min(sign * c->paired.ci_low, sign * c->paired.ci_high);
      p.protection_high = std::max(sign * c->paired.ci_low, sign * c->paired.ci_high);
    }  // a baseline cell protects by 0 against itself
    out.frontier.push_back(p);
  }
  mark_front(out.frontier);
}

}  // namespace

std::vector<std::string> report_metrics(const ExperimentSpec& spec) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& m) {
    if (seen.insert(m).second) out.push_back(m);
  };
  add(spec.primary_metric);
  if (spec.budget) add(spec.budget->metric);
  for (const auto& m : spec.secondary) add(m);
  for (const auto& i : spec.interactions) add(i.metric);
  if (spec.frontier) {
    add(spec.frontier->protection);
    add(spec.frontier->error);
  }
  return out;
}

void mark_front(std::vector<FrontierPoint>& points) {
  for (auto& p : points) {
    p.on_front = std::none_of(points.begin(), points.end(), [&](const FrontierPoint& q) {
      return q.protection >= p.protection && q.error <= p.error &&
             (q.protection > p.protection || q.error < p.error);
    });
  }
}

Findings evaluate(const ExperimentSpec& spec, const sweep::Report& report,
                  const std::filesystem::path& panel) {
  Findings out;
  for (const auto& c : report.contrasts) {
    if (c.metric == spec.primary_metric) out.verdicts.push_back(decide(spec, report, c));
  }
  std::vector<double> p_values;
  for (const auto& c : report.contrasts) {
    if (std::find(spec.secondary.begin(), spec.secondary.end(), c.metric) == spec.secondary.end()) {
      continue;
    }
    SecondaryNote note{c.cell, c.baseline_cell, c.label, effect_of(c)};
    out.secondary.push_back(note);
  }
  for (const auto& n : out.secondary) {
    if (std::isfinite(n.effect.p_value)) p_values.push_back(n.effect.p_value);
  }
  const std::vector<double> adjusted = stats::adjust_p_values(p_values, spec.adjust);
  std::size_t next = 0;
  for (auto& n : out.secondary) {
    if (!std::isfinite(n.effect.p_value)) continue;
    n.effect.p_adjusted = adjusted[next++];
    n.significant = n.effect.p_adjusted < 1.0 - report.level;
  }
  interactions(spec, panel, report.level, out);
  frontier(spec, report, out);
  return out;
}

}  // namespace proteus::experiment
