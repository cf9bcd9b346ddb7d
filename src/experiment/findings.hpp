// What an experiment concludes from its report: a verdict per contrasted cell under the
// declared decision rule, significance notes on the secondary endpoints (multiplicity-adjusted),
// difference-in-differences interactions paired by repetition, and the Pareto frontier.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiment/spec.hpp"
#include "sweep/reduction.hpp"

namespace proteus::experiment {

/// A paired effect (cell minus baseline, or a difference in differences).
struct Effect {
  std::string metric;
  std::string units;
  std::uint64_t n = 0;
  double mean_diff = 0.0;
  double ci_low = 0.0;
  double ci_high = 0.0;
  double p_value = 0.0;
  double p_adjusted = 0.0;  ///< NaN unless adjusted within its family
};

/// The decision rule applied to one contrasted cell.
struct Verdict {
  std::uint64_t cell = 0;
  std::uint64_t baseline_cell = 0;
  std::string label;
  std::string baseline_label;
  /// "better", "worse", "inconclusive", "over_budget" (better on the endpoint, budget broken)
  /// or "no_data" (fewer than two usable pairs).
  std::string verdict;
  Effect primary;
  std::optional<Effect> budget;
  double budget_limit = 0.0;
  std::string reason;  ///< the numbers behind the verdict, as one sentence
};

/// A secondary endpoint's contrast with its family-adjusted p-value.
struct SecondaryNote {
  std::uint64_t cell = 0;
  std::uint64_t baseline_cell = 0;
  std::string label;
  Effect effect;
  bool significant = false;  ///< p_adjusted < 1 - level
};

/// (treated - baseline at the last value of the axis) - (the same at its first value).
struct InteractionResult {
  std::string axis;
  std::string label;
  std::uint64_t cell_high = 0, baseline_high = 0, cell_low = 0, baseline_low = 0;
  Effect effect;
  bool significant = false;  ///< the paired interval excludes 0
};

/// One cell of the tradeoff: protection (fall of the protection metric against the baseline,
/// with its paired interval) against error (the cell's mean of the error metric, t-interval).
struct FrontierPoint {
  std::uint64_t cell = 0;
  std::string label;
  double protection = 0.0, protection_low = 0.0, protection_high = 0.0;
  double error = 0.0, error_low = 0.0, error_high = 0.0;
  bool on_front = false;  ///< no other cell has at least as much protection and at most as
                          ///< much error, one of them strictly (point estimates)
};

struct Findings {
  std::vector<Verdict> verdicts;
  std::vector<SecondaryNote> secondary;
  std::vector<InteractionResult> interactions;
  std::vector<FrontierPoint> frontier;  ///< every cell; on_front marks the Pareto set
  std::vector<std::string> notes;
};

/// Metrics the report must reduce for `spec`: primary, budget, secondary, interaction and
/// frontier metrics, each once, in that order.
std::vector<std::string> report_metrics(const ExperimentSpec& spec);

/// Applies the decision rule and the rest to `report` (computed over `panel`, which the
/// interactions read by repetition).
Findings evaluate(const ExperimentSpec& spec, const sweep::Report& report,
                  const std::filesystem::path& panel);

/// The Pareto set of `points` (sets on_front).
void mark_front(std::vector<FrontierPoint>& points);

}  // namespace proteus::experiment
