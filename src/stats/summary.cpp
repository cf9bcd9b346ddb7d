// Student-t summary: CI = mean +/- t_{n-1, (1+level)/2} * sd / sqrt(n).
#include "stats/summary.hpp"

#include <cmath>
#include <limits>

#include "stats/distributions.hpp"
#include "stats/error.hpp"

namespace proteus::stats {

Summary summarize(const Moments& moments, double level) {
  require_level(level);
  if (moments.count() == 0) throw InvalidInput("summary: empty sample");
  Summary s;
  s.n = moments.count();
  s.mean = moments.mean();
  s.level = level;
  if (s.n < 2) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    s.sd = s.se = s.ci_low = s.ci_high = kNaN;
    return s;
  }
  s.sd = moments.sd();
  s.se = s.sd / std::sqrt(static_cast<double>(s.n));
  const double half = student_t_critical(static_cast<double>(s.n - 1), level) * s.se;
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

Summary summarize(std::span<const double> xs, double level) {
  require_level(level);
  require_size(xs, 1, "summary");
  return summarize(moments_of(xs), level);
}

}  // namespace proteus::stats
