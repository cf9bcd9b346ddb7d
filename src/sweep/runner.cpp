// Dynamic MPI scheduling of (cell, rep) runs. Protocol (docs/scaling.md): each worker keeps
// two requests open; every result message asks for one more batch; the coordinator answers
// each request with a batch of contiguous rows or with "stop" (an empty batch).
#include "sweep/runner.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/config.hpp"
#include "engine/rng.hpp"
#include "engine/simulation.hpp"
#include "sweep/errors.hpp"
#include "sweep/interrupt.hpp"
#include "sweep/mpi_check.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_grow.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/run_row.hpp"
#include "sweep/sweep_config.hpp"
#include "sweep/watchdog.hpp"

namespace proteus::sweep {

/// Boost.Serialization of a result row (found by ADL).
template <class Archive>
void serialize(Archive& ar, RunRecord& r, const unsigned /*version*/) {
  ar& r.row& r.status& r.seed& r.events& r.wall_time_s& r.rank& r.metrics& r.message;
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kTagResults = 1;
constexpr int kTagAssign = 2;
/// Requests a worker keeps open: one batch queued while another runs. Each request gets one
/// reply; a worker leaves after a stop reply to each, so it is done after this many stops.
constexpr int kOpenRequests = 2;
constexpr std::uint64_t kMaxBatch = 4096;
constexpr double kTargetBatchSeconds = 0.1;
constexpr std::size_t kFlushRows = 1 << 16;

/// Rows [first, first + count) to simulate; count 0 means stop.
struct Assignment {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& first& count;
  }
};

/// The results of one assignment (empty for the opening requests).
struct ResultBatch {
  std::vector<RunRecord> records;
  double compute_s = 0.0;
  template <class Archive>
  void serialize(Archive& ar, const unsigned /*version*/) {
    ar& records& compute_s;
  }
};

template <class T>
std::string pack(const T& value) {
  std::ostringstream os(std::ios::binary);
  {
    boost::archive::binary_oarchive ar(os, boost::archive::no_header);
    ar << value;
  }
  return std::move(os).str();
}

template <class T>
T unpack(const std::string& bytes) {
  std::istringstream is(bytes, std::ios::binary);
  boost::archive::binary_iarchive ar(is, boost::archive::no_header);
  T value;
  ar >> value;
  return value;
}

void send(const std::string& bytes, int dest, int tag) {
  check_mpi(
      MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD),
      "send");
}

/// Receives the message announced by `status` (from a probe).
std::string receive(const MPI_Status& probed) {
  int size = 0;
  check_mpi(MPI_Get_count(&probed, MPI_BYTE, &size), "get count");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  check_mpi(MPI_Recv(bytes.data(), size, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "receive");
  return bytes;
}

/// Broadcasts a string from rank 0.
void broadcast(std::string& text) {
  std::uint64_t size = text.size();
  check_mpi(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "broadcast size");
  text.resize(size);
  if (size > 0) {
    check_mpi(MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD),
              "broadcast text");
  }
}

/// Rank 0's checks before any run; throws on the first problem.
PanelWriter prepare(const SweepPlan& plan, const SweepOptions& options, int ranks) {
  if (options.resume && options.overwrite) {
    throw SweepUsageError("--resume and --overwrite exclude each other");
  }
  const auto violations = check_parity(plan);
  if (!violations.empty()) {
    throw SweepUsageError(fmt::format(
        "treatment parity violated in {}: contrasted cells differ outside the treatment axes: {}",
        plan.source, fmt::join(describe(plan, violations), "; ")));
  }
  // Refuses more shards than repetitions before any file is touched.
  if (options.shard) shard_rows(*options.shard, plan.cells.size(), plan.repetitions);
  if (options.resume && !options.shard && panel_exists(options.out)) {
    std::string stored;
    try {
      stored = read_panel_config(options.out);
    } catch (const std::exception&) {
      // A damaged panel: PanelWriter::resume rebuilds it from its journal or says why not.
    }
    const auto old_reps = repetitions_only_change(stored, plan.config_text);
    if (old_reps && *old_reps != plan.repetitions) grow_panel(options.out, plan, ranks);
  }
  if (options.resume) return PanelWriter::resume(options.out, plan, ranks, options.shard);
  if (panel_exists(options.out) && !options.overwrite) {
    throw SweepUsageError(
        fmt::format("{} exists; pass --overwrite to replace it or --resume to finish it",
                    options.out.string()));
  }
  return PanelWriter::create(options.out, plan, ranks, options.shard);
}

