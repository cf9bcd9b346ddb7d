// Shards of a sweep for job arrays: shard I of N owns, in every cell, one contiguous block
// of repetitions, so every shard gets the same mix of cells (docs/panel-schema.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proteus::sweep {

/// Half-open row range [first, last).
using RowRange = std::pair<std::uint64_t, std::uint64_t>;

/// Shard `index` of `count` (0 <= index < count).
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
  friend bool operator==(const Shard&, const Shard&) = default;
};

/// Parses "I/N" (e.g. "2/3"); throws SweepUsageError unless 0 <= I < N.
Shard parse_shard(std::string_view text);

/// "I/N".
std::string to_text(const Shard& shard);

/// First repetition of the block shard `index` owns: floor(index * repetitions / count); the
/// block of shard I is [first_rep(I), first_rep(I + 1)).
std::uint64_t shard_first_rep(const Shard& shard, std::uint64_t repetitions);

/// Rows the shard owns, ascending: for every cell c, [c * R + first_rep(I), c * R +
/// first_rep(I + 1)). Throws SweepUsageError when count > repetitions (a shard would be empty)
/// or when cells * repetitions does not fit in 64 bits.
std::vector<RowRange> shard_rows(const Shard& shard, std::uint64_t cells,
                                 std::uint64_t repetitions);

/// Rows in both ascending, non-overlapping range lists.
std::vector<RowRange> intersect(const std::vector<RowRange>& a, const std::vector<RowRange>& b);

/// Number of rows in a range list.
std::uint64_t row_count(const std::vector<RowRange>& ranges);

}  // namespace proteus::sweep
