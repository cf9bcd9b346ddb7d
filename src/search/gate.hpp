// `proteus gate`: a candidate market-maker regime against a baseline regime on a scenario set
// (scenario libraries, verified by their manifests, and out-of-sample scenario files), paired by
// repetition (common random numbers), with a PASS / FAIL / HOLD verdict under a stated rule.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "search/evaluate.hpp"
#include "search/space.hpp"
#include "stats/contrast.hpp"

namespace proteus::search {

/// The verdict of a gate; the values are the exit codes of `proteus gate` (ERROR is 3).
enum class Verdict { kPass = 0, kFail = 1, kHold = 2 };

std::string to_string(Verdict verdict);

struct GateOptions {
  std::filesystem::path candidate;  ///< regime files (TOML fragments)
  std::filesystem::path baseline;
  std::vector<std::filesystem::path> libraries;  ///< scenario libraries (verified)
  std::vector<std::string> scenarios;            ///< out-of-sample scenario files or experiments
  std::string preset;                            ///< for experiments among `scenarios`
  std::vector<std::filesystem::path> experiment_dirs;
  std::uint64_t repetitions = 32;
  std::uint64_t master_seed = 1;
  double level = 0.95;
  double min_improvement = 0.0;    ///< PASS needs the pooled P&L gain's lower bound above this
  double max_kill_increase = 0.0;  ///< FAIL when a scenario's kill-probability rise is surely above
  double max_drawdown_increase = std::numeric_limits<double>::infinity();
  std::filesystem::path out;
  std::uint64_t batch = 0;
  std::function<void(const sweep::Progress&)> progress;  ///< rank 0
  std::function<void(const std::string&)> log;           ///< rank 0
};

/// One scenario: both regimes' statistics and the paired differences (candidate - baseline).
struct ScenarioComparison {
  std::string id;
  std::string source;
  CandidateStats candidate;
  CandidateStats baseline;
  stats::PairedContrast pnl;
  stats::PairedContrast kill;
  stats::PairedContrast drawdown;
  std::vector<std::string> broken;  ///< guardrails this scenario breaks
};

struct GateResult {
  sweep::SweepSummary sweep;
  Verdict verdict = Verdict::kHold;
  std::string rule;             ///< the decision rule as sentences
  std::string reason;           ///< why this verdict
  double scenario_level = 0.0;  ///< the Bonferroni level of the per-scenario guardrails
  std::vector<ScenarioComparison> rows;
  stats::PairedContrast pooled_pnl;  ///< over every (scenario, repetition) pair
  std::vector<std::string> keys;     ///< the regime keys compared
};

/// Collective over MPI_COMM_WORLD: rank 0 loads the regimes, verifies the libraries and loads
/// the scenarios (errors end every rank); each scenario is one sweep of the two regimes (cell 0
/// baseline, cell 1 candidate) into out/scenario-NNN.h5 (reused or resumed on rerun). Rank 0
/// then applies the rule and writes out/gate.json and out/gate.md.
GateResult run_gate(const sweep::MpiSession& mpi, const GateOptions& options);

}  // namespace proteus::search
