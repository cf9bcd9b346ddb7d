// Adaptive precision (PT-018): a sweep run in deterministic blocks of repetitions, the panel
// grown in place after each, until every cell's (or contrast's) interval is as narrow as asked
// or a cap on repetitions is reached.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sweep/mpi_session.hpp"
#include "sweep/report.hpp"
#include "sweep/runner.hpp"

namespace proteus::sweep {

/// `METRIC=HALFWIDTH` (every cell's interval of the mean) or `contrast:METRIC=HALFWIDTH` (every
/// paired contrast against the group's baseline).
struct PrecisionGoal {
  std::string metric;
  double half_width = 0.0;
  bool contrast = false;
};

/// Parses one --target; throws SweepUsageError naming the text on a bad form or a half-width
/// that is not a positive finite number.
PrecisionGoal parse_goal(std::string_view text);

/// "METRIC=H" or "contrast:METRIC=H".
std::string to_text(const PrecisionGoal& goal);

/// The achieved precision of one cell (or contrast) on one goal.
struct GoalPrecision {
  std::string metric;
  bool contrast = false;
  std::uint64_t cell = 0;
  std::uint64_t baseline_cell = 0;  ///< contrasts only
  std::string label;
  std::uint64_t n = 0;
  double half_width = 0.0;  ///< NaN when n < 2
  double target = 0.0;
  bool met = false;  ///< half_width <= target; cells without any usable value are met (n = 0)
};

/// One block of the run: its cumulative repetitions and how far the goals were met.
struct BlockPrecision {
  std::uint64_t block = 0;
  std::uint64_t repetitions = 0;
  double max_ratio = 0.0;       ///< largest half_width / target over the goals (NaN counts as inf)
  double max_half_width = 0.0;  ///< largest finite half-width of the first goal
  std::uint64_t meeting = 0;    ///< (cell, goal) pairs meeting their target
  std::uint64_t total = 0;
};

/// Evaluates `goals` on repetitions [0, repetitions) of every cell of a complete panel.
std::vector<GoalPrecision> evaluate_goals(const std::filesystem::path& panel,
                                          const std::vector<PrecisionGoal>& goals,
                                          std::uint64_t repetitions, double level);

/// Summary of one block's evaluation.
BlockPrecision block_precision(std::uint64_t block, std::uint64_t repetitions,
                               const std::vector<GoalPrecision>& cells);

/// Block schedule: block k has min(first + k * block, cap) repetitions.
struct BlockSchedule {
  std::uint64_t first = 0;  ///< the sweep file's sweep.repetitions
  std::uint64_t block = 0;  ///< repetitions added per block (> 0)
  std::uint64_t cap = 0;    ///< largest repetitions (>= first)
  std::uint64_t repetitions(std::uint64_t k) const;
  /// The block whose repetitions are `reps`; throws SweepUsageError when none is.
  std::uint64_t block_of(std::uint64_t reps) const;
};

struct AdaptiveOptions {
  SweepOptions sweep;  ///< sweep_file or config_text with the first block's repetitions
  std::vector<PrecisionGoal> goals;  ///< empty: one block (or the panel's current one)
  std::uint64_t block = 0;           ///< 0: the first block's repetitions
  std::uint64_t cap = 0;             ///< 0: 16 times the first block's repetitions
  double level = 0.95;
  /// Rank 0: called after each evaluated block (the trace as it grows).
  std::function<void(const BlockPrecision&)> on_block;
};

struct AdaptiveResult {
  SweepSummary sweep;             ///< of the last block run
  std::string config_text;        ///< the sweep text of the final block (rank 0)
  std::uint64_t repetitions = 0;  ///< of the final block (rank 0)
  BlockSchedule schedule;
  std::vector<BlockPrecision> trace;    ///< every block up to the final one, recomputed from the
                                        ///< panel, so a resumed run gives the same trace
  std::vector<GoalPrecision> achieved;  ///< per cell and goal at the final block
  bool capped = false;                  ///< stopped at the cap with some goal unmet
};

/// Collective over MPI_COMM_WORLD. Starts at the block the existing panel holds (resume) or at
/// block 0, runs (or finishes) it, evaluates the goals on rank 0 and, when some cell misses its
/// target and the cap allows, grows the panel to the next block and goes on. Every decision is
/// a function of the panel's runs, so the blocks and the panel are the same at any rank count
/// and after an interruption. Stops early (without evaluating) when a block is interrupted or
/// fails fast. Exceptions as run_sweep.
AdaptiveResult run_adaptive_sweep(const MpiSession& mpi, const AdaptiveOptions& options);

}  // namespace proteus::sweep
