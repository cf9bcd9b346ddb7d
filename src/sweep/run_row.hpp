// Internal to src/sweep: running one row of a sweep (used by runner.cpp on every rank).
#pragma once

#include <cstdint>

#include "sweep/panel.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {

/// Runs row `row` of `plan` on `rank`: metrics in panel column order (NaN for columns the
/// cell lacks), wall time measured. A run that throws, or returns the wrong number of
/// metrics, becomes an error row with its message, never an abort. PROTEUS_SWEEP_FAIL_ROWS
/// and PROTEUS_SWEEP_RUN_DELAY_MS (test aids) apply here.
RunRecord execute_row(const SweepPlan& plan, std::uint64_t row, int rank);

/// Sleeps PROTEUS_SWEEP_REQUEST_GAP_MS (a test aid: a worker's opening requests reach rank 0
/// that far apart, so the coordinator may run out of rows between them).
void pause_between_requests_for_test();

/// Throws when `rank` is PROTEUS_SWEEP_CRASH_RANK (a test aid: a crash outside any run).
void maybe_crash_for_test(int rank);

}  // namespace proteus::sweep
