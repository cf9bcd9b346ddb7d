// Deterministic exp/log: Cody-Waite range reduction and fixed polynomial evaluation.
#include "engine/detmath.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace proteus::engine {
namespace {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (Cody & Waite, 1980).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;

// Adding and subtracting 1.5 * 2^52 rounds |t| < 2^51 to the nearest integer, ties to even:
// what nearbyint does in the default rounding mode, without the library call.
double round_to_int(double t) {
  constexpr double kShift = 0x1.8p52;
  return (t + kShift) - kShift;
}

// 2^k for a normal exponent, -1022 <= k <= 1023.
double pow2(int k) {
  return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

}  // namespace

double det_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r with |r| <= ln2 / 2; exp(r) by its Taylor series to r^14 (error < 1e-17),
  // as 1 + (r + r^2 P(r)) with P(r) = sum r^j / (j + 2)!, j = 0..12, evaluated by Estrin's
  // scheme (a short dependency chain; all terms of P are small next to the leading 1 + r).
  const double kd = round_to_int(x * kInvLn2);
  const int k = static_cast<int>(kd);
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double r8 = r4 * r4;
  const double a0 = 1.0 / 2.0 + r * (1.0 / 6.0);
  const double a1 = 1.0 / 24.0 + r * (1.0 / 120.0);
  const double a2 = 1.0 / 720.0 + r * (1.0 / 5040.0);
  const double a3 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
  const double a4 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
  const double a5 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
  const double a6 = 1.0 / 87178291200.0;
  const double b0 = a0 + r2 * a1;
  const double b1 = a2 + r2 * a3;
  const double b2 = a4 + r2 * a5;
  const double d0 = b0 + r4 * b1;
  const double d1 = b2 + r4 * a6;
  const double p = 1.0 + (r + r2 * (d0 + r8 * d1));
  // p * 2^k rounds once, like ldexp, whenever 2^k itself is a normal number.
  if (k >= -1022 && k <= 1023) return p * pow2(k);
  return std::ldexp(p, k);
}

double det_log(double x) {
  if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = 0.0;  // x = m 2^e, m in [0.5, 1), as frexp gives it
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased = static_cast<int>(bits >> 52);  // sign is 0 here
  if (biased != 0) {
    e = biased - 1022;
    m = std::bit_cast<double>((bits & 0x000F'FFFF'FFFF'FFFFu) | (std::uint64_t{1022} << 52));
  } else {
    m = std::frexp(x, &e);  // subnormal
  }
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    --e;
  }
  // log(m) = 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.1716: odd series to f^25.
  const double f = (m - 1.0) / (m + 1.0);
  const double f2 = f * f;
  // s = sum f2^j / (2j + 1), j = 0..12, as 1 + f2 S(f2) with S by Estrin's scheme.
  const double f4 = f2 * f2;
  const double f8 = f4 * f4;
  const double a0 = 1.0 / 3.0 + f2 * (1.0 / 5.0);
  const double a1 = 1.0 / 7.0 + f2 * (1.0 / 9.0);
  const double a2 = 1.0 / 11.0 + f2 * (1.0 / 13.0);
  const double a3 = 1.0 / 15.0 + f2 * (1.0 / 17.0);
  const double a4 = 1.0 / 19.0 + f2 * (1.0 / 21.0);
  const double a5 = 1.0 / 23.0 + f2 * (1.0 / 25.0);
  const double b0 = a0 + f4 * a1;
  const double b1 = a2 + f4 * a3;
  const double b2 = a4 + f4 * a5;
  const double s = 1.0 + f2 * ((b0 + f8 * b1) + (f8 * f8) * b2);
  const double log_m = 2.0 * f * s;
  const double ed = e;
  return ed * kLn2Hi + (log_m + ed * kLn2Lo);
}

double det_log1p(double x) {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  // Correct for the rounding of 1 + x (Goldberg, "What every computer scientist...", Thm 4).
  return det_log(u) * (x / (u - 1.0));
}

double det_sigmoid(double x) {
  // 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, with e = e^-|x| <= 1 either way;
  // written without a branch on the sign, which a latent log-odds near 0 flips at random.
  const double e = det_exp(-std::fabs(x));
  // num = x >= 0 ? 1 : e, as a bit select (compilers keep a conditional on doubles a branch).
  const std::uint64_t one = -static_cast<std::uint64_t>(x >= 0.0);  // all ones when x >= 0
  const auto num = std::bit_cast<double>((std::bit_cast<std::uint64_t>(1.0) & one) |
                                         (std::bit_cast<std::uint64_t>(e) & ~one));
  return num / (1.0 + e);
}

double det_logit(double p) {
  return det_log(p) - det_log1p(-p);
}

}  // namespace proteus::engine
