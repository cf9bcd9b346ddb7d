// Per-sample summary of one cell and metric: n, mean, sd, standard error, Student-t interval.
#pragma once

#include <cstdint>
#include <span>

#include "stats/moments.hpp"

namespace proteus::stats {

/// What a report prints per cell and metric. For n = 1, sd, se and the interval are NaN.
struct Summary {
  std::uint64_t n = 0;
  double mean = 0.0;
  double sd = 0.0;       ///< sample standard deviation (divisor n - 1)
  double se = 0.0;       ///< sd / sqrt(n)
  double ci_low = 0.0;   ///< mean - t_{n-1,(1+level)/2} se
  double ci_high = 0.0;  ///< mean + t_{n-1,(1+level)/2} se
  double level = 0.95;
};

/// Summarises reduced moments; throws InvalidInput when empty or when level is not in (0, 1).
/// Zero variance gives sd = se = 0 and the degenerate interval [mean, mean].
Summary summarize(const Moments& moments, double level = 0.95);

/// Summarises a column (canonical moments_of reduction); throws InvalidInput on NaN/inf or empty.
Summary summarize(std::span<const double> xs, double level = 0.95);

}  // namespace proteus::stats
