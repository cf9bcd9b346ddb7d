// One row of a sweep on the rank that runs it: the engine run, its metrics placed in the
// panel's columns, failures turned into error rows, and the test aids of docs/sweep-config.md.
#include "sweep/run_row.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/rng.hpp"
#include "engine/simulation.hpp"

namespace proteus::sweep {
namespace {

using Clock = std::chrono::steady_clock;

/// Test aids read once from the environment (docs/sweep-config.md); none changes a result.
/// PROTEUS_SWEEP_RUN_DELAY_MS: sleep after every run, so tests can catch a sweep mid-way.
/// PROTEUS_SWEEP_FAIL_ROWS=3,17: those runs throw inside the run (recorded as errors).
/// PROTEUS_SWEEP_CRASH_RANK=r: rank r throws outside any run when it starts simulating.
struct TestAids {
  std::chrono::microseconds delay{0};
  std::set<std::uint64_t> fail_rows;
  int crash_rank = -1;
  std::chrono::microseconds request_gap{0};
};

const TestAids& test_aids() {
  static const TestAids kAids = [] {
    TestAids a;
    if (const char* text = std::getenv("PROTEUS_SWEEP_RUN_DELAY_MS")) {
      a.delay = std::chrono::microseconds(static_cast<long long>(std::atof(text) * 1000.0));
    }
    if (const char* text = std::getenv("PROTEUS_SWEEP_FAIL_ROWS")) {
      std::istringstream list(text);
      for (std::string item; std::getline(list, item, ',');) {
        a.fail_rows.insert(std::stoull(item));
      }
    }
    if (const char* text = std::getenv("PROTEUS_SWEEP_CRASH_RANK")) a.crash_rank = std::atoi(text);
    if (const char* text = std::getenv("PROTEUS_SWEEP_REQUEST_GAP_MS")) {
      a.request_gap = std::chrono::microseconds(static_cast<long long>(std::atof(text) * 1000.0));
    }
    return a;
  }();
  return kAids;
}

}  // namespace

void pause_between_requests_for_test() {
  if (test_aids().request_gap.count() > 0) std::this_thread::sleep_for(test_aids().request_gap);
}

void maybe_crash_for_test(int rank) {
  if (rank == test_aids().crash_rank) {
    throw std::runtime_error("injected crash (PROTEUS_SWEEP_CRASH_RANK)");
  }
}

RunRecord execute_row(const SweepPlan& plan, std::uint64_t row, int rank) {
  const RunId id = run_of(row, plan.repetitions);
  RunRecord record;
  record.row = row;
  record.rank = rank;
  const auto start = Clock::now();
  try {
    if (test_aids().fail_rows.contains(row)) {
      throw std::runtime_error("injected failure (PROTEUS_SWEEP_FAIL_ROWS)");
    }
    const Cell& cell = plan.cells[id.cell];
    engine::RunResult result =
        engine::run_scenario(cell.spec, engine::RunKey{plan.master_seed, id.rep});
    record.status = static_cast<std::uint8_t>(result.status);
    record.seed = result.seed;
    record.events = result.events_processed;
    record.message = std::move(result.message);
    if (result.metrics.size() != cell.metric_columns.size()) {
      record.status = static_cast<std::uint8_t>(engine::RunStatus::kError);
      record.message = fmt::format("run returned {} metrics, its registry has {}",
                                   result.metrics.size(), cell.metric_columns.size());
    } else if (cell.metric_columns.size() == plan.metrics.size()) {
      record.metrics = std::move(result.metrics);  // the cell has every column, in order
    } else {
      // Columns of horizons this cell does not have stay NaN.
      record.metrics.assign(plan.metrics.size(), std::numeric_limits<double>::quiet_NaN());
      for (std::size_t i = 0; i < result.metrics.size(); ++i) {
        record.metrics[cell.metric_columns[i]] = result.metrics[i];
      }
    }
  } catch (const std::exception& e) {
    record.status = static_cast<std::uint8_t>(engine::RunStatus::kError);
    record.seed = engine::repetition_key(plan.master_seed, id.rep);
    record.message = e.what();
    record.metrics.clear();
  }
  if (test_aids().delay.count() > 0) std::this_thread::sleep_for(test_aids().delay);
  record.wall_time_s = std::chrono::duration<double>(Clock::now() - start).count();
  return record;
}

}  // namespace proteus::sweep
