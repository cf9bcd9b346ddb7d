// Contrasts between a treatment cell (a) and its baseline cell (b): paired by repetition
// (common random numbers) and, for comparison, Welch's unpaired analysis.
#pragma once

#include <cstdint>
#include <span>

namespace proteus::stats {

/// Paired analysis of d_i = a_i - b_i. With n = 1 every dispersion-based field is NaN; with
/// zero variance of d the interval is [mean_diff, mean_diff] and t, d_z follow IEEE division
/// (+/-inf, or NaN when mean_diff is 0 too), p is 0 for infinite t and NaN for NaN t.
struct PairedContrast {
  std::uint64_t n = 0;
  double mean_diff = 0.0;  ///< mean(a - b)
  double sd_diff = 0.0;    ///< sample sd of a - b
  double se = 0.0;         ///< sd_diff / sqrt(n)
  double df = 0.0;         ///< n - 1
  double t = 0.0;          ///< mean_diff / se
  double p_value = 0.0;    ///< two-sided, Student t with n - 1 df (scipy.stats.ttest_rel)
  double ci_low = 0.0;     ///< mean_diff - t_{n-1,(1+level)/2} se
  double ci_high = 0.0;
  double d_z = 0.0;  ///< Cohen's d_z = mean_diff / sd_diff
  double vrf = 0.0;  ///< (var(a) + var(b)) / var(a - b): what pairing bought over independence
  double level = 0.95;
};

/// Welch's unequal-variance analysis of mean(a) - mean(b) and Hedges' g. With fewer than two
/// values in either sample, the dispersion-based fields are NaN; with both variances zero the
/// interval is [mean_diff, mean_diff], df is NaN and p follows the paired rule.
struct WelchContrast {
  std::uint64_t n_a = 0;
  std::uint64_t n_b = 0;
  double mean_diff = 0.0;  ///< mean(a) - mean(b)
  double se = 0.0;         ///< sqrt(var(a)/n_a + var(b)/n_b)
  double df = 0.0;         ///< Welch-Satterthwaite degrees of freedom
  double t = 0.0;
  double p_value = 0.0;  ///< two-sided (scipy.stats.ttest_ind with equal_var=False)
  double ci_low = 0.0;
  double ci_high = 0.0;
  double cohens_d = 0.0;  ///< mean_diff / pooled sd, pooled with n_a + n_b - 2 df
  double hedges_g = 0.0;  ///< J(n_a + n_b - 2) * cohens_d, J the exact gamma-function factor
  double level = 0.95;
};

/// Paired contrast of a against b aligned by repetition; throws InvalidInput on NaN/inf, empty
/// input, different lengths or a level outside (0, 1).
PairedContrast paired_contrast(std::span<const double> a, std::span<const double> b,
                               double level = 0.95);

/// Welch contrast of a against b (lengths may differ); throws InvalidInput on NaN/inf, an empty
/// sample or a level outside (0, 1).
WelchContrast welch_contrast(std::span<const double> a, std::span<const double> b,
                             double level = 0.95);

}  // namespace proteus::stats
