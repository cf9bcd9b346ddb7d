// Shard arithmetic: which rows shard I of N owns, parsing "I/N", range intersection.
#include "sweep/shard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sweep/errors.hpp"

namespace proteus::sweep {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(ShardRows, SplitsTwelveRepetitionsIntoBlocksOfFourInEveryCell) {
  // 3 cells x 12 repetitions; shard 1/3 owns repetitions 4..7 of every cell.
  EXPECT_THAT(shard_rows(Shard{1, 3}, 3, 12), ElementsAre(Pair(4, 8), Pair(16, 20), Pair(28, 32)));
}

TEST(ShardRows, GivesUnevenBlocksByFloorOfIndexTimesRepetitionsOverCount) {
  // 10 repetitions over 3 shards: floor(0)=0, floor(10/3)=3, floor(20/3)=6, 10.
  EXPECT_THAT(shard_rows(Shard{0, 3}, 1, 10), ElementsAre(Pair(0, 3)));
  EXPECT_THAT(shard_rows(Shard{1, 3}, 1, 10), ElementsAre(Pair(3, 6)));
  EXPECT_THAT(shard_rows(Shard{2, 3}, 2, 10), ElementsAre(Pair(6, 10), Pair(16, 20)));
}

TEST(ShardFirstRep, StaysExactWhereIndexTimesRepetitionsWouldOverflow) {
  // 2^63 / 3 = 3074457345618258602.67 and 2 * 2^63 / 3 = 6148914691236517205.33.
  constexpr std::uint64_t kReps = std::uint64_t{1} << 63;
  EXPECT_EQ(shard_first_rep(Shard{1, 3}, kReps), 3074457345618258602u);
  EXPECT_EQ(shard_first_rep(Shard{2, 3}, kReps), 6148914691236517205u);
}

TEST(ShardRows, CoverEveryRowExactlyOnceAcrossShards) {
  constexpr std::uint64_t kCells = 5;
  constexpr std::uint64_t kReps = 7;
  std::vector<int> owners(kCells * kReps, 0);
  for (std::uint64_t i = 0; i < 4; ++i) {
    for (const auto& [first, last] : shard_rows(Shard{i, 4}, kCells, kReps)) {
      for (auto row = first; row < last; ++row) ++owners[row];
    }
  }
  EXPECT_THAT(owners, ::testing::Each(1));
}

TEST(ShardRows, RefusesMoreShardsThanRepetitions) {
  EXPECT_THROW(shard_rows(Shard{0, 13}, 4, 12), SweepUsageError);
  EXPECT_THAT(shard_rows(Shard{11, 12}, 1, 12), ElementsAre(Pair(11, 12)));
}

TEST(ParseShard, ReadsIndexSlashCount) {
  EXPECT_EQ(parse_shard("2/3"), (Shard{2, 3}));
  EXPECT_EQ(parse_shard("0/1"), (Shard{0, 1}));
}

TEST(ParseShard, RejectsIndexOutOfRangeAndMalformedText) {
  for (const char* text : {"3/3", "1/0", "1", "a/3", "1/3x", "-1/3", "/3", "1/"}) {
    EXPECT_THROW(parse_shard(text), SweepUsageError) << text;
  }
}

TEST(Intersect, KeepsOnlyRowsInBothLists) {
  const std::vector<RowRange> pending{{0, 5}, {7, 9}, {20, 30}};
  const std::vector<RowRange> owned{{4, 8}, {16, 20}, {28, 32}};
  EXPECT_THAT(intersect(pending, owned), ElementsAre(Pair(4, 5), Pair(7, 8), Pair(28, 30)));
  EXPECT_EQ(row_count(intersect(pending, owned)), 4u);
}

}  // namespace
}  // namespace proteus::sweep
