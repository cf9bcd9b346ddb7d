// `proteus experiment run`: resolves an experiment's preset to a sweep, checks its gate, runs it
// (adaptively with --target) into a versioned folder and reduces it to a report and findings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "experiment/findings.hpp"
#include "experiment/spec.hpp"
#include "sweep/adaptive.hpp"
#include "sweep/errors.hpp"
#include "sweep/mpi_session.hpp"
#include "sweep/report.hpp"

namespace proteus::experiment {

/// The gate of an experiment refused to run it (exit code 2); what() says why.
class GateRefused : public sweep::SweepUsageError {
 public:
  using sweep::SweepUsageError::SweepUsageError;
};

struct RunOptions {
  std::string name;  ///< experiment name (looked up in search_dirs) or path of a .toml file
  std::string preset;
  std::filesystem::path out_dir;
  std::filesystem::path regime;  ///< empty: the experiment's own, if any
  std::vector<sweep::PrecisionGoal> goals;
  std::vector<std::filesystem::path> search_dirs;
  std::uint64_t batch = 0;
  std::function<void(const sweep::Progress&)> progress;        ///< rank 0
  std::function<void(const std::string&)> notice;              ///< rank 0
  std::function<void(const sweep::BlockPrecision&)> on_block;  ///< rank 0
};

/// Everything rank 0 knows after a run; ranks > 0 get only `sweep`.
struct ExperimentRun {
  ExperimentSpec spec;
  Preset preset;
  std::filesystem::path folder;
  std::string sweep_text;     ///< of the first block (what the folder's hash is taken over)
  std::string config_sha256;  ///< SHA-256 of sweep_text
  std::uint64_t master_seed = 0;
  bool resumed = false;  ///< the folder's panel existed when the run started
  sweep::AdaptiveResult adaptive;
  sweep::Report report;
  Findings findings;
  /// Achieved precision of the primary endpoint per cell (t-interval half-widths), reported
  /// whether or not --target was given.
  std::vector<sweep::GoalPrecision> primary_precision;
};

/// A preset resolved and checked without running it.
struct ResolvedPreset {
  std::string sweep_text;
  std::string config_sha256;
  std::uint64_t master_seed = 0;
  std::uint64_t cells = 0;
  std::uint64_t runs = 0;            ///< of the first block
  std::vector<std::string> metrics;  ///< the panel's metric columns
};

/// Generates the preset's sweep text and checks it as `proteus sweep` would (keys, ranges,
/// limits, treatment parity) and that every metric the experiment names is a panel column.
/// `source` names the text in errors. Throws engine::ConfigError or sweep::SweepUsageError.
ResolvedPreset resolve_preset(const ExperimentSpec& spec, const Preset& preset,
                              const std::filesystem::path& regime, const std::string& source);

/// DIR/<name>-<preset>-<first 8 hex digits of sha256>.
std::filesystem::path folder_of(const std::filesystem::path& out_dir, const std::string& name,
                                const std::string& preset, const std::string& sha256);

/// Throws GateRefused unless every experiment `spec` requires has, in `out_dir` for `preset`, a
/// folder with a complete panel that verifies, whose stored sweep passes the treatment-parity
/// check, and a report.json. The message names each missing requirement and the reason.
void check_gate(const ExperimentSpec& spec, const std::string& preset,
                const std::filesystem::path& out_dir);

/// Collective over MPI_COMM_WORLD (rank 0 decides, every rank simulates). Errors before the
/// sweep (experiment file, gate) are thrown on rank 0 and end the other ranks with
/// SweepOutcome::kPeerFailed. The report and findings are filled only when the sweep completed.
ExperimentRun run_experiment(const sweep::MpiSession& mpi, const RunOptions& options);

}  // namespace proteus::experiment