/// Rank 0: hands out batches, simulates between messages, writes rows at their index.
class Coordinator {
 public:
  Coordinator(const SweepPlan& plan, const SweepOptions& options, PanelWriter& writer, int ranks)
      : plan_(plan),
        options_(options),
        writer_(writer),
        outstanding_(static_cast<std::size_t>(ranks), 0),
        stops_(static_cast<std::size_t>(ranks), 0) {
    std::vector<RowRange> pending = writer.pending_ranges();
    total_ = plan.total_runs();
    if (options.shard) {
      const auto owned = shard_rows(*options.shard, plan.cells.size(), plan.repetitions);
      pending = intersect(pending, owned);
      total_ = row_count(owned);
    }
    for (const auto& range : pending) {
      todo_.push_back(range);
      remaining_ += range.second - range.first;
    }
    done_ = total_ - remaining_;
    workers_left_ = ranks - 1;
  }

  SweepSummary run() {
    start_ = Clock::now();
    last_flush_ = last_progress_ = start_;
    Assignment own;
    while (true) {
      if (InterruptScope::interrupted() && !stop_) {
        stop_ = true;
        interrupted_ = true;
      }
      if (stop_) own.count = 0;
      if (own.count == 0 && !stop_ && !todo_.empty()) own = next_batch();
      if (own.count > 0) {
        maybe_crash_for_test(0);
        RunRecord record = execute_row(plan_, own.first, 0);
        ++own.first;
        --own.count;
        note_run_time(record.wall_time_s);
        accept(std::vector<RunRecord>{std::move(record)});
        poll(false);
      } else {
        if (workers_left_ == 0) break;
        poll(true);
      }
      housekeeping(false);
    }
    writer_.close(!interrupted_ && !failed_fast_ && done_ == total_);
    report(true);
    SweepSummary summary;
    summary.total = total_;
    summary.done = done_;
    summary.failed = failed_;
    summary.outcome = interrupted_   ? SweepOutcome::kInterrupted
                      : failed_fast_ ? SweepOutcome::kFailedFast
                                     : SweepOutcome::kComplete;
    return summary;
  }

 private:
  /// Batch size: about kTargetBatchSeconds of work, shrinking towards the end so the last
  /// batches spread over all ranks (guided self-scheduling).
  Assignment next_batch() {
    std::uint64_t size = options_.batch;
    if (size == 0) {
      size = run_time_s_ > 0 ? static_cast<std::uint64_t>(kTargetBatchSeconds / run_time_s_) : 1;
      const std::uint64_t ranks = outstanding_.size();
      size = std::clamp<std::uint64_t>(size, 1, kMaxBatch);
      size = std::min<std::uint64_t>(size, std::max<std::uint64_t>(1, remaining_ / (2 * ranks)));
    }
    RowRange& front = todo_.front();
    Assignment a{front.first, std::min(size, front.second - front.first)};
    front.first += a.count;
    if (front.first == front.second) todo_.pop_front();
    remaining_ -= a.count;
    return a;
  }

  void note_run_time(double seconds) {
    run_time_s_ = run_time_s_ > 0 ? 0.9 * run_time_s_ + 0.1 * seconds : seconds;
  }

  void accept(std::vector<RunRecord> records) {
    for (const auto& r : records) {
      ++done_;
      ++session_done_;
      if (r.status != schema::kStatusOk) {
        ++failed_;
        if (options_.fail_fast) {
          stop_ = true;
          failed_fast_ = true;
        }
      }
    }
    writer_.add(std::move(records));
  }

  /// Serves worker messages; with `wait`, sleeps briefly when none is there.
  void poll(bool wait) {
    while (true) {
      int flag = 0;
      MPI_Status status;
      check_mpi(MPI_Iprobe(MPI_ANY_SOURCE, kTagResults, MPI_COMM_WORLD, &flag, &status), "probe");
      if (flag == 0) {
        if (wait) std::this_thread::sleep_for(std::chrono::microseconds(200));
        return;
      }
      serve(status);
      wait = false;
    }
  }

  void serve(const MPI_Status& probed) {
    const int worker = probed.MPI_SOURCE;
    auto batch = unpack<ResultBatch>(receive(probed));
    auto& outstanding = outstanding_[static_cast<std::size_t>(worker)];
    if (!batch.records.empty()) {
      --outstanding;
      note_run_time(batch.compute_s / static_cast<double>(batch.records.size()));
      accept(std::move(batch.records));
    }
    Assignment reply;
    if (!stop_ && !todo_.empty()) reply = next_batch();
    send(pack(reply), worker, kTagAssign);
    if (reply.count > 0) {
      ++outstanding;
    } else if (++stops_[static_cast<std::size_t>(worker)] == kOpenRequests) {
      // Every open request of this worker is answered: it sends nothing more in this sweep.
      // Not before: a request left unanswered would be read by the next sweep on these ranks
      // (the next block of an adaptive sweep), while the worker still runs this one's plan.
      --workers_left_;
    }
  }

