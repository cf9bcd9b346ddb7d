// Achieved precision of a summary: interval half-width, absolute and relative to the mean,
// checked against a target so a report can say whether enough repetitions were run.
#pragma once

#include <cstdint>
#include <limits>

#include "stats/summary.hpp"

namespace proteus::stats {

/// Targets on the half-width; an infinite target is no constraint.
struct PrecisionTarget {
  double absolute = std::numeric_limits<double>::infinity();  ///< max half-width
  double relative = std::numeric_limits<double>::infinity();  ///< max half-width / |mean|
};

/// Achieved precision of one summary and its verdict against a target.
struct Precision {
  double half_width = 0.0;  ///< (ci_high - ci_low) / 2; NaN for n = 1
  double relative = 0.0;    ///< half_width / |mean|: +inf for mean 0, NaN for 0/0 or n = 1
  bool target_met = false;  ///< both targets met; false whenever a compared value is NaN
  /// Repetitions the normal approximation n (half_width / h*)^2 says would meet the binding
  /// target h*; equals n when already met, 0 when it cannot be estimated (n = 1, mean 0 with a
  /// relative target only, or an infinite target).
  std::uint64_t repetitions_needed = 0;
};

/// Achieved precision of `summary` against `target`.
Precision achieved_precision(const Summary& summary, const PrecisionTarget& target = {});

}  // namespace proteus::stats
