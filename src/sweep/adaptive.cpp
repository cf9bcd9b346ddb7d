// Adaptive precision: rank 0 evaluates each finished block from the panel and broadcasts
// whether (and to how many repetitions) the panel grows; every rank then runs the next block.
#include "sweep/adaptive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <limits>
#include <set>

#include "engine/config.hpp"
#include "sweep/errors.hpp"
#include "sweep/interrupt.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_grow.hpp"

namespace proteus::sweep {
namespace {

/// Broadcast codes after a block: stop, go on to the next block, or rank 0 failed.
constexpr std::uint64_t kStop = 0;
constexpr std::uint64_t kNext = 1;
constexpr std::uint64_t kFailed = 2;

/// Default cap: this many times the first block's repetitions.
constexpr std::uint64_t kDefaultCapFactor = 16;

}  // namespace

PrecisionGoal parse_goal(std::string_view text) {
  PrecisionGoal goal;
  std::string_view rest = text;
  if (rest.starts_with("contrast:")) {
    goal.contrast = true;
    rest.remove_prefix(std::string_view("contrast:").size());
  }
  const auto eq = rest.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == rest.size()) {
    throw SweepUsageError(
        fmt::format("--target {}: expected METRIC=HALFWIDTH or contrast:METRIC=HALFWIDTH", text));
  }
  goal.metric = std::string(rest.substr(0, eq));
  const std::string number(rest.substr(eq + 1));
  char* end = nullptr;
  goal.half_width = std::strtod(number.c_str(), &end);
  if (end == number.c_str() || *end != '\0' || !std::isfinite(goal.half_width) ||
      !(goal.half_width > 0.0)) {
    throw SweepUsageError(fmt::format(
        "--target {}: the half-width must be a positive finite number, got \"{}\"", text, number));
  }
  return goal;
}

std::string to_text(const PrecisionGoal& goal) {
  return fmt::format("{}{}={}", goal.contrast ? "contrast:" : "", goal.metric, goal.half_width);
}

std::vector<GoalPrecision> evaluate_goals(const std::filesystem::path& panel,
                                          const std::vector<PrecisionGoal>& goals,
                                          std::uint64_t repetitions, double level) {
  if (goals.empty()) return {};
  ReportOptions options;
  options.level = level;
  options.adjust = stats::Adjustment::kNone;
  options.repetitions = repetitions;
  std::set<std::string> seen;
  for (const auto& g : goals) {
    if (seen.insert(g.metric).second) options.metrics.push_back(g.metric);
  }
  const Report report = compute_report(panel, options);
  std::vector<GoalPrecision> out;
  for (const auto& goal : goals) {
    auto judge = [&](GoalPrecision& p, double low, double high) {
      p.half_width = (high - low) / 2.0;
      p.target = goal.half_width;
      p.met = p.n == 0 || p.half_width <= goal.half_width;
      out.push_back(std::move(p));
    };
    if (goal.contrast) {
      for (const auto& c : report.contrasts) {
        if (c.metric != goal.metric) continue;
        GoalPrecision p{goal.metric, true, c.cell, c.baseline_cell, c.label, c.paired.n};
        judge(p, c.paired.ci_low, c.paired.ci_high);
      }
    } else {
      for (const auto& s : report.summary) {
        if (s.metric != goal.metric) continue;
        GoalPrecision p{goal.metric, false, s.cell, 0, s.label, s.summary.n};
        judge(p, s.summary.ci_low, s.summary.ci_high);
      }
    }
  }
  return out;
}

BlockPrecision block_precision(std::uint64_t block, std::uint64_t repetitions,
                               const std::vector<GoalPrecision>& cells) {
  BlockPrecision b;
  b.block = block;
  b.repetitions = repetitions;
  b.total = cells.size();
  b.max_half_width = std::nan("");
  for (const auto& c : cells) {
    b.meeting += c.met ? 1 : 0;
    if (c.n == 0) continue;
    const double ratio = std::isfinite(c.half_width) ? c.half_width / c.target
                                                     : std::numeric_limits<double>::infinity();
    b.max_ratio = std::max(b.max_ratio, ratio);
    if (c.metric == cells.front().metric && c.contrast == cells.front().contrast &&
        std::isfinite(c.half_width)) {
      b.max_half_width =
          std::isnan(b.max_half_width) ? c.half_width : std::max(b.max_half_width, c.half_width);
    }
  }
  return b;
}

std::uint64_t BlockSchedule::repetitions(std::uint64_t k) const {
  const std::uint64_t steps = (cap - first + block - 1) / block;
  return k >= steps ? cap : first + k * block;
}

