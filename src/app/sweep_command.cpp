// `proteus sweep` (MPI sweep to an HDF5 panel) and `proteus validate` (print the resolved grid).
#include "app/sweep_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/option_checks.hpp"
#include "engine/config.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/run_limits.hpp"
#include "sweep/adaptive.hpp"
#include "sweep/errors.hpp"
#include "sweep/mpi_session.hpp"
#include "sweep/runner.hpp"
#include "sweep/shard.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::app {
namespace {

/// Largest --batch: a batch of runs travels as one message and waits in memory on its rank.
constexpr std::uint64_t kMaxBatch = 100'000;
/// --flush-seconds range: at least a millisecond, at most a day.
constexpr double kMinFlushSeconds = 0.001;
constexpr double kMaxFlushSeconds = 86'400.0;

struct SweepArgs {
  std::string sweep_file;
  std::string out;
  bool overwrite = false;
  bool resume = false;
  bool fail_fast = false;
  bool quiet = false;
  std::string shard;  ///< "I/N", empty for the whole sweep
  std::uint64_t batch = 0;
  double flush_seconds = 2.0;
  std::vector<std::string> targets;   ///< --target METRIC=H | contrast:METRIC=H
  std::uint64_t block = 0;            ///< --block: repetitions added per block
  std::uint64_t max_repetitions = 0;  ///< --max-repetitions: the cap
};

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long long s = std::llround(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

/// Progress on stderr: a live bar on a terminal, otherwise a plain line every 10 s.
class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(isatty(STDERR_FILENO) != 0) {}

  void operator()(const sweep::Progress& p) {
    const double eta =
        p.runs_per_s > 0 ? static_cast<double>(p.total - p.done) / p.runs_per_s : std::nan("");
    const std::string stats = fmt::format("{}/{} runs  {:.0f} runs/s  ETA {}  failed {}", p.done,
                                          p.total, p.runs_per_s, clock_text(eta), p.failed);
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = p.total > 0 ? static_cast<int>(kWidth * p.done / p.total) : kWidth;
      fmt::print(stderr, "\r[{:#<{}}{:.<{}}] {}\x1b[K", "", filled, "", kWidth - filled, stats);
      if (p.final) fmt::print(stderr, "\n");
      std::fflush(stderr);
    } else if (p.final || p.elapsed_s >= next_line_s_) {
      fmt::print(stderr, "progress: {}  elapsed {}\n", stats, clock_text(p.elapsed_s));
      next_line_s_ = p.elapsed_s + 10.0;
    }
  }

 private:
  bool tty_;
  double next_line_s_ = 10.0;
};

void print_error(const std::string& what) {
  fmt::print(stderr, "error: {}\n", what);
}

