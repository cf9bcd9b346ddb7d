// Multiple-comparison adjustment of the p-values of one report's contrasts.
#pragma once

#include <span>
#include <vector>

namespace proteus::stats {

enum class Adjustment {
  kNone,               ///< p-values unchanged
  kHolm,               ///< Holm (1979) step-down, controls the family-wise error rate
  kBenjaminiHochberg,  ///< Benjamini & Hochberg (1995) step-up, controls the false discovery rate
};

/// Holm-adjusted p-values in input order: sorted ascending, p~_(i) = max_{j<=i} min(1, (m-j+1)
/// p_(j)). Throws InvalidInput for a NaN or a value outside [0, 1].
std::vector<double> holm_adjust(std::span<const double> p_values);

/// BH-adjusted p-values (q-values) in input order: p~_(i) = min_{j>=i} min(1, m p_(j) / j).
/// Throws InvalidInput for a NaN or a value outside [0, 1].
std::vector<double> benjamini_hochberg_adjust(std::span<const double> p_values);

/// Dispatches on `method`; kNone validates and copies.
std::vector<double> adjust_p_values(std::span<const double> p_values, Adjustment method);

}  // namespace proteus::stats
