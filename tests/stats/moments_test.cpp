// Streaming moments: Chan merge agrees with one pass; the ordered reduction is bit-identical
// for every split of a column and every arrival order of its parts.
#include "stats/moments.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "close.hpp"
#include "stats/bootstrap.hpp"
#include "stats/error.hpp"

namespace proteus::stats {
namespace {

using testing::is_close;

// Skewed, offset test data from the library's own counter-based generator.
std::vector<double> column(std::size_t n, std::uint64_t seed) {
  std::vector<double> xs(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(splitmix64(seed, i) >> 11) * 0x1.0p-53;
    xs[i] = 1000.0 + std::exp(4.0 * u) * (i % 3 == 0 ? -1.0 : 1.0);
  }
  return xs;
}

// Mean and variance by the two-pass textbook formula, independent of Welford and Chan.
std::pair<double, double> two_pass(const std::vector<double>& xs) {
  long double sum = 0;
  for (const double x : xs) sum += x;
  const long double mean = sum / static_cast<long double>(xs.size());
  long double ss = 0;
  for (const double x : xs) ss += (x - mean) * (x - mean);
  return {static_cast<double>(mean), static_cast<double>(ss / (xs.size() - 1))};
}

TEST(Moments, WelfordAndChanMergeAgreeWithTwoPassFormula) {
  const std::vector<double> xs = column(10007, 3);
  const auto [mean, variance] = two_pass(xs);
  Moments whole;
  whole.add(xs);
  EXPECT_TRUE(is_close(whole.mean(), mean, 1e-14));
  EXPECT_TRUE(is_close(whole.variance(), variance, 1e-12));
  Moments left;
  Moments right;
  left.add(std::span<const double>(xs).first(3001));
  right.add(std::span<const double>(xs).subspan(3001));
  left.merge(right);
  EXPECT_EQ(left.count(), xs.size());
  EXPECT_TRUE(is_close(left.mean(), mean, 1e-14));
  EXPECT_TRUE(is_close(left.variance(), variance, 1e-12));
  const Moments canonical = moments_of(xs);
  EXPECT_TRUE(is_close(canonical.mean(), mean, 1e-14));
  EXPECT_TRUE(is_close(canonical.variance(), variance, 1e-12));
}

TEST(Moments, MergingEmptyIsIdentity) {
  Moments m;
  m.add(std::vector<double>{1.0, 2.0, 4.0});
  const Moments before = m;
  m.merge(Moments{});
  EXPECT_EQ(std::bit_cast<std::uint64_t>(m.m2()), std::bit_cast<std::uint64_t>(before.m2()));
  Moments empty;
  empty.merge(before);
  EXPECT_EQ(empty.count(), 3u);
  EXPECT_DOUBLE_EQ(empty.mean(), 7.0 / 3.0);
  EXPECT_TRUE(std::isnan(Moments{}.mean()));
  EXPECT_TRUE(std::isnan(Moments::of_value(1.0).variance()));
}

TEST(OrderedMoments, EverySplitAndArrivalOrderGivesIdenticalBits) {
  const std::vector<double> xs = column(5000, 11);
  const Moments reference = moments_of(xs);
  const std::span<const double> all(xs);
  for (std::uint64_t trial = 0; trial < 200; ++trial) {
    // Random cut points (including empty parts), parts handed over in a scrambled order.
    std::vector<std::size_t> cuts = {0, xs.size()};
    const std::uint64_t parts = 1 + splitmix64(trial, 0) % 12;
    for (std::uint64_t k = 0; k < parts; ++k)
      cuts.push_back(splitmix64(trial, k + 1) % (xs.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    std::vector<OrderedMoments> pieces;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      OrderedMoments piece(cuts[k]);
      piece.add(all.subspan(cuts[k], cuts[k + 1] - cuts[k]));
      pieces.push_back(piece);
    }
    std::rotate(pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(trial % pieces.size()),
                pieces.end());
    std::reverse(pieces.begin(), pieces.end() - static_cast<std::ptrdiff_t>(trial % 2));
    const Moments merged = merge_in_repetition_order(pieces);
    ASSERT_EQ(merged.count(), xs.size());
    ASSERT_EQ(std::bit_cast<std::uint64_t>(merged.mean()),
              std::bit_cast<std::uint64_t>(reference.mean()))
        << "trial " << trial;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(merged.m2()),
              std::bit_cast<std::uint64_t>(reference.m2()))
        << "trial " << trial;
  }
}

TEST(OrderedMoments, ValueByValueAndAppendAgreeBitForBit) {
  const std::vector<double> xs = column(777, 5);
  OrderedMoments one_by_one;
  for (const double x : xs) one_by_one.add(x);
  OrderedMoments chunked;
  for (std::size_t start = 0; start < xs.size(); start += 64) {
    OrderedMoments chunk(start);
    chunk.add(
        std::span<const double>(xs).subspan(start, std::min<std::size_t>(64, xs.size() - start)));
    chunked.append(chunk);
  }
  EXPECT_EQ(chunked.end(), xs.size());
  EXPECT_EQ(std::bit_cast<std::uint64_t>(one_by_one.result().m2()),
            std::bit_cast<std::uint64_t>(chunked.result().m2()));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(one_by_one.result().mean()),
            std::bit_cast<std::uint64_t>(chunked.result().mean()));
}

TEST(OrderedMoments, PlainSequentialMergeWouldDependOnTheSplit) {
  // Documents why OrderedMoments exists: left-to-right Chan merges of different splits differ.
  const std::vector<double> xs = column(5000, 11);
  const std::span<const double> all(xs);
  int differing = 0;
  for (std::size_t cut = 1; cut < 200; ++cut) {
    Moments a;
    a.add(all.first(cut));
    Moments b;
    b.add(all.subspan(cut));
    a.merge(b);
    Moments whole;
    whole.add(all);
    differing += std::bit_cast<std::uint64_t>(a.m2()) != std::bit_cast<std::uint64_t>(whole.m2());
  }
  EXPECT_GT(differing, 0);
}

TEST(OrderedMoments, GapsAndOverlapsAreRejected) {
  OrderedMoments first(0);
  first.add(std::vector<double>{1.0, 2.0});
  OrderedMoments gap(3);
  gap.add(4.0);
  OrderedMoments overlap(1);
  overlap.add(2.0);
  EXPECT_THROW(first.append(gap), InvalidInput);
  const std::vector<OrderedMoments> with_gap = {gap, first};
  EXPECT_THROW(merge_in_repetition_order(with_gap), InvalidInput);
  const std::vector<OrderedMoments> with_overlap = {first, overlap};
  EXPECT_THROW(merge_in_repetition_order(with_overlap), InvalidInput);
}

}  // namespace
}  // namespace proteus::stats
