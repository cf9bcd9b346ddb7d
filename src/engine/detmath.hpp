// Deterministic exp and log built from IEEE +,-,*,/ only, so results are bit-identical
// on every x86_64 machine (glibc's libm picks FMA variants per CPU at load time).
#pragma once

namespace proteus::engine {

/// e^x, within 2 ulp; overflows to +inf above ~709.78 and underflows to 0 below ~-745.
double det_exp(double x);

/// Natural logarithm of x > 0, within 2 ulp; -inf at 0 and NaN for negative input.
double det_log(double x);

/// log(1 + x) for x > -1, accurate near 0.
double det_log1p(double x);

/// Logistic function 1 / (1 + e^-x).
double det_sigmoid(double x);

/// log(p / (1 - p)) for p in (0, 1).
double det_logit(double p);

}  // namespace proteus::engine
