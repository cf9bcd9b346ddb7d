// Shard arithmetic for job arrays: parsing "I/N" and the rows a shard owns.
#include "sweep/shard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "sweep/errors.hpp"

namespace proteus::sweep {
namespace {

constexpr std::uint64_t kMaxShards = std::uint64_t{1} << 32;

bool parse_number(std::string_view text, std::uint64_t& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc{} && ptr == end;
}

}  // namespace

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !parse_number(text.substr(0, slash), shard.index) ||
      !parse_number(text.substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.count > kMaxShards || shard.index >= shard.count) {
    throw SweepUsageError(
        fmt::format("--shard {}: expected I/N with 0 <= I < N <= 2^32 (e.g. 0/3, 1/3, 2/3)",
                    std::string(text)));
  }
  return shard;
}

std::string to_text(const Shard& shard) {
  return fmt::format("{}/{}", shard.index, shard.count);
}

std::uint64_t shard_first_rep(const Shard& shard, std::uint64_t repetitions) {
  // floor(I * R / N) without forming I * R: with R = q * N + r it is I * q + floor(I * r / N),
  // and I * r < N^2 stays below 2^64 because parse_shard caps N at 2^32.
  const std::uint64_t q = repetitions / shard.count;
  const std::uint64_t r = repetitions % shard.count;
  return shard.index * q + shard.index * r / shard.count;
}

std::vector<RowRange> shard_rows(const Shard& shard, std::uint64_t cells,
                                 std::uint64_t repetitions) {
  if (shard.count > repetitions) {
    throw SweepUsageError(
        fmt::format("--shard {}: {} shards but only {} repetitions; shards split repetitions, so "
                    "use at most {} shards",
                    to_text(shard), shard.count, repetitions, repetitions));
  }
  std::uint64_t total = 0;
  if (__builtin_mul_overflow(cells, repetitions, &total)) {
    throw SweepUsageError(
        fmt::format("{} cells x {} repetitions does not fit in 64 bits", cells, repetitions));
  }
  const std::uint64_t first = shard_first_rep(shard, repetitions);
  const std::uint64_t last = shard_first_rep(Shard{shard.index + 1, shard.count}, repetitions);
  std::vector<RowRange> rows;
  rows.reserve(cells);
  for (std::uint64_t c = 0; c < cells; ++c) {
    rows.emplace_back(c * repetitions + first, c * repetitions + last);
  }
  return rows;
}

std::vector<RowRange> intersect(const std::vector<RowRange>& a, const std::vector<RowRange>& b) {
  std::vector<RowRange> out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const std::uint64_t first = std::max(a[i].first, b[j].first);
    const std::uint64_t last = std::min(a[i].second, b[j].second);
    if (first < last) out.emplace_back(first, last);
    if (a[i].second < b[j].second) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

std::uint64_t row_count(const std::vector<RowRange>& ranges) {
  std::uint64_t n = 0;
  for (const auto& r : ranges) n += r.second - r.first;
  return n;
}

}  // namespace proteus::sweep
