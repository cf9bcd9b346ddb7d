// The one exception type of proteus::stats: invalid input (NaN, empty sample, bad level).
// Callers such as `proteus report` catch it at the CLI boundary and print its message.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace proteus::stats {

/// Thrown when input cannot be reduced: a non-finite value, too few values, a level outside (0, 1).
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Throws InvalidInput naming `what` and the first index whose value is NaN or infinite.
void require_finite(std::span<const double> values, std::string_view what);

/// Throws InvalidInput naming `what` unless `values` holds at least `minimum` elements.
void require_size(std::span<const double> values, std::size_t minimum, std::string_view what);

/// Throws InvalidInput unless 0 < level < 1.
void require_level(double level);

}  // namespace proteus::stats
