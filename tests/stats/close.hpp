// Test helper: relative-or-absolute closeness for floating-point comparisons with references.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace proteus::stats::testing {

/// Passes when |actual - expected| <= tolerance * max(1, |expected|).
inline ::testing::AssertionResult is_close(double actual, double expected, double tolerance) {
  const double scale = std::max(1.0, std::fabs(expected));
  if (std::fabs(actual - expected) <= tolerance * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " vs expected " << expected << " (difference "
         << actual - expected << ", tolerance " << tolerance * scale << ")";
}

}  // namespace proteus::stats::testing