int run_sweep_command(const SweepArgs& args) {
  sweep::MpiSession mpi;
  sweep::SweepOptions options;
  options.sweep_file = args.sweep_file;
  options.out = args.out;
  options.overwrite = args.overwrite;
  options.resume = args.resume;
  options.fail_fast = args.fail_fast;
  options.batch = args.batch;
  options.flush_interval_s = args.flush_seconds;
  if (!args.shard.empty()) {
    try {
      options.shard = sweep::parse_shard(args.shard);
    } catch (const sweep::SweepUsageError& e) {
      // Every rank parses the same argument, so every rank stops here; rank 0 says why.
      if (mpi.rank() == 0) return report_error(e);
      return exit_code_of(e);
    }
  }
  options.notice = [](const std::string& text) { fmt::print(stderr, "note: {}\n", text); };
  auto printer = std::make_shared<ProgressPrinter>();
  if (mpi.rank() == 0 && !args.quiet)
    options.progress = [printer](const auto& p) { (*printer)(p); };
  sweep::AdaptiveOptions adaptive;
  try {
    for (const auto& t : args.targets) adaptive.goals.push_back(sweep::parse_goal(t));
    if (!adaptive.goals.empty() && options.shard) {
      throw UsageError("--target grows the whole panel; it cannot run one --shard");
    }
  } catch (const std::exception& e) {
    if (mpi.rank() == 0) return report_error(e);
    return exit_code_of(e);
  }
  adaptive.block = args.block;
  adaptive.cap = args.max_repetitions;
  if (mpi.rank() == 0) {
    adaptive.on_block = [](const sweep::BlockPrecision& b) {
      fmt::print(stderr,
                 "precision: block {} ({} repetitions): {}/{} targets met, max half-width / target "
                 "{:.3g}\n",
                 b.block, b.repetitions, b.meeting, b.total, b.max_ratio);
    };
  }
  try {
    sweep::SweepSummary summary;
    if (adaptive.goals.empty()) {
      summary = sweep::run_sweep(mpi, options);
    } else {
      adaptive.sweep = options;
      const sweep::AdaptiveResult result = sweep::run_adaptive_sweep(mpi, adaptive);
      summary = result.sweep;
      if (mpi.rank() == 0 && summary.outcome == sweep::SweepOutcome::kComplete) {
        for (const auto& p : result.achieved) {
          if (!p.met) {
            fmt::print(stderr,
                       "precision: cap: cell {} ({}) {}{}: half-width {:.4g} > {} at n = {}\n",
                       p.cell, p.label, p.contrast ? "contrast " : "", p.metric, p.half_width,
                       p.target, p.n);
          }
        }
        fmt::print(stderr, "precision: {} at {} repetitions per cell\n",
                   result.capped ? "cap reached with targets unmet" : "every target met",
                   result.repetitions);
      }
    }
    if (mpi.rank() != 0) {
      if (summary.outcome != sweep::SweepOutcome::kPeerFailed) return kExitOk;
      return summary.peer_input_error ? kExitUsage : kExitRuntime;
    }
    switch (summary.outcome) {
      case sweep::SweepOutcome::kInterrupted:
        print_error(fmt::format("interrupted: {}/{} runs in {}; finish with --resume", summary.done,
                                summary.total, args.out));
        return kExitInterrupted;
      case sweep::SweepOutcome::kFailedFast:
        print_error(fmt::format("--fail-fast: a run failed (see /errors in {})", args.out));
        return kExitRuntime;
      default:
        break;
    }
    if (summary.failed > 0) {
      fmt::print(stderr, "warning: {} of {} runs failed (status and /errors in {})\n",
                 summary.failed, summary.total, args.out);
    }
    return kExitOk;
  } catch (const std::exception& e) {
    const int code = exit_code_of(e);
    if (code == kExitUsage || mpi.size() == 1) return report_error(e);
    // A failure during the run on one of several ranks: name the rank and end the whole job.
    report_error(e, fmt::format("rank {}", mpi.rank()));
    mpi.abort(code);
  }
}

std::string axis_text(const sweep::Axis& axis) {
  std::vector<std::string> points;
  for (const auto& point : axis.points) {
    std::vector<std::string> values;
    values.reserve(point.size());
    for (const auto& v : point) values.push_back(sweep::to_text(v));
    points.push_back(values.size() == 1 ? values.front()
                                        : fmt::format("({})", fmt::join(values, ", ")));
  }
  const std::string keys = axis.keys.size() == 1
                               ? axis.keys.front()
                               : fmt::format("zip({})", fmt::join(axis.keys, ", "));
  return fmt::format("{}{}: {}{}", axis.mechanism.empty() ? "" : "[" + axis.mechanism + " only] ",
                     keys, fmt::join(points, ", "), axis.treatment ? "  (treatment)" : "");
}