std::uint64_t BlockSchedule::block_of(std::uint64_t reps) const {
  if (reps == cap) return (cap - first + block - 1) / block;
  if (reps >= first && reps < cap && (reps - first) % block == 0) return (reps - first) / block;
  throw SweepUsageError(fmt::format(
      "the panel holds {} repetitions per cell, which is not a block of this schedule (first {}, "
      "block {}, cap {}); give the --block and cap it was grown with, or start over with "
      "--overwrite",
      reps, first, block, cap));
}

AdaptiveResult run_adaptive_sweep(const MpiSession& mpi, const AdaptiveOptions& options) {
  const InterruptScope interrupts;  // a signal between blocks stops before the next one
  AdaptiveResult result;
  std::string base_text;
  std::string source = options.sweep.sweep_file.string();
  std::uint64_t start = 0;
  std::uint64_t start_reps = 0;  // the panel's repetitions when it is beyond the schedule
  std::uint64_t code = kNext;
  std::exception_ptr failure;
  if (mpi.rank() == 0) {
    try {
      base_text = options.sweep.config_text.empty()
                      ? engine::read_config_file(options.sweep.sweep_file)
                      : options.sweep.config_text;
      const SweepPlan plan = parse_sweep(base_text, source);
      BlockSchedule& s = result.schedule;
      s.first = plan.repetitions;
      s.block = options.block > 0 ? options.block : plan.repetitions;
      s.cap = options.cap > 0 ? options.cap
                              : std::min(kMaxRepetitions, plan.repetitions * kDefaultCapFactor);
      if (s.cap < s.first) {
        throw SweepUsageError(
            fmt::format("the cap on repetitions ({}) is below the first block's "
                        "{} repetitions",
                        s.cap, s.first));
      }
      if (!options.goals.empty() && s.cap > kMaxRepetitions) {
        throw SweepUsageError(
            fmt::format("the cap on repetitions ({}) is above {}", s.cap, kMaxRepetitions));
      }
      if (options.sweep.resume && panel_exists(options.sweep.out)) {
        std::string stored;
        try {
          stored = read_panel_config(options.sweep.out);
        } catch (const std::exception&) {
          // damaged: run_sweep's resume rebuilds it or says why not
        }
        const auto reps = repetitions_only_change(stored, base_text);
        if (reps && *reps > s.first) {
          if (options.goals.empty()) {
            start_reps = *reps;
          } else {
            start = s.block_of(*reps);
          }
        }
      }
    } catch (const std::exception&) {
      failure = std::current_exception();
      code = kFailed;
    }
  }
  mpi.broadcast(code);
  if (failure) std::rethrow_exception(failure);
  if (code == kFailed) {
    result.sweep.outcome = SweepOutcome::kPeerFailed;
    result.sweep.peer_input_error = true;
    return result;
  }
  for (std::uint64_t k = start;; ++k) {
    SweepOptions block = options.sweep;
    if (mpi.rank() == 0) {
      result.repetitions = start_reps > 0 ? start_reps : result.schedule.repetitions(k);
      block.config_text = with_repetitions(base_text, source, result.repetitions);
      result.config_text = block.config_text;
    }
    if (k > start) {
      block.resume = true;
      block.overwrite = false;
    }
    result.sweep = run_sweep(mpi, block);
    if (result.sweep.outcome == SweepOutcome::kPeerFailed) return result;
    code = kStop;
    if (mpi.rank() == 0 && result.sweep.outcome == SweepOutcome::kComplete &&
        !options.goals.empty()) {
      try {
        for (std::uint64_t j = result.trace.size(); j <= k; ++j) {
          const std::uint64_t reps = result.schedule.repetitions(j);
          auto cells = evaluate_goals(options.sweep.out, options.goals, reps, options.level);
          result.trace.push_back(block_precision(j, reps, cells));
          if (options.on_block) options.on_block(result.trace.back());
          if (j == k) result.achieved = std::move(cells);
        }
        const bool all_met = std::all_of(result.achieved.begin(), result.achieved.end(),
                                         [](const GoalPrecision& p) { return p.met; });
        if (!all_met && result.repetitions < result.schedule.cap) code = kNext;
        result.capped = !all_met && result.repetitions >= result.schedule.cap;
        if (code == kNext && InterruptScope::interrupted()) {
          code = kStop;
          result.sweep.outcome = SweepOutcome::kInterrupted;
        }
      } catch (const std::exception&) {
        failure = std::current_exception();
        code = kFailed;
      }
    }
    mpi.broadcast(code);
    if (failure) std::rethrow_exception(failure);
    if (code != kNext) break;
  }
  return result;
}

}  // namespace proteus::sweep
