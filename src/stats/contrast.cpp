// Paired t, Welch t, Cohen's d_z, Hedges' g (exact J) and the variance-reduction factor.
#include "stats/contrast.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "stats/distributions.hpp"
#include "stats/error.hpp"
#include "stats/moments.hpp"

namespace proteus::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// p-value when the standard error is zero: the difference is exact, so t is +/-inf (p = 0)
// or 0/0 (p undefined).
double p_for_zero_se(double t) {
  return std::isinf(t) ? 0.0 : kNaN;
}

}  // namespace

PairedContrast paired_contrast(std::span<const double> a, std::span<const double> b, double level) {
  require_level(level);
  require_size(a, 1, "paired contrast (a)");
  if (a.size() != b.size()) {
    throw InvalidInput("paired contrast: samples must be aligned by repetition, got " +
                       std::to_string(a.size()) + " and " + std::to_string(b.size()) + " values");
  }
  require_finite(a, "paired contrast (a)");
  require_finite(b, "paired contrast (b)");

  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  const Moments md = moments_of(d);

  PairedContrast c;
  c.level = level;
  c.n = md.count();
  c.mean_diff = md.mean();
  c.df = static_cast<double>(c.n) - 1.0;
  if (c.n < 2) {
    c.sd_diff = c.se = c.t = c.p_value = c.ci_low = c.ci_high = c.d_z = c.vrf = kNaN;
    return c;
  }
  c.sd_diff = md.sd();
  c.se = c.sd_diff / std::sqrt(static_cast<double>(c.n));
  c.t = c.mean_diff / c.se;
  c.d_z = c.mean_diff / c.sd_diff;
  c.vrf = (moments_of(a).variance() + moments_of(b).variance()) / md.variance();
  if (c.se == 0.0) {
    c.p_value = p_for_zero_se(c.t);
    c.ci_low = c.ci_high = c.mean_diff;
    return c;
  }
  c.p_value = student_t_two_sided_p(c.t, c.df);
  const double half = student_t_critical(c.df, level) * c.se;
  c.ci_low = c.mean_diff - half;
  c.ci_high = c.mean_diff + half;
  return c;
}

WelchContrast welch_contrast(std::span<const double> a, std::span<const double> b, double level) {
  require_level(level);
  require_size(a, 1, "welch contrast (a)");
  require_size(b, 1, "welch contrast (b)");
  const Moments ma = moments_of(a);
  const Moments mb = moments_of(b);

  WelchContrast c;
  c.level = level;
  c.n_a = ma.count();
  c.n_b = mb.count();
  c.mean_diff = ma.mean() - mb.mean();
  if (c.n_a < 2 || c.n_b < 2) {
    c.se = c.df = c.t = c.p_value = c.ci_low = c.ci_high = c.cohens_d = c.hedges_g = kNaN;
    return c;
  }
  const auto na = static_cast<double>(c.n_a);
  const auto nb = static_cast<double>(c.n_b);
  const double qa = ma.variance() / na;
  const double qb = mb.variance() / nb;
  c.se = std::sqrt(qa + qb);
  // Welch (1947) / Satterthwaite (1946) degrees of freedom.
  c.df = (qa + qb) * (qa + qb) / (qa * qa / (na - 1.0) + qb * qb / (nb - 1.0));
  c.t = c.mean_diff / c.se;
  const double pooled_df = na + nb - 2.0;
  const double pooled_sd = std::sqrt((ma.m2() + mb.m2()) / pooled_df);
  c.cohens_d = c.mean_diff / pooled_sd;
  c.hedges_g = hedges_correction(pooled_df) * c.cohens_d;
  if (c.se == 0.0) {
    c.df = kNaN;
    c.p_value = p_for_zero_se(c.t);
    c.ci_low = c.ci_high = c.mean_diff;
    return c;
  }
  c.p_value = student_t_two_sided_p(c.t, c.df);
  const double half = student_t_critical(c.df, level) * c.se;
  c.ci_low = c.mean_diff - half;
  c.ci_high = c.mean_diff + half;
  return c;
}

}  // namespace proteus::stats
