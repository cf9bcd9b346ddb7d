// Bootstrap percentile and BCa intervals (Efron & Tibshirani 1993, ch. 13-14), deterministic
// given a seed through a counter-based SplitMix64 owned by this library.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace proteus::stats {

/// Output number `index` (0-based) of SplitMix64 (Steele, Lea & Flood 2014) started from state
/// `seed`: the mix of seed + (index + 1) * 0x9E3779B97F4A7C15, so any draw is computed directly.
std::uint64_t splitmix64(std::uint64_t seed, std::uint64_t index);

/// Maps a 64-bit draw to [0, bound) as floor(draw * bound / 2^64) (Lemire 2019 without the
/// rejection step; bias below bound / 2^64). bound must be positive.
std::uint64_t bounded_index(std::uint64_t draw, std::uint64_t bound);

/// A statistic of a sample, e.g. the mean; must be a pure function of the values.
using Statistic = std::function<double(std::span<const double>)>;

/// Arithmetic mean by the canonical moments reduction (the default bootstrap statistic).
double mean_statistic(std::span<const double> xs);

/// Statistic of `resamples` resamples with replacement: element j of resample r is
/// xs[bounded_index(splitmix64(seed, r * n + j), n)]. Throws InvalidInput on NaN/inf or empty.
std::vector<double> bootstrap_distribution(std::span<const double> xs, const Statistic& statistic,
                                           std::uint64_t resamples, std::uint64_t seed);

/// Leave-one-out values: element i is the statistic of xs without xs[i]; needs n >= 2.
std::vector<double> jackknife(std::span<const double> xs, const Statistic& statistic);

/// A closed interval [low, high].
struct Interval {
  double low = 0.0;
  double high = 0.0;
};

/// Percentile interval: type-7 quantiles of the bootstrap distribution at (1 -/+ level) / 2.
Interval percentile_interval(std::span<const double> bootstrap_values, double level = 0.95);

/// A BCa interval with the quantities it was built from.
struct BcaInterval {
  Interval interval;          ///< NaN bounds when z0 is infinite or a is undefined
  double z0 = 0.0;            ///< bias correction
  double acceleration = 0.0;  ///< a from the jackknife
  double alpha_low = 0.0;     ///< adjusted lower percentile (a probability)
  double alpha_high = 0.0;    ///< adjusted upper percentile
};

/// BCa interval from a given bootstrap distribution, the full-sample estimate and jackknife
/// values: z0 = Phi^-1((#{b < est} + #{b <= est}) / 2B) (ties counted half, as SciPy),
/// a = sum d^3 / (6 (sum d^2)^1.5) with d = mean(jack) - jack_i, and
/// alpha_k = Phi(z0 + (z0 + z_k) / (1 - a (z0 + z_k))) for z_k = Phi^-1((1 -/+ level) / 2).
BcaInterval bca_interval(std::span<const double> bootstrap_values, double estimate,
                         std::span<const double> jackknife_values, double level = 0.95);

/// How bootstrap() resamples.
struct BootstrapOptions {
  std::uint64_t resamples = 10000;  ///< B, at least 1
  std::uint64_t seed = 0;           ///< SplitMix64 seed; same seed, same distribution
  double level = 0.95;              ///< confidence level in (0, 1)
};

/// The estimate with both intervals (n >= 2 is required for the jackknife).
struct BootstrapResult {
  double estimate = 0.0;  ///< the statistic of the full sample
  Interval percentile;
  BcaInterval bca;
};

/// Percentile and BCa intervals of `statistic` on xs; same seed, same bits. Throws InvalidInput
/// on NaN/inf, fewer than 2 values, zero resamples or a level outside (0, 1).
BootstrapResult bootstrap(std::span<const double> xs, const Statistic& statistic,
                          const BootstrapOptions& options);

}  // namespace proteus::stats
