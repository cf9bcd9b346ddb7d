// Calibration of a surviving market-maker regime (see calibrate.hpp).
#include "search/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "search/output.hpp"

namespace proteus::search {
namespace {

using json = nlohmann::ordered_json;

bool survives(const CandidateStats& s, const CalibrateOptions& o) {
  return s.n > 0 && s.kill_high < o.kill_max && s.pnl_mean > o.pnl_floor;
}

void write_outputs(const CalibrateOptions& o, const CalibrateResult& r) {
  write_scored_csv(o.out / "candidates.csv", o.space, r.candidates);
  json doc;
  doc["target"] = o.target;
  doc["base"] = o.base.source;
  doc["rule"] = r.rule;
  doc["found"] = r.found;
  doc["master_seed"] = o.master_seed;
  doc["repetitions"] = o.repetitions;
  doc["level"] = o.level;
  doc["informed_key"] = o.informed_key;
  doc["informed"] = o.informed;
  doc["kill_max"] = o.kill_max;
  doc["pnl_floor"] = o.pnl_floor;
  doc["space"] = space_json(o.space);
  std::size_t survivors = 0;
  for (const auto& c : r.candidates) survivors += survives(c.stats, o) ? 1 : 0;
  doc["candidates"] = r.candidates.size();
  doc["survivors"] = survivors;
  std::string md = fmt::format(
      "# Calibration of {}\n\nRule: {}\n\n{} of {} candidates survive at "
      "{} = {:g} ({} repetitions each, seed {}).\n\n",
      o.target, r.rule, survivors, r.candidates.size(), o.informed_key, o.informed, o.repetitions,
      o.master_seed);
  if (r.found) {
    const Scored& c = r.candidates[r.chosen];
    doc["chosen"] = scored_json(o.space, c);
    json regime = json::object();
    for (const auto& s : r.regime) std::visit([&](const auto& v) { regime[s.key] = v; }, s.value);
    doc["regime"] = regime;
    md += fmt::format(
        "Chosen: candidate {} ({}): kill probability {:.3f}, Wilson {:.0f}% upper bound {:.3f} < "
        "{:g}; mean P&L {:.4g} > {:g}; drawdown CVaR {:.4g}.\n\nRationale: of the regimes that "
        "meet both survival criteria it has the most margin on the kill bound, and among equal "
        "margins the highest mean P&L.\n\n## Sensitivity (chosen regime)\n\n| {} | latency ms | "
        "kill | Wilson upper | mean P&L | drawdown CVaR | survives "
        "|\n|---|---|---|---|---|---|---|\n",
        c.index, describe_point(o.space, c.values), c.stats.kill_p, o.level * 100,
        c.stats.kill_high, o.kill_max, c.stats.pnl_mean, o.pnl_floor, c.stats.drawdown_cvar,
        o.informed_key);
    doc["sensitivity"] = json::array();
    for (const auto& p : r.sensitivity) {
      doc["sensitivity"].push_back({{"informed", p.informed},
                                    {"latency_ms", p.latency_ms},
                                    {"stats", stats_json(p.stats)},
                                    {"survives", p.survives}});
      md += fmt::format("| {:g} | {:g} | {:.3f} | {:.3f} | {:.4g} | {:.4g} | {} |\n", p.informed,
                        p.latency_ms, p.stats.kill_p, p.stats.kill_high, p.stats.pnl_mean,
                        p.stats.drawdown_cvar, p.survives ? "yes" : "no");
    }
    std::vector<std::string> header = {
        fmt::format("Market-maker regime calibrated by `proteus calibrate` on {} (seed {}).",
                    o.target, o.master_seed)};
    header.push_back(
        fmt::format("At {} = {:g}: kill probability {:.3f}, Wilson upper bound {:.3f} < {:g}; "
                    "mean P&L {:.4g} > {:g}.",
                    o.informed_key, o.informed, c.stats.kill_p, c.stats.kill_high, o.kill_max,
                    c.stats.pnl_mean, o.pnl_floor));
    header.emplace_back("Use: proteus experiment run NAME --preset P --regime regime.toml");
    std::string text;
    for (const auto& h : header) text += h + "\n";
    text.pop_back();
    write_text_file(o.out / "regime.toml", regime_toml(r.regime, text));
  } else {
    md +=
        "No candidate meets the survival criteria: widen --space, raise --kill-max or lower "
        "--pnl-floor.\n";
  }
  write_json(o.out / "calibration.json", doc);
  write_text_file(o.out / "calibration.md", md);
}

}  // namespace

CalibrateResult run_calibrate(const sweep::MpiSession& mpi, const CalibrateOptions& o) {
  CalibrateResult result;
  result.rule = fmt::format(
      "a regime survives when, at {} = {:g}, the Wilson {:g}% upper bound of its kill probability "
      "is below {:g} and its mean P&L is above {:g}; of the survivors the one with the lowest "
      "kill upper bound is chosen, then the highest mean P&L, then the lowest drawdown CVaR, "
      "then the first candidate",
      o.informed_key, o.informed, o.level * 100, o.kill_max, o.pnl_floor);
  std::vector<std::string> keys;
  for (const auto& s : o.fixed) keys.push_back(s.key);
  keys.push_back(o.informed_key);
  for (const auto& d : o.space) keys.push_back(d.key);
  Generation screen;
  std::vector<std::vector<sweep::AxisValue>> searched;
  if (mpi.rank() == 0) {
    screen.name = "calibrate-screen";
    screen.scenario_text = o.base.text;
    screen.keys = keys;
    screen.repetitions = o.repetitions;
    screen.master_seed = o.master_seed;
    screen.panel = o.out / "screen.h5";
    for (const auto& u :
         latin_hypercube(o.candidates, o.space.size(), o.master_seed, 0xCA11B000ULL)) {
      std::vector<sweep::AxisValue> point;
      for (const auto& s : o.fixed) point.push_back(s.value);
      point.emplace_back(o.informed);
      std::vector<sweep::AxisValue> values;
      for (std::size_t d = 0; d < o.space.size(); ++d)
        values.push_back(axis_value(o.space[d], from_unit(o.space[d], u[d])));
      point.insert(point.end(), values.begin(), values.end());
      searched.push_back(values);
      screen.points.push_back(std::move(point));
    }
  }
  const GenerationResult r = run_generation(mpi, screen, o.batch, o.progress);
  result.sweep = r.sweep;
  if (r.sweep.outcome != sweep::SweepOutcome::kComplete) return result;
  std::uint64_t found = 0;
  if (mpi.rank() == 0) {
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
      result.candidates.push_back(
          Scored{0, i, searched[i], candidate_stats(r.candidates[i], o.level), {}});
    }
    for (std::size_t i = 0; i < result.candidates.size(); ++i) {
      const auto& s = result.candidates[i].stats;
      if (!survives(s, o)) continue;
      if (!result.found) {
        result.found = true;
        result.chosen = i;
        continue;
      }
      const auto& c = result.candidates[result.chosen].stats;
      if (std::make_tuple(s.kill_high, -s.pnl_mean, s.drawdown_cvar) <
          std::make_tuple(c.kill_high, -c.pnl_mean, c.drawdown_cvar)) {
        result.chosen = i;
      }
    }
    found = result.found ? 1 : 0;
    if (o.log) {
      std::size_t n = 0;
      for (const auto& c : result.candidates) n += survives(c.stats, o) ? 1 : 0;
      o.log(fmt::format("screen: {} candidates x {} repetitions{}: {} survive", r.candidates.size(),
                        o.repetitions, r.reused ? " (reused)" : "", n));
    }
  }
  mpi.broadcast(found);
  if (found != 0) {
    Generation sens;
    if (mpi.rank() == 0) {
      result.regime = o.fixed;
      for (std::size_t d = 0; d < o.space.size(); ++d)
        result.regime.push_back({o.space[d].key, result.candidates[result.chosen].values[d]});
      sens.name = "calibrate-sensitivity";
      sens.scenario_text = o.base.text;
      for (const auto& s : result.regime) sens.keys.push_back(s.key);
      sens.keys.push_back(o.informed_key);
      for (const auto& k : o.latency_keys) sens.keys.push_back(k);
      sens.repetitions = o.repetitions;
      sens.master_seed = o.master_seed;
      sens.panel = o.out / "sensitivity.h5";
      for (double informed : o.sensitivity_informed) {
        for (double latency : o.sensitivity_latency) {
          std::vector<sweep::AxisValue> point;
          for (const auto& s : result.regime) point.push_back(s.value);
          point.emplace_back(informed);
          for (std::size_t k = 0; k < o.latency_keys.size(); ++k) point.emplace_back(latency);
          sens.points.push_back(std::move(point));
        }
      }
    }
    const GenerationResult s = run_generation(mpi, sens, o.batch, o.progress);
    result.sweep = s.sweep;
    if (s.sweep.outcome != sweep::SweepOutcome::kComplete) return result;
    if (mpi.rank() == 0) {
      std::size_t i = 0;
      for (double informed : o.sensitivity_informed) {
        for (double latency : o.sensitivity_latency) {
          SensitivityPoint p{informed, latency, candidate_stats(s.candidates[i++], o.level), false};
          p.survives = survives(p.stats, o);
          result.sensitivity.push_back(p);
        }
      }
      if (o.log)
        o.log(fmt::format("sensitivity: {} points{}", result.sensitivity.size(),
                          s.reused ? " (reused)" : ""));
    }
  }
  if (mpi.rank() == 0) write_outputs(o, result);
  return result;
}

}  // namespace proteus::search
