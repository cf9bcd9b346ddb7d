// Multi-objective search of market-maker parameters (see pareto.hpp).
#include "search/pareto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engine/rng.hpp"
#include "search/output.hpp"
#include "sweep/table_file.hpp"

namespace proteus::search {
namespace {

constexpr std::uint64_t kParetoStream = 0xFA2E7000ULL;

bool usable(const CandidateStats& s) {
  return std::isfinite(s.pnl_mean) && std::isfinite(s.kill_high) && std::isfinite(s.drawdown_cvar);
}

/// frontier.h5: /frontier/<column> (generation, index, each key, the statistics), the search's
/// settings as root attributes.
void write_frontier_h5(const ParetoOptions& o, const std::vector<Scored>& frontier) {
  std::vector<sweep::TableColumn> columns;
  auto numbers = [&](const std::string& name, const std::string& description, auto get) {
    sweep::TableColumn c{name, description, false, {}, {}};
    for (const auto& f : frontier) c.numbers.push_back(get(f));
    columns.push_back(std::move(c));
  };
  numbers("generation", "generation of the candidate",
          [](const Scored& f) { return static_cast<double>(f.generation); });
  numbers("index", "candidate (cell) within its generation's panel",
          [](const Scored& f) { return static_cast<double>(f.index); });
  for (std::size_t d = 0; d < o.space.size(); ++d) {
    numbers(o.space[d].key, "searched value",
            [d](const Scored& f) { return number_of(f.values[d]); });
  }
  numbers("n", "usable repetitions",
          [](const Scored& f) { return static_cast<double>(f.stats.n); });
  numbers("kill_p", "kill probability", [](const Scored& f) { return f.stats.kill_p; });
  numbers("kill_wilson_high", "Wilson 95% upper bound of the kill probability (objective, min)",
          [](const Scored& f) { return f.stats.kill_high; });
  numbers("pnl_mean", "mean mm_pnl (objective, max)",
          [](const Scored& f) { return f.stats.pnl_mean; });
  numbers("drawdown_cvar_95", "95% CVaR of mm_max_drawdown (objective, min)",
          [](const Scored& f) { return f.stats.drawdown_cvar; });
  sweep::write_table_file(o.out / "frontier.h5", "frontier", columns,
                          {{"command", "search pareto"},
                           {"base", o.base.source},
                           {"master_seed", std::to_string(o.master_seed)},
                           {"repetitions", std::to_string(o.repetitions)}});
}

}  // namespace

bool dominates(const CandidateStats& a, const CandidateStats& b) {
  if (!usable(a)) return false;
  if (!usable(b)) return true;
  const bool no_worse =
      a.pnl_mean >= b.pnl_mean && a.kill_high <= b.kill_high && a.drawdown_cvar <= b.drawdown_cvar;
  const bool better =
      a.pnl_mean > b.pnl_mean || a.kill_high < b.kill_high || a.drawdown_cvar < b.drawdown_cvar;
  return no_worse && better;
}

std::vector<Scored> pareto_front(const std::vector<Scored>& candidates) {
  std::vector<Scored> front;
  for (const auto& c : candidates) {
    if (!usable(c.stats)) continue;
    const bool dominated = std::any_of(candidates.begin(), candidates.end(), [&](const Scored& o) {
      return dominates(o.stats, c.stats);
    });
    if (!dominated) front.push_back(c);
  }
  std::sort(front.begin(), front.end(), [](const Scored& a, const Scored& b) {
    return std::make_tuple(-a.stats.pnl_mean, a.generation, a.index) <
           std::make_tuple(-b.stats.pnl_mean, b.generation, b.index);
  });
  return front;
}

ParetoResult run_pareto(const sweep::MpiSession& mpi, const ParetoOptions& o) {
  ParetoResult result;
  const std::size_t dims = o.space.size();
  std::vector<std::string> keys;
  for (const auto& s : o.fixed) keys.push_back(s.key);
  for (const auto& d : o.space) keys.push_back(d.key);
  for (std::uint64_t g = 0; g < o.generations; ++g) {
    Generation gen;
    std::vector<std::vector<sweep::AxisValue>> searched;
    if (mpi.rank() == 0) {
      try {
        gen.name = fmt::format("pareto-g{:03}", g);
        gen.scenario_text = o.base.text;
        gen.keys = keys;
        gen.repetitions = o.repetitions;
        gen.master_seed = o.master_seed;
        gen.panel = o.out / fmt::format("gen-{:03}.h5", g);
        std::vector<std::vector<double>> units;
        const auto parents = pareto_front(result.all);
        if (parents.empty()) {
          units = latin_hypercube(o.population, dims, o.master_seed, kParetoStream + g);
        } else {
          engine::RandomStream rng(engine::repetition_key(o.master_seed, kParetoStream + g));
          for (std::uint64_t i = 0; i < o.population; ++i) {
            const Scored& p = parents[i % parents.size()];
            std::vector<double> u(dims);
            for (std::size_t d = 0; d < dims; ++d) {
              u[d] = std::clamp(
                  rng.normal(to_unit(o.space[d], number_of(p.values[d])), o.mutation_sd), 0.0, 1.0);
            }
            units.push_back(std::move(u));
          }
        }
        for (const auto& u : units) {
          std::vector<sweep::AxisValue> values;
          for (std::size_t d = 0; d < dims; ++d)
            values.push_back(axis_value(o.space[d], from_unit(o.space[d], u[d])));
          std::vector<sweep::AxisValue> point;
          for (const auto& s : o.fixed) point.push_back(s.value);
          point.insert(point.end(), values.begin(), values.end());
          searched.push_back(std::move(values));
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
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
      result.all.push_back(
          Scored{g, i, searched[i], candidate_stats(r.candidates[i], o.level), {}});
    }
    if (o.log) {
      const auto front = pareto_front(result.all);
      o.log(
          fmt::format("generation {}/{}: {} candidates x {} repetitions{}: frontier {} of {}, best "
                      "mean P&L {:.4g}",
                      g + 1, o.generations, r.candidates.size(), o.repetitions,
                      r.reused ? " (reused)" : "", front.size(), result.all.size(),
                      front.empty() ? std::nan("") : front.front().stats.pnl_mean));
    }
  }
  if (mpi.rank() != 0) return result;
  result.frontier = pareto_front(result.all);
  write_scored_csv(o.out / "candidates.csv", o.space, result.all);
  write_scored_csv(o.out / "frontier.csv", o.space, result.frontier);
  nlohmann::ordered_json doc;
  doc["command"] = "search pareto";
  doc["base"] = o.base.source;
  doc["objectives"] = {"pnl_mean (max)", "kill_wilson_high (min)", "drawdown_cvar_95 (min)"};
  doc["master_seed"] = o.master_seed;
  doc["repetitions"] = o.repetitions;
  doc["generations"] = o.generations;
  doc["population"] = o.population;
  doc["space"] = space_json(o.space);
  doc["fixed"] = nlohmann::ordered_json::object();
  for (const auto& s : o.fixed)
    std::visit([&](const auto& v) { doc["fixed"][s.key] = v; }, s.value);
  doc["frontier"] = nlohmann::ordered_json::array();
  for (const auto& f : result.frontier) doc["frontier"].push_back(scored_json(o.space, f));
  write_json(o.out / "frontier.json", doc);
  write_frontier_h5(o, result.frontier);
  return result;
}

}  // namespace proteus::search
