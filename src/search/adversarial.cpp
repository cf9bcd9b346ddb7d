// Cross-Entropy-Method search for failure scenarios (see adversarial.hpp).
#include "search/adversarial.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/rng.hpp"
#include "search/library.hpp"
#include "search/output.hpp"

namespace proteus::search {
namespace {

constexpr double kSmoothing = 0.7;
constexpr double kMinSd = 0.02;
constexpr double kInitialSd = 0.3;

std::vector<std::vector<double>> sample(const std::vector<double>& mean,
                                        const std::vector<double>& sd, std::uint64_t count,
                                        std::uint64_t seed, std::uint64_t generation) {
  engine::RandomStream rng(engine::repetition_key(seed, 0x5EA4C400ULL + generation));
  std::vector<std::vector<double>> out(count, std::vector<double>(mean.size()));
  for (auto& u : out) {
    for (std::size_t d = 0; d < mean.size(); ++d) {
      u[d] = std::clamp(rng.normal(mean[d], sd[d]), 0.0, 1.0);
    }
  }
  return out;
}

}  // namespace

bool more_lethal(const Scored& a, const Scored& b) {
  const auto key = [](const Scored& s) {
    return std::make_tuple(-(std::isnan(s.stats.kill_p) ? -1.0 : s.stats.kill_p),
                           -(std::isnan(s.stats.drawdown_mean) ? -1.0 : s.stats.drawdown_mean),
                           s.generation, s.index);
  };
  return key(a) < key(b);
}

AdversarialResult run_adversarial(const sweep::MpiSession& mpi, const AdversarialOptions& o) {
  AdversarialResult result;
  const std::size_t dims = o.space.size();
  std::vector<double> mean(dims, 0.5);
  std::vector<double> sd(dims, kInitialSd);
  std::vector<std::string> keys;
  for (const auto& d : o.space) keys.push_back(d.key);
  const auto elite = static_cast<std::size_t>(
      std::max<double>(1.0, std::ceil(o.elite_fraction * static_cast<double>(o.population))));
  for (std::uint64_t g = 0; g < o.generations; ++g) {
    Generation gen;
    if (mpi.rank() == 0) {
      try {
        gen.name = fmt::format("adversarial-g{:03}", g);
        gen.scenario_text = o.base.text;
        gen.keys = keys;
        gen.repetitions = o.repetitions;
        gen.master_seed = o.master_seed;
        gen.panel = o.out / fmt::format("gen-{:03}.h5", g);
        for (const auto& u : sample(mean, sd, o.population, o.master_seed, g)) {
          std::vector<sweep::AxisValue> point;
          for (std::size_t d = 0; d < dims; ++d)
            point.push_back(axis_value(o.space[d], from_unit(o.space[d], u[d])));
          gen.points.push_back(std::move(point));
        }
      } catch (const std::exception&) {
        gen.error = std::current_exception();
      }
    }
    const GenerationResult r = run_generation(mpi, gen, o.batch, o.progress);
    result.sweep = r.sweep;
    if (r.sweep.outcome != sweep::SweepOutcome::kComplete || mpi.rank() != 0) {
      if (r.sweep.outcome != sweep::SweepOutcome::kComplete) return result;
      continue;
    }
    std::vector<Scored> scored;
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
      Scored s{g, i, gen.points[i], candidate_stats(r.candidates[i], o.level), {}};
      for (std::size_t rep = 0; rep < r.candidates[i].survival.size(); ++rep) {
        if (r.candidates[i].survival[rep] == 0.0) s.killed_reps.push_back(rep);
      }
      scored.push_back(std::move(s));
    }
    std::vector<Scored> ranked = scored;
    std::sort(ranked.begin(), ranked.end(), more_lethal);
    for (std::size_t d = 0; d < dims; ++d) {
      double m = 0.0;
      for (std::size_t e = 0; e < elite; ++e)
        m += to_unit(o.space[d], number_of(ranked[e].values[d]));
      m /= static_cast<double>(elite);
      double v = 0.0;
      for (std::size_t e = 0; e < elite; ++e) {
        const double x = to_unit(o.space[d], number_of(ranked[e].values[d])) - m;
        v += x * x;
      }
      v = elite > 1 ? std::sqrt(v / static_cast<double>(elite - 1)) : 0.0;
      mean[d] = kSmoothing * m + (1.0 - kSmoothing) * mean[d];
      sd[d] = std::max(kMinSd, kSmoothing * v + (1.0 - kSmoothing) * sd[d]);
    }
    if (o.log) {
      const auto& best = ranked.front().stats;
      o.log(fmt::format(
          "generation {}/{}: {} candidates x {} repetitions{}: most lethal kill probability {:.3f} "
          "[{:.3f}, {:.3f}], mean drawdown {:.3f}: {}",
          g + 1, o.generations, scored.size(), o.repetitions, r.reused ? " (reused)" : "",
          best.kill_p, best.kill_low, best.kill_high, best.drawdown_mean,
          describe_point(o.space, ranked.front().values)));
    }
    result.all.insert(result.all.end(), scored.begin(), scored.end());
  }
  if (mpi.rank() != 0) return result;
  result.mean = mean;
  result.sd = sd;
  std::vector<Scored> ranked = result.all;
  std::sort(ranked.begin(), ranked.end(), more_lethal);
  for (const auto& s : ranked) {
    if (result.top.size() >= o.top_k) break;
    const bool seen = std::any_of(result.top.begin(), result.top.end(),
                                  [&](const Scored& t) { return t.values == s.values; });
    if (!seen) result.top.push_back(s);
  }
  std::vector<LibraryScenario> scenarios;
  for (std::size_t i = 0; i < result.top.size(); ++i) {
    const Scored& s = result.top[i];
    LibraryScenario entry;
    entry.id = fmt::format("adv-{:03}", i + 1);
    entry.file = entry.id + ".toml";
    for (std::size_t d = 0; d < dims; ++d) entry.settings.push_back({keys[d], s.values[d]});
    std::vector<sweep::Setting> with_seed = entry.settings;
    with_seed.push_back({"run.seed", static_cast<std::int64_t>(o.master_seed)});
    entry.note = fmt::format(
        "generation {} candidate {}: kill probability {:.4g} (Wilson {:.0f}%: {:.4g}..{:.4g}) over "
        "{} repetitions, mean drawdown {:.4g}; killed in repetitions {} (proteus sim FILE --rep R)",
        s.generation, s.index, s.stats.kill_p, o.level * 100, s.stats.kill_low, s.stats.kill_high,
        s.stats.n, s.stats.drawdown_mean, fmt::join(s.killed_reps, ", "));
    entry.text = fmt::format(
        "# Failure scenario {} found by `proteus search adversarial` (seed {}): {}\n# {}\n{}",
        entry.id, o.master_seed, describe_point(o.space, s.values), entry.note,
        apply_settings(o.base, with_seed));
    scenarios.push_back(std::move(entry));
  }
  nlohmann::ordered_json facts;
  facts["command"] = "search adversarial";
  facts["base"] = o.base.source;
  facts["master_seed"] = o.master_seed;
  facts["repetitions"] = o.repetitions;
  facts["generations"] = o.generations;
  facts["population"] = o.population;
  write_library(o.library, "adversarial", scenarios, facts.dump());
  write_scored_csv(o.out / "generations.csv", o.space, result.all);
  nlohmann::ordered_json summary = facts;
  summary["space"] = space_json(o.space);
  summary["sampler_mean"] = mean;
  summary["sampler_sd"] = sd;
  summary["top"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < result.top.size(); ++i)
    summary["top"].push_back(scored_json(o.space, result.top[i], scenarios[i].file));
  summary["library"] = std::filesystem::relative(o.library, o.out).string();
  write_json(o.out / "search.json", summary);
  return result;
}

}  // namespace proteus::search