  void housekeeping(bool force) {
    const auto now = Clock::now();
    if (force || writer_.buffered() >= kFlushRows ||
        std::chrono::duration<double>(now - last_flush_).count() >= options_.flush_interval_s) {
      writer_.flush();
      last_flush_ = now;
    }
    if (std::chrono::duration<double>(now - last_progress_).count() >= 0.2) {
      report(false);
      last_progress_ = now;
    }
  }

  void report(bool final) {
    if (!options_.progress) return;
    Progress p;
    p.done = done_;
    p.total = total_;
    p.failed = failed_;
    p.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
    p.runs_per_s = p.elapsed_s > 0 ? static_cast<double>(session_done_) / p.elapsed_s : 0.0;
    p.final = final;
    options_.progress(p);
  }

  const SweepPlan& plan_;
  const SweepOptions& options_;
  PanelWriter& writer_;
  std::deque<RowRange> todo_;
  std::vector<int> outstanding_;
  std::vector<int> stops_;  // stop replies sent to each worker
  int workers_left_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t remaining_ = 0;
  std::uint64_t done_ = 0;
  std::uint64_t session_done_ = 0;
  std::uint64_t failed_ = 0;
  double run_time_s_ = 0.0;
  bool stop_ = false;
  bool interrupted_ = false;
  bool failed_fast_ = false;
  Clock::time_point start_;
  Clock::time_point last_flush_;
  Clock::time_point last_progress_;
};

/// Ranks > 0: kOpenRequests requests open at all times so a batch is queued while one runs.
void work(const SweepPlan& plan, int rank) {
  std::string in_flight = pack(ResultBatch{});
  MPI_Request request = MPI_REQUEST_NULL;
  for (int i = 0; i < kOpenRequests; ++i) {
    if (i > 0) pause_between_requests_for_test();
    send(in_flight, 0, kTagResults);
  }
  int open = kOpenRequests;
  while (open > 0) {
    MPI_Status status;
    check_mpi(MPI_Probe(0, kTagAssign, MPI_COMM_WORLD, &status), "probe");
    const auto a = unpack<Assignment>(receive(status));
    --open;
    if (a.count == 0) continue;
    maybe_crash_for_test(rank);
    ResultBatch batch;
    const auto start = Clock::now();
    for (std::uint64_t row = a.first; row < a.first + a.count; ++row) {
      batch.records.push_back(execute_row(plan, row, rank));
    }
    batch.compute_s = std::chrono::duration<double>(Clock::now() - start).count();
    check_mpi(MPI_Wait(&request, MPI_STATUS_IGNORE), "wait");
    in_flight = pack(batch);
    check_mpi(MPI_Isend(in_flight.data(), static_cast<int>(in_flight.size()), MPI_BYTE, 0,
                        kTagResults, MPI_COMM_WORLD, &request),
              "isend");
    ++open;
  }
  check_mpi(MPI_Wait(&request, MPI_STATUS_IGNORE), "wait");
}

}  // namespace

SweepSummary run_sweep(const MpiSession& mpi, const SweepOptions& options) {
  InterruptScope guard;
  start_orphan_watchdog(mpi.rank());
  // Rank 0 checks everything first and tells the others whether to go on, so a bad config
  // never leaves ranks waiting.
  std::string text;
  std::optional<SweepPlan> plan;
  std::optional<PanelWriter> writer;
  std::exception_ptr failure;
  enum Verdict : int { kGo = 0, kInputError = 1, kRuntimeError = 2 };
  int verdict = kGo;
  if (mpi.rank() == 0) {
    try {
      text = options.config_text.empty() ? engine::read_config_file(options.sweep_file)
                                         : options.config_text;
      plan = load_sweep(text, options.sweep_file.string());
      writer.emplace(prepare(*plan, options, mpi.size()));
      if (options.notice && !writer->recovery().empty()) options.notice(writer->recovery());
    } catch (const engine::ConfigError&) {
      failure = std::current_exception();
      verdict = kInputError;
    } catch (const SweepUsageError&) {
      failure = std::current_exception();
      verdict = kInputError;
    } catch (...) {
      failure = std::current_exception();
      verdict = kRuntimeError;
    }
  }
  if (mpi.size() > 1) {
    check_mpi(MPI_Bcast(&verdict, 1, MPI_INT, 0, MPI_COMM_WORLD), "broadcast verdict");
  }
  if (failure) std::rethrow_exception(failure);
  if (verdict != kGo) {
    SweepSummary summary;
    summary.outcome = SweepOutcome::kPeerFailed;
    summary.peer_input_error = verdict == kInputError;
    return summary;
  }
  if (mpi.size() > 1) broadcast(text);
  if (mpi.rank() != 0) {
    // The text is the one rank 0 validated, so this cannot fail differently.
    const SweepPlan worker_plan = load_sweep(text, options.sweep_file.string());
    work(worker_plan, mpi.rank());
    return {};
  }
  Coordinator coordinator(*plan, options, *writer, mpi.size());
  return coordinator.run();
}

}  // namespace proteus::sweep
