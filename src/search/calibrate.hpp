// `proteus calibrate` (PT-010): market-maker parameters that survive low informed activity,
// one regime picked by a stated rule, its sensitivity to informed activity and latency, and the
// regime written as a TOML fragment that `proteus experiment run --regime` takes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "search/adversarial.hpp"
#include "search/evaluate.hpp"
#include "search/space.hpp"

namespace proteus::search {

struct CalibrateOptions {
  BaseScenario base;
  std::string target;                 ///< what was calibrated (experiment or file), for the report
  std::vector<Dimension> space;       ///< market-maker keys searched
  std::vector<sweep::Setting> fixed;  ///< keys the regime sets as given (e.g. the loss limit)
  std::string informed_key = "agents.informed.activity";
  double informed = 0.03;  ///< the low informed activity the regime must survive
  std::vector<std::string> latency_keys = {"latency.default.submit.value_ms",
                                           "latency.default.ack.value_ms",
                                           "latency.default.fill.value_ms"};
  std::vector<double> sensitivity_informed = {0.03, 0.12, 0.24};
  std::vector<double> sensitivity_latency = {1.0, 25.0};
  double kill_max = 0.2;   ///< survival: Wilson upper bound of the kill probability below this
  double pnl_floor = 0.0;  ///< survival: mean P&L above this
  std::uint64_t candidates = 16;
  std::uint64_t repetitions = 32;
  std::uint64_t master_seed = 1;
  double level = 0.95;
  std::filesystem::path out;
  std::uint64_t batch = 0;
  std::function<void(const sweep::Progress&)> progress;
  std::function<void(const std::string&)> log;
};

/// One point of the sensitivity grid with the chosen regime.
struct SensitivityPoint {
  double informed = 0.0;
  double latency_ms = 0.0;
  CandidateStats stats;
  bool survives = false;
};

struct CalibrateResult {
  sweep::SweepSummary sweep;
  std::vector<Scored> candidates;      ///< rank 0: every candidate at the low informed activity
  bool found = false;                  ///< some candidate met the survival criteria
  std::size_t chosen = 0;              ///< index into candidates
  std::vector<sweep::Setting> regime;  ///< fixed keys, then the chosen searched values
  std::vector<SensitivityPoint> sensitivity;
  std::string rule;
};

/// Collective: a Latin hypercube of `candidates` points (Philox stream of the seed) at the low
/// informed activity (out/screen.h5), the survivors by the criteria, the pick by the rule
/// (lowest kill upper bound, then highest mean P&L, then lowest drawdown CVaR, then index), and
/// the pick over informed activity x latency (out/sensitivity.h5). Rank 0 writes regime.toml,
/// calibration.json, calibration.md and candidates.csv; with no survivor, no regime.toml.
CalibrateResult run_calibrate(const sweep::MpiSession& mpi, const CalibrateOptions& options);

}  // namespace proteus::search
