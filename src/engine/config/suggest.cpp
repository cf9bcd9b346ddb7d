// Did-you-mean: the nearest key or allowed value by optimal-string-alignment distance.
#include "engine/config/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "engine/config/toml_text.hpp"

namespace proteus::engine::detail {
namespace {

std::string join_choices(Choices choices) {
  std::string out;
  for (std::string_view c : choices) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::optional<std::string_view> closest(std::string_view word,
                                        std::span<const std::string> candidates) {
  // The distance table is word.size() x candidate.size(): a megabyte-long value would cost
  // gigabytes, and no key or allowed value is anywhere near this long.
  constexpr std::size_t kMaxWord = 64;
  if (word.size() > kMaxWord) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    const std::size_t limit = std::max<std::size_t>(2, std::min(word.size(), c.size()) / 3);
    if (dist <= limit && dist < std::max(word.size(), c.size()) && dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

std::optional<std::string_view> closest(std::string_view word, Choices candidates) {
  std::vector<std::string> owned(candidates.begin(), candidates.end());
  const auto found = closest(word, owned);
  if (!found) return std::nullopt;
  return *std::find(candidates.begin(), candidates.end(), *found);
}

/// Why `value` is not one of the allowed values of enumerated key `e`, with a suggestion.
std::optional<std::string> choice_error(const Entry& e, std::string_view value) {
  if (e.choices.empty() ||
      std::find(e.choices.begin(), e.choices.end(), value) != e.choices.end()) {
    return std::nullopt;
  }
  std::string message = fmt::format("{} = {} is not one of the allowed values: {}", e.key,
                                    quote_excerpt(value), join_choices(e.choices));
  if (auto near = closest(value, e.choices)) {
    message += fmt::format(" (did you mean {}?)", quote_string(*near));
  }
  return message;
}

}  // namespace proteus::engine::detail
