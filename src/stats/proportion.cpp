// Wilson score interval (Wilson 1927; Newcombe 1998, method 3).
#include "stats/proportion.hpp"

#include <cmath>
#include <string>

#include "stats/distributions.hpp"
#include "stats/error.hpp"

namespace proteus::stats {

Proportion wilson_interval(std::uint64_t successes, std::uint64_t trials, double level) {
  require_level(level);
  if (trials == 0) throw InvalidInput("wilson interval: no trials");
  if (successes > trials) {
    throw InvalidInput("wilson interval: " + std::to_string(successes) + " successes exceed " +
                       std::to_string(trials) + " trials");
  }
  const auto n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z = normal_quantile((1.0 + level) / 2.0);
  const double z2 = z * z;
  // (p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
  const double denom = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
  Proportion r;
  r.successes = successes;
  r.trials = trials;
  r.estimate = p;
  r.level = level;
  r.ci_low = successes == 0 ? 0.0 : center - half;
  r.ci_high = successes == trials ? 1.0 : center + half;
  return r;
}

}  // namespace proteus::stats
