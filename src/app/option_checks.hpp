// CLI11 validators with readable ranges: each says what it allows and what it got, in one
// short line (no DBL_MAX in 309 digits), and refuses "-1" for unsigned options.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace proteus::app {

/// A decimal integer in [lo, hi], written without sign, point or exponent.
CLI::Validator integer_in(std::uint64_t lo, std::uint64_t hi);

/// A finite number in [lo, hi].
CLI::Validator finite_in(double lo, double hi);

/// A non-empty string (an empty path would be a file named "").
CLI::Validator non_empty();

}  // namespace proteus::app
