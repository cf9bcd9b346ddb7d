// The few distribution functions the stats layer needs, computed by Boost.Math.
// Boost stays out of this header so that callers do not compile it.
#pragma once

namespace proteus::stats {

/// Standard normal CDF Phi(z); Phi(-inf) = 0, Phi(+inf) = 1.
double normal_cdf(double z);

/// Standard normal quantile Phi^-1(p) for 0 < p < 1; -inf at p = 0 and +inf at p = 1.
double normal_quantile(double p);

/// Quantile of Student's t with `df` > 0 degrees of freedom (df may be fractional, as Welch's).
double student_t_quantile(double df, double p);

/// Two-sided p-value P(|T| >= |t|) for Student's t with `df` > 0; 0 for infinite t, NaN for NaN.
double student_t_two_sided_p(double t, double df);

/// Critical value t_{df, (1 + level) / 2} of a two-sided interval at confidence `level`.
double student_t_critical(double df, double level);

/// Hedges' exact small-sample factor J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)), df > 1.
double hedges_correction(double df);

}  // namespace proteus::stats
