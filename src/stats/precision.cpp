// Half-width arithmetic and the n (h / h*)^2 repetition estimate.
#include "stats/precision.hpp"

#include <algorithm>
#include <cmath>

namespace proteus::stats {

Precision achieved_precision(const Summary& summary, const PrecisionTarget& target) {
  Precision p;
  p.half_width = (summary.ci_high - summary.ci_low) / 2.0;
  p.relative = p.half_width / std::fabs(summary.mean);
  p.target_met = p.half_width <= target.absolute && p.relative <= target.relative;
  if (p.target_met) {
    p.repetitions_needed = summary.n;
    return p;
  }
  // The tightest absolute half-width the targets demand; relative targets scale by |mean|.
  const double wanted = std::min(target.absolute, target.relative * std::fabs(summary.mean));
  if (!std::isfinite(p.half_width) || !(wanted > 0.0) || !std::isfinite(wanted)) return p;
  // Half-width shrinks like 1 / sqrt(n) once t is close to z.
  const double ratio = p.half_width / wanted;
  p.repetitions_needed =
      static_cast<std::uint64_t>(std::ceil(static_cast<double>(summary.n) * ratio * ratio));
  return p;
}

}  // namespace proteus::stats
