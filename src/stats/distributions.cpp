// Boost.Math-backed distribution functions (default policy: domain errors throw).
#include "stats/distributions.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>

namespace proteus::stats {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double normal_cdf(double z) {
  if (std::isnan(z)) return kNaN;
  if (std::isinf(z)) return z > 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::normal_distribution<double>(), z);
}

double normal_quantile(double p) {
  if (std::isnan(p)) return kNaN;
  if (p <= 0.0) return -kInf;
  if (p >= 1.0) return kInf;
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

double student_t_quantile(double df, double p) {
  if (std::isnan(df) || std::isnan(p)) return kNaN;
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

double student_t_two_sided_p(double t, double df) {
  if (std::isnan(t) || std::isnan(df)) return kNaN;
  if (std::isinf(t)) return 0.0;
  const boost::math::students_t_distribution<double> dist(df);
  // The complement keeps precision for large |t| (no 1 - cdf cancellation).
  return 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
}

double student_t_critical(double df, double level) {
  if (std::isnan(df)) return kNaN;
  const boost::math::students_t_distribution<double> dist(df);
  return boost::math::quantile(boost::math::complement(dist, (1.0 - level) / 2.0));
}

double hedges_correction(double df) {
  if (!(df > 1.0)) return kNaN;
  // Hedges (1981): J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)). Boost's
  // tgamma_delta_ratio(a, d) = Gamma(a) / Gamma(a + d) forms the ratio without either gamma,
  // which would overflow for m > 340.
  const double ratio = boost::math::tgamma_delta_ratio((df - 1.0) / 2.0, 0.5);
  return 1.0 / (ratio * std::sqrt(df / 2.0));
}

}  // namespace proteus::stats
