// Readable range checks for command-line options (docs/runbook.md lists the ranges).
#include "app/option_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "engine/config.hpp"

namespace proteus::app {

CLI::Validator integer_in(std::uint64_t lo, std::uint64_t hi) {
  const std::string range = fmt::format("[{}, {}]", lo, hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
          return c >= '0' && c <= '9';
        });
        if (!digits || ec != std::errc{} || ptr != end || value < lo || value > hi) {
          return fmt::format("must be an integer in {}, got {}", range,
                             engine::quote_excerpt(text, 40));
        }
        return {};
      },
      fmt::format("INT in {}", range));
}

CLI::Validator finite_in(double lo, double hi) {
  const std::string range = fmt::format("[{}, {}]", lo, hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        double value = 0.0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value) ||
            value < lo || value > hi) {
          return fmt::format("must be a number in {}, got {}", range,
                             engine::quote_excerpt(text, 40));
        }
        return {};
      },
      fmt::format("NUMBER in {}", range));
}

CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return text.empty() ? std::string("must not be empty") : std::string();
      },
      "NON-EMPTY");
}

}  // namespace proteus::app
