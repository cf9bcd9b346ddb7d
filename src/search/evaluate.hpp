// One generation of a search as one sweep: candidates are the points of one zip axis, every
// candidate runs the same repetitions (common random numbers), and the market maker's outcomes
// are read back per candidate and repetition from the panel.
#pragma once

#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sweep/mpi_session.hpp"
#include "sweep/runner.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::search {

/// The candidates of one generation over a base scenario.
struct Generation {
  std::string name;           ///< sweep name (panel attribute)
  std::string scenario_text;  ///< the base scenario (no [sweep] or [grid])
  std::vector<std::string> keys;
  std::vector<std::vector<sweep::AxisValue>> points;  ///< one per candidate, aligned with keys
  std::uint64_t repetitions = 0;
  std::uint64_t master_seed = 0;
  std::filesystem::path panel;  ///< reused when it exists with the same sweep (resume)
  /// Rank 0: a failure while preparing the generation; run_generation ends every rank with it.
  std::exception_ptr error;
};

/// The sweep file of a generation: the scenario, [sweep] and one [[grid.zip]] of the keys.
std::string generation_sweep_text(const Generation& gen);

/// The market maker's outcome of every repetition of one candidate; runs whose status is not
/// ok are NaN and counted in `failed`.
struct CandidateRuns {
  std::vector<double> survival;      ///< mm_survival: 1 survived, 0 killed
  std::vector<double> pnl;           ///< mm_pnl
  std::vector<double> drawdown;      ///< mm_max_drawdown
  std::vector<double> time_to_kill;  ///< mm_time_to_kill
  std::uint64_t failed = 0;
};

struct GenerationResult {
  sweep::SweepSummary sweep;
  std::vector<CandidateRuns> candidates;  ///< rank 0, when the sweep completed
  bool reused = false;                    ///< rank 0: the panel was complete already
};

/// Collective over MPI_COMM_WORLD: rank 0's `gen` is run (other ranks pass anything), resuming
/// the panel when it exists; rank 0 then reads the candidates' runs. Throws as run_sweep; a
/// SweepOutcome other than kComplete is returned without reading.
GenerationResult run_generation(const sweep::MpiSession& mpi, const Generation& gen,
                                std::uint64_t batch,
                                const std::function<void(const sweep::Progress&)>& progress);

/// What a search knows of one candidate.
struct CandidateStats {
  std::uint64_t n = 0;      ///< usable repetitions
  std::uint64_t kills = 0;  ///< repetitions where the kill switch latched
  double kill_p = 0.0;
  double kill_low = 0.0;   ///< Wilson interval of the kill probability
  double kill_high = 0.0;  ///< its upper end: what survival criteria bound
  double pnl_mean = 0.0;
  double pnl_cvar = 0.0;  ///< 95% CVaR of the P&L loss
  double drawdown_mean = 0.0;
  double drawdown_cvar = 0.0;  ///< mean of the drawdowns at or above their 95% quantile
  double time_to_kill_mean = 0.0;
};

/// Statistics of one candidate at `level` (the Wilson level); NaN fields when n = 0.
CandidateStats candidate_stats(const CandidateRuns& runs, double level);

}  // namespace proteus::search
