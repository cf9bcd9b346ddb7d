// Resampling with SplitMix64, jackknife, percentile and BCa intervals.
#include "stats/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "stats/distributions.hpp"
#include "stats/error.hpp"
#include "stats/moments.hpp"
#include "stats/tail.hpp"

namespace proteus::stats {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::uint64_t splitmix64(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t bounded_index(std::uint64_t draw, std::uint64_t bound) {
  // High 64 bits of the 128-bit product draw * bound, from 32-bit halves (ISO C++, no __int128).
  const std::uint64_t d_lo = draw & 0xFFFFFFFFULL;
  const std::uint64_t d_hi = draw >> 32;
  const std::uint64_t b_lo = bound & 0xFFFFFFFFULL;
  const std::uint64_t b_hi = bound >> 32;
  const std::uint64_t lo_lo = d_lo * b_lo;
  const std::uint64_t hi_lo = d_hi * b_lo;
  const std::uint64_t lo_hi = d_lo * b_hi;
  const std::uint64_t hi_hi = d_hi * b_hi;
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFULL) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

double mean_statistic(std::span<const double> xs) {
  return moments_of(xs).mean();
}

std::vector<double> bootstrap_distribution(std::span<const double> xs, const Statistic& statistic,
                                           std::uint64_t resamples, std::uint64_t seed) {
  require_size(xs, 1, "bootstrap");
  require_finite(xs, "bootstrap");
  const std::uint64_t n = xs.size();
  std::vector<double> resample(n);
  std::vector<double> values;
  values.reserve(resamples);
  for (std::uint64_t r = 0; r < resamples; ++r) {
    for (std::uint64_t j = 0; j < n; ++j) {
      resample[j] = xs[bounded_index(splitmix64(seed, r * n + j), n)];
    }
    values.push_back(statistic(resample));
  }
  return values;
}

std::vector<double> jackknife(std::span<const double> xs, const Statistic& statistic) {
  require_size(xs, 2, "jackknife");
  require_finite(xs, "jackknife");
  std::vector<double> rest(xs.size() - 1);
  std::vector<double> values;
  values.reserve(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    std::copy(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(i), rest.begin());
    std::copy(xs.begin() + static_cast<std::ptrdiff_t>(i) + 1, xs.end(),
              rest.begin() + static_cast<std::ptrdiff_t>(i));
    values.push_back(statistic(rest));
  }
  return values;
}

Interval percentile_interval(std::span<const double> bootstrap_values, double level) {
  require_level(level);
  const double alpha = (1.0 - level) / 2.0;
  const std::vector<double> q =
      quantiles(bootstrap_values, std::vector<double>{alpha, 1.0 - alpha});
  return Interval{q[0], q[1]};
}

BcaInterval bca_interval(std::span<const double> bootstrap_values, double estimate,
                         std::span<const double> jackknife_values, double level) {
  require_level(level);
  require_size(bootstrap_values, 1, "bca (bootstrap distribution)");
  require_finite(bootstrap_values, "bca (bootstrap distribution)");
  require_size(jackknife_values, 2, "bca (jackknife values)");
  require_finite(jackknife_values, "bca (jackknife values)");
  if (!std::isfinite(estimate)) throw InvalidInput("bca: estimate is not finite");

  std::vector<double> sorted(bootstrap_values.begin(), bootstrap_values.end());
  std::sort(sorted.begin(), sorted.end());
  const auto below = std::lower_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin();
  const auto at_or_below =
      std::upper_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin();
  BcaInterval bca;
  // Efron (1987) bias correction; ties with the estimate count half, as scipy.stats.bootstrap does.
  bca.z0 = normal_quantile(static_cast<double>(below + at_or_below) /
                           (2.0 * static_cast<double>(sorted.size())));

  // Efron & Tibshirani (1993) ch. 14: acceleration from the jackknife skewness.
  double jack_mean = 0.0;
  for (const double v : jackknife_values) jack_mean += v;
  jack_mean /= static_cast<double>(jackknife_values.size());
  double sum2 = 0.0;
  double sum3 = 0.0;
  for (const double v : jackknife_values) {
    const double d = jack_mean - v;
    sum2 += d * d;
    sum3 += d * d * d;
  }
  bca.acceleration = sum3 / (6.0 * std::pow(sum2, 1.5));

  if (!std::isfinite(bca.z0) || !std::isfinite(bca.acceleration)) {
    bca.alpha_low = bca.alpha_high = kNaN;
    bca.interval = Interval{kNaN, kNaN};
    return bca;
  }
  const auto adjusted = [&](double z) {
    const double num = bca.z0 + z;
    return normal_cdf(bca.z0 + num / (1.0 - bca.acceleration * num));
  };
  const double z_alpha = normal_quantile((1.0 - level) / 2.0);
  bca.alpha_low = adjusted(z_alpha);
  bca.alpha_high = adjusted(-z_alpha);
  bca.interval =
      Interval{quantile_sorted(sorted, bca.alpha_low), quantile_sorted(sorted, bca.alpha_high)};
  return bca;
}

BootstrapResult bootstrap(std::span<const double> xs, const Statistic& statistic,
                          const BootstrapOptions& options) {
  require_level(options.level);
  if (options.resamples == 0) throw InvalidInput("bootstrap: needs at least one resample");
  const std::vector<double> values =
      bootstrap_distribution(xs, statistic, options.resamples, options.seed);
  BootstrapResult result;
  result.estimate = statistic(xs);
  result.percentile = percentile_interval(values, options.level);
  result.bca = bca_interval(values, result.estimate, jackknife(xs, statistic), options.level);
  return result;
}

}  // namespace proteus::stats
