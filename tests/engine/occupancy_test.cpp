// The CLOB's occupied-price set (a two-level bitmap whose words are not initialised) checked
// against std::set through random inserts, erases and searches, on grids whose size is and
// is not a multiple of 64 and 4,096, with elements clustered (several per word) and spread.
#include "engine/mechanisms/occupancy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <set>

#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

std::int64_t below_ref(const std::set<std::int64_t>& s, std::int64_t p) {
  auto it = s.upper_bound(p);
  return it == s.begin() ? -1 : *std::prev(it);
}

std::int64_t above_ref(const std::set<std::int64_t>& s, std::int64_t p, std::int64_t end) {
  auto it = s.lower_bound(p);
  return it == s.end() ? end : *it;
}

void check_grid(std::int64_t size, std::int64_t spread, std::uint32_t seed) {
  Occupancy occ{size};
  std::set<std::int64_t> ref;
  RandomStream r{seed, StreamId::kMechanism, 5};
  const std::int64_t centre = size / 2;
  const std::int64_t end = (size + 63) / 64 * 64;
  ASSERT_EQ(occ.end(), end);
  for (int step = 0; step < 20'000; ++step) {
    // Prices around the centre, so that words fill, empty and fill again.
    const auto offset = static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(2 * spread)));
    const std::int64_t p = std::clamp<std::int64_t>(centre - spread + offset, 0, size - 1);
    if (ref.count(p) != 0 && r.bernoulli(0.6)) {
      occ.erase(p);
      ref.erase(p);
    } else {
      ASSERT_EQ(occ.insert(p), ref.insert(p).second) << "insert " << p << " at step " << step;
    }
    const auto q = static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(size + 200))) - 100;
    ASSERT_EQ(occ.at_or_below(q), below_ref(ref, q)) << "at_or_below " << q << " step " << step;
    if (q >= 0) {
      ASSERT_EQ(occ.at_or_above(q), above_ref(ref, q, end))
          << "at_or_above " << q << " step " << step;
    }
    if (q >= 0 && q < size) {
      ASSERT_EQ(occ.contains(q), ref.count(q) != 0) << "contains " << q << " step " << step;
    }
  }
  // Empty it again: every search then finds nothing.
  for (const std::int64_t p : ref) occ.erase(p);
  EXPECT_EQ(occ.at_or_below(size - 1), -1);
  EXPECT_EQ(occ.at_or_above(0), end);
}

TEST(Occupancy, AgreesWithASetOnSmallAndMillionPriceGrids) {
  check_grid(1'000, 40, 1);           // one summary word, elements packed in words
  check_grid(65'536, 3'000, 2);       // a multiple of 4,096
  check_grid(1'000'000, 50'000, 3);   // the predecessor's 1e-6 grid: sparse
  check_grid(1'000'003, 500'001, 4);  // not a multiple of 64, spread over the whole grid
}

TEST(Occupancy, FindsElementsAcrossManyEmptySummaryWords) {
  Occupancy occ{1'000'000};
  EXPECT_EQ(occ.at_or_below(999'999), -1);
  EXPECT_EQ(occ.at_or_above(0), 1'000'000);
  EXPECT_TRUE(occ.insert(5));
  EXPECT_TRUE(occ.insert(999'998));
  EXPECT_FALSE(occ.insert(5));
  EXPECT_EQ(occ.at_or_below(999'997), 5);
  EXPECT_EQ(occ.at_or_above(6), 999'998);
  EXPECT_EQ(occ.at_or_below(4), -1);
  EXPECT_EQ(occ.at_or_above(999'999), 1'000'000);
  occ.erase(5);
  EXPECT_EQ(occ.at_or_below(999'997), -1);
  EXPECT_FALSE(occ.contains(5));
}

}  // namespace
}  // namespace proteus::engine
