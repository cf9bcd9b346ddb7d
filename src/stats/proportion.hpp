// Intervals for proportions (market-maker survival, kill-switch probability): Wilson score.
#pragma once

#include <cstdint>

namespace proteus::stats {

/// A proportion with its Wilson (1927) score interval, without continuity correction.
struct Proportion {
  std::uint64_t successes = 0;  ///< k
  std::uint64_t trials = 0;     ///< n
  double estimate = 0.0;        ///< successes / trials
  double ci_low = 0.0;          ///< exactly 0 when successes = 0
  double ci_high = 0.0;         ///< exactly 1 when successes = trials
  double level = 0.95;
};

/// Wilson interval (center +/- half) / (1 + z^2/n) with z = Phi^-1((1 + level) / 2), as
/// scipy.stats.binomtest(k, n).proportion_ci(method="wilson"); throws InvalidInput when
/// trials = 0, successes > trials or level is not in (0, 1).
Proportion wilson_interval(std::uint64_t successes, std::uint64_t trials, double level = 0.95);

}  // namespace proteus::stats
