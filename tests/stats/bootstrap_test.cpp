// Bootstrap determinism, the bounded-index map and the jackknife.
#include "stats/bootstrap.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace proteus::stats {
namespace {

const std::vector<double> kSample = {2.1, 3.4, 1.9, 5.6, 4.4, 2.8, 9.7, 3.3, 2.2, 4.1, 6.0, 1.2};

TEST(Bootstrap, SameSeedGivesIdenticalDistribution) {
  EXPECT_EQ(bootstrap_distribution(kSample, mean_statistic, 300, 7),
            bootstrap_distribution(kSample, mean_statistic, 300, 7));
}

TEST(Bootstrap, DifferentSeedsGiveDifferentDistributions) {
  EXPECT_NE(bootstrap_distribution(kSample, mean_statistic, 300, 7),
            bootstrap_distribution(kSample, mean_statistic, 300, 8));
}

TEST(Bootstrap, MoreResamplesExtendTheSameDrawsWithoutShiftingThem) {
  const std::vector<double> short_run = bootstrap_distribution(kSample, mean_statistic, 50, 3);
  const std::vector<double> long_run = bootstrap_distribution(kSample, mean_statistic, 80, 3);
  EXPECT_TRUE(std::equal(short_run.begin(), short_run.end(), long_run.begin()));
}

TEST(Bootstrap, BoundedIndexIsTheHighWordOfTheProduct) {
  EXPECT_EQ(bounded_index(0, 10), 0u);
  EXPECT_EQ(bounded_index(~std::uint64_t{0}, 10), 9u);
  EXPECT_EQ(bounded_index(std::uint64_t{1} << 63, 10), 5u);
  EXPECT_EQ(bounded_index(std::uint64_t{3} << 62, 4), 3u);
  EXPECT_EQ(bounded_index(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL), 0xFFFFFFFFFFFFFFFEULL);
  EXPECT_EQ(bounded_index(12345, 1), 0u);
}

TEST(Bootstrap, JackknifeOfTheMeanLeavesEachValueOutOnce) {
  // {1,2,3,6}: leave-one-out means 11/3, 10/3, 3, 2.
  EXPECT_THAT(jackknife(std::vector<double>{1, 2, 3, 6}, mean_statistic),
              ::testing::Pointwise(::testing::DoubleEq(), {11.0 / 3.0, 10.0 / 3.0, 3.0, 2.0}));
}

TEST(Bootstrap, IntervalsBracketTheEstimateAndBcaShiftsTowardTheLongTail) {
  BootstrapOptions options;
  options.resamples = 4000;
  options.seed = 99;
  const BootstrapResult r = bootstrap(kSample, mean_statistic, options);
  EXPECT_LT(r.percentile.low, r.estimate);
  EXPECT_GT(r.percentile.high, r.estimate);
  EXPECT_LT(r.bca.interval.low, r.estimate);
  EXPECT_GT(r.bca.interval.high, r.estimate);
  // The sample is right-skewed (9.7): positive acceleration moves BCa up.
  EXPECT_GT(r.bca.acceleration, 0.0);
  EXPECT_GT(r.bca.interval.high, r.percentile.high);
}

}  // namespace
}  // namespace proteus::stats
