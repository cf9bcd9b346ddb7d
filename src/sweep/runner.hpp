// Runs a sweep on every rank of MPI_COMM_WORLD: rank 0 plans, schedules batches
// dynamically, simulates too and writes the panel; other ranks simulate what they are given.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "sweep/mpi_session.hpp"
#include "sweep/shard.hpp"

namespace proteus::sweep {

/// Progress seen by rank 0, passed to SweepOptions::progress.
struct Progress {
  std::uint64_t done = 0;    ///< finished runs, including those of earlier (resumed) sessions
  std::uint64_t total = 0;   ///< runs of the sweep (of the shard, when sharded)
  std::uint64_t failed = 0;  ///< runs of this session whose status is not ok
  double elapsed_s = 0.0;    ///< since this session started running
  double runs_per_s = 0.0;   ///< runs finished in this session per second
  bool final = false;        ///< the last report of the session
};

struct SweepOptions {
  std::filesystem::path sweep_file;
  /// When not empty, the sweep text to run instead of reading sweep_file (which then only
  /// names the source in messages): how adaptive precision runs each block.
  std::string config_text;
  std::filesystem::path out;
  bool overwrite = false;
  bool resume = false;
  bool fail_fast = false;
  std::optional<Shard> shard;  ///< run only this shard's rows (docs/panel-schema.md)
  std::uint64_t batch = 0;     ///< runs per batch; 0 adapts to the measured run time
  double flush_interval_s = 2.0;
  std::function<void(const Progress&)> progress;  ///< rank 0 only; at most ~5 calls per second
  /// Rank 0 only: called once before running when --resume repaired the panel
  /// (PanelWriter::recovery()).
  std::function<void(const std::string&)> notice;
};

/// How a sweep session ended.
enum class SweepOutcome {
  kComplete,     ///< every row finished (some runs may have failed: see failed)
  kFailedFast,   ///< --fail-fast stopped at a failed run; the file is valid and resumable
  kInterrupted,  ///< SIGTERM/SIGINT: finished runs flushed, file closed, resumable
  kPeerFailed,   ///< (ranks > 0) rank 0 failed before running (peer_failure says how); it
                 ///< reports the error itself
};

struct SweepSummary {
  SweepOutcome outcome = SweepOutcome::kComplete;
  std::uint64_t total = 0;  ///< runs of this panel (of the shard, when sharded)
  std::uint64_t done = 0;
  std::uint64_t failed = 0;
  /// With kPeerFailed: whether rank 0's error was bad input (a config or usage error) rather
  /// than a failure of the environment, so every rank can end the same way.
  bool peer_input_error = false;
};

/// Collective over MPI_COMM_WORLD. Rank 0 loads the sweep file and checks it (ConfigError,
/// SweepUsageError for parity, existing output or a changed config on resume) before any
/// run; with a shard, only its rows run and the panel is marked complete when they are done,
/// and --resume refuses a panel written for another shard. --resume with a config that differs
/// from the panel's only by more repetitions grows the panel first (grow_panel). PanelError and
/// MpiError are runtime failures. SIGTERM/SIGINT make it stop handing out work and return
/// kInterrupted after flushing. The caller aborts the job on any exception.
SweepSummary run_sweep(const MpiSession& mpi, const SweepOptions& options);

}  // namespace proteus::sweep
