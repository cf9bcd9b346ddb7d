// Holm and Benjamini-Hochberg adjustments; ties keep input order (stable sort).
#include "stats/multiple.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "stats/error.hpp"

namespace proteus::stats {

namespace {

void require_p_values(std::span<const double> p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
      throw InvalidInput("p-value adjustment: value at index " + std::to_string(i) +
                         " is not a probability in [0, 1] (got " + std::to_string(p[i]) + ")");
    }
  }
}

std::vector<std::size_t> ascending_order(std::span<const double> p) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  return order;
}

}  // namespace

std::vector<double> holm_adjust(std::span<const double> p_values) {
  require_p_values(p_values);
  const std::vector<std::size_t> order = ascending_order(p_values);
  const auto m = static_cast<double>(p_values.size());
  std::vector<double> adjusted(p_values.size());
  double running_max = 0.0;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const double scaled = std::min(1.0, (m - static_cast<double>(rank)) * p_values[order[rank]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[rank]] = running_max;
  }
  return adjusted;
}

std::vector<double> benjamini_hochberg_adjust(std::span<const double> p_values) {
  require_p_values(p_values);
  const std::vector<std::size_t> order = ascending_order(p_values);
  const auto m = static_cast<double>(p_values.size());
  std::vector<double> adjusted(p_values.size());
  double running_min = 1.0;
  for (std::size_t rank = order.size(); rank-- > 0;) {
    const double scaled = m * p_values[order[rank]] / static_cast<double>(rank + 1);
    running_min = std::min(running_min, scaled);
    adjusted[order[rank]] = running_min;
  }
  return adjusted;
}

std::vector<double> adjust_p_values(std::span<const double> p_values, Adjustment method) {
  switch (method) {
    case Adjustment::kHolm:
      return holm_adjust(p_values);
    case Adjustment::kBenjaminiHochberg:
      return benjamini_hochberg_adjust(p_values);
    case Adjustment::kNone:
      break;
  }
  require_p_values(p_values);
  return {p_values.begin(), p_values.end()};
}

}  // namespace proteus::stats
