// Experiments as data (configs/experiments/<name>.toml, docs/experiments.md): a scenario, a grid
// per preset, the contrasts, a primary endpoint with its decision rule, secondary endpoints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stats/multiple.hpp"

namespace proteus::experiment {

/// Which way the primary endpoint moves when the treatment is better.
enum class Better { kLower, kHigher };

/// A budget on a second metric: the treatment may raise it by at most `max_increase` (the
/// upper end of the paired interval of the difference).
struct Budget {
  std::string metric;
  double max_increase = 0.0;
};

/// The difference in differences of the treatment effect on `metric` between the last and the
/// first value of grid axis `axis`, paired by repetition.
struct Interaction {
  std::string axis;
  std::string metric;
};

/// The tradeoff whose Pareto front is reported: protection is the fall of `protection` against
/// the baseline (more is better), `error` is the cell's mean of the error metric (less is better).
struct Frontier {
  std::string protection;
  std::string error;
};

/// Repetitions of a preset: the first block, the block added by --target, and the cap.
struct Preset {
  std::string name;
  std::uint64_t repetitions = 0;
  std::uint64_t block = 0;            ///< 0: repetitions
  std::uint64_t max_repetitions = 0;  ///< 0: 16 x repetitions
};

struct ExperimentSpec {
  std::filesystem::path file;
  std::string text;  ///< the experiment file as read
  std::string name;
  std::string description;
  std::string primary_metric;
  Better better = Better::kLower;
  std::optional<Budget> budget;
  std::vector<std::string> secondary;
  stats::Adjustment adjust = stats::Adjustment::kHolm;
  std::vector<Interaction> interactions;
  std::optional<Frontier> frontier;
  /// Experiments whose results (same preset) must exist in the output folder and have passed
  /// their parity checks before this one runs.
  std::vector<std::string> requires_experiments;
  std::vector<Preset> presets;

  /// The preset named `name`; throws engine::ConfigError listing the presets otherwise.
  const Preset& preset(const std::string& name) const;
  /// The decision rule as one sentence.
  std::string decision_rule() const;
};

/// Reads and checks an experiment file; throws engine::ConfigError with file, line, column and
/// key of the first problem.
ExperimentSpec load_experiment(const std::filesystem::path& file);

/// The experiment file of `name`: `name` itself when it names an existing .toml file, else
/// <dir>/<name>.toml in the first of `dirs` that has it. Throws engine::ConfigError listing the
/// directories searched and the experiments found.
std::filesystem::path find_experiment(const std::string& name,
                                      const std::vector<std::filesystem::path>& dirs);

/// Every <dir>/*.toml of the first directory in `dirs` that exists, sorted by name.
std::vector<std::filesystem::path> list_experiments(const std::vector<std::filesystem::path>& dirs);

/// The sweep file of one preset: the scenario (experiment.scenario's file without [sweep] and
/// [grid], then the experiment's own scenario tables, then the regime file, then the preset's
/// `set` keys), [sweep] (name "<experiment>-<preset>", master seed, the preset's first-block
/// repetitions, treatment, baseline) and the preset's [grid] in file order. `regime` empty:
/// experiment.regime if any. Throws engine::ConfigError.
std::string preset_sweep_text(const ExperimentSpec& spec, const Preset& preset,
                              const std::filesystem::path& regime);

}  // namespace proteus::experiment
