// Input validation shared by every stats entry point: reject, never silently drop.
#include "stats/error.hpp"

#include <cmath>

namespace proteus::stats {

void require_finite(std::span<const double> values, std::string_view what) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidInput(std::string(what) + ": " + (std::isnan(values[i]) ? "NaN" : "infinite") +
                         " value at index " + std::to_string(i) +
                         " (missing values must be removed explicitly before reduction)");
    }
  }
}

void require_size(std::span<const double> values, std::size_t minimum, std::string_view what) {
  if (values.size() < minimum) {
    throw InvalidInput(std::string(what) + ": needs at least " + std::to_string(minimum) +
                       " value(s), got " + std::to_string(values.size()));
  }
}

void require_level(double level) {
  if (!(level > 0.0 && level < 1.0)) {
    throw InvalidInput("confidence level must lie strictly between 0 and 1, got " +
                       std::to_string(level));
  }
}

}  // namespace proteus::stats