int run_validate_command(const std::string& file) {
  try {
    const sweep::SweepPlan plan = sweep::load_sweep_file(file);
    fmt::print("sweep {} ({})\n", plan.name, file);
    fmt::print("master_seed {}, repetitions {}, environment {}\n", plan.master_seed,
               plan.repetitions, plan.environment);
    fmt::print("axes ({}):\n", plan.axes.size());
    for (const auto& axis : plan.axes) fmt::print("  {}\n", axis_text(axis));
    if (!plan.baseline.empty()) {
      std::vector<std::string> parts;
      for (const auto& b : plan.baseline) parts.push_back(b.key + " = " + sweep::to_text(b.value));
      fmt::print("baseline: {}\n", fmt::join(parts, ", "));
    }
    fmt::print("cells ({}):\n", plan.cells.size());
    for (std::size_t c = 0; c < plan.cells.size(); ++c) {
      fmt::print("  {:>4}  {}  [{}]\n", c, plan.cells[c].label, plan.cells[c].mechanism);
    }
    fmt::print("runs: {} ({} cells x {} repetitions)\n", plan.total_runs(), plan.cells.size(),
               plan.repetitions);
    fmt::print("estimated memory per rank for the grid: {:.1f} MiB (limit {} MiB)\n",
               static_cast<double>(plan.grid_bytes) / (1 << 20), sweep::kMaxGridBytes >> 20);
    double most_events = 0.0;
    for (const auto& cell : plan.cells) {
      most_events = std::max(most_events, engine::estimate_events(cell.spec).total);
    }
    fmt::print("estimated events per run: at most {:.3g} (limit {:.0e})\n", most_events,
               engine::kMaxEventsPerRun);
    const auto violations = sweep::check_parity(plan);
    if (violations.empty()) {
      fmt::print("parity: ok\n");
    } else {
      fmt::print("parity: VIOLATED\n");
      for (const auto& line : sweep::describe(plan, violations)) fmt::print("  {}\n", line);
    }
    // cell, rep (4 + 4), seed, events (8 + 8), status (1), metrics, wall time (8), rank (4).
    const std::size_t metrics = plan.metrics.size();
    const double bytes = static_cast<double>(plan.total_runs()) *
                         static_cast<double>(4 + 4 + 8 + 8 + 1 + 8 * metrics + 8 + 4);
    fmt::print("estimated panel size: {:.1f} MB before compression ({} rows x {} columns)\n",
               bytes / 1e6, plan.total_runs(), 5 + metrics);
    if (!violations.empty()) {
      print_error(
          fmt::format("treatment parity violated in {} ({} differences)", file, violations.size()));
      return kExitUsage;
    }
    return kExitOk;
  } catch (const engine::ConfigError& e) {
    return report_error(e);
  }
}

}  // namespace

void add_sweep_commands(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sweep = app.add_subcommand("sweep", "Run a parameter sweep (MPI) into an HDF5 panel");
  sweep->add_option("SWEEP.toml", args->sweep_file, "Sweep file (scenario + [sweep] + [grid])")
      ->required();
  sweep->add_option("--out", args->out, "Panel file to write (HDF5)")
      ->required()
      ->check(non_empty());
  auto* overwrite = sweep->add_flag("--overwrite", args->overwrite, "Replace an existing panel");
  sweep
      ->add_flag("--resume", args->resume,
                 "Finish the pending runs of an existing panel (grown first when only "
                 "sweep.repetitions rose)")
      ->excludes(overwrite);
  sweep->add_flag("--fail-fast", args->fail_fast, "Stop at the first failed run");
  sweep->add_flag("--quiet", args->quiet, "No progress output");
  sweep->add_option("--shard", args->shard,
                    "Run only shard I of N (I/N, 0-based): repetition block I of every cell; "
                    "join shards with `proteus merge`");
  sweep->add_option("--batch", args->batch, "Runs per batch (default: adaptive)")
      ->check(integer_in(1, kMaxBatch));
  sweep
      ->add_option("--flush-seconds", args->flush_seconds,
                   "Write finished rows to disk at least this often (default 2)")
      ->check(finite_in(kMinFlushSeconds, kMaxFlushSeconds));
  sweep
      ->add_option("--target", args->targets,
                   "METRIC=HALFWIDTH (every cell's interval) or contrast:METRIC=HALFWIDTH: run "
                   "repetitions in blocks, growing the panel, until met (repeatable)")
      ->allow_extra_args(false);
  sweep
      ->add_option("--block", args->block,
                   "With --target: repetitions added per block (default: sweep.repetitions)")
      ->check(integer_in(1, sweep::kMaxRepetitions));
  sweep
      ->add_option("--max-repetitions", args->max_repetitions,
                   "With --target: cap on repetitions per cell (default 16 x sweep.repetitions)")
      ->check(integer_in(1, sweep::kMaxRepetitions));
  sweep->callback([args, &exit_code] { exit_code = run_sweep_command(*args); });

  auto file = std::make_shared<std::string>();
  CLI::App* validate =
      app.add_subcommand("validate", "Print the resolved grid of a sweep file and check parity");
  validate->add_option("SWEEP.toml", *file, "Sweep file")->required();
  validate->callback([file, &exit_code] { exit_code = run_validate_command(*file); });
}

}  // namespace proteus::app
