// Delay samplers: each distribution's mean or median against its closed form, rounding and
// clamping to whole non-negative nanoseconds, and one independent stream per channel and agent.
#include "engine/latency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "engine/detmath.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

constexpr int kN = 20000;

std::vector<double> sample_ms(const DelaySpec& spec, std::uint64_t key) {
  DelaySampler sampler(spec, RandomStream{key});
  std::vector<double> out;
  out.reserve(kN);
  for (int i = 0; i < kN; ++i) out.push_back(static_cast<double>(sampler.sample().ns) * 1e-6);
  return out;
}

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (const double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double fraction_below(const std::vector<double>& v, double x) {
  return static_cast<double>(std::count_if(v.begin(), v.end(), [x](double d) { return d < x; })) /
         static_cast<double>(v.size());
}

TEST(DelaySampler, ConstantRoundsToNanosecondsWithoutDrawing) {
  DelaySampler a(DelaySpec{.dist = DelayDist::kConstant, .value_ms = 1.5}, RandomStream{1});
  EXPECT_EQ(a.sample(), SimTime{1'500'000});
  EXPECT_EQ(a.sample(), SimTime{1'500'000});
  EXPECT_EQ(a.draws(), 0u);
  DelaySampler b(DelaySpec{.dist = DelayDist::kConstant, .value_ms = 0.0000016}, RandomStream{1});
  EXPECT_EQ(b.sample(), SimTime{2});  // 1.6 ns
  DelaySampler c(DelaySpec{.dist = DelayDist::kConstant, .value_ms = -3.0}, RandomStream{1});
  EXPECT_EQ(c.sample(), SimTime{0});
  EXPECT_EQ(DelaySampler{}.draws(), 0u);
}

// max_delay bounds what a reader of the view history can ask for: it must hold for every
// sample, and be tight for the bounded distributions.
TEST(DelaySampler, MaxDelayBoundsEverySample) {
  const DelaySpec specs[] = {
      DelaySpec{.dist = DelayDist::kConstant, .value_ms = 1.5},
      DelaySpec{.dist = DelayDist::kUniform, .low_ms = 0.1, .high_ms = 0.3},
      DelaySpec{.dist = DelayDist::kUniform, .low_ms = 2.0, .high_ms = 2.0},
      DelaySpec{.dist = DelayDist::kExponential, .value_ms = 5.0},
      DelaySpec{.dist = DelayDist::kLognormal, .median_ms = 1.0, .sigma = 2.0},
  };
  for (const DelaySpec& spec : specs) {
    DelaySampler sampler(spec, RandomStream{77});
    const SimTime bound = sampler.max_delay();
    SimTime longest{0};
    for (int i = 0; i < kN; ++i) longest = std::max(longest, sampler.sample());
    EXPECT_LE(longest, bound) << to_string(spec.dist);
  }
  EXPECT_EQ(DelaySampler(specs[0], RandomStream{1}).max_delay(), SimTime{1'500'000});
  EXPECT_EQ(DelaySampler(specs[1], RandomStream{1}).max_delay(), SimTime{300'001});  // + 1 ns
  EXPECT_EQ(DelaySampler(specs[3], RandomStream{1}).max_delay(), DelaySampler::kMaxDelay);
  EXPECT_EQ(DelaySampler(specs[4], RandomStream{1}).max_delay(), DelaySampler::kMaxDelay);
  EXPECT_EQ(DelaySampler{}.max_delay(), SimTime{0});
}

TEST(DelaySampler, UniformCoversItsRangeWithTheMidpointMean) {
  const auto v =
      sample_ms(DelaySpec{.dist = DelayDist::kUniform, .low_ms = 1.0, .high_ms = 3.0}, 31);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 1.0);
  EXPECT_LE(*std::max_element(v.begin(), v.end()), 3.0);
  // Mean 2, sd (3 - 1) / sqrt 12; quartile at 1.5 ms.
  EXPECT_NEAR(mean(v), 2.0, 4.0 * (2.0 / std::sqrt(12.0)) / std::sqrt(kN));
  EXPECT_NEAR(fraction_below(v, 1.5), 0.25, 4.0 * std::sqrt(0.25 * 0.75 / kN));
}

TEST(DelaySampler, ExponentialHasItsMeanAndMedian) {
  const auto v = sample_ms(DelaySpec{.dist = DelayDist::kExponential, .value_ms = 2.0}, 32);
  EXPECT_NEAR(mean(v), 2.0, 4.0 * 2.0 / std::sqrt(kN));  // sd = mean
  // P(D < mean) = 1 - 1/e; the median is mean ln 2 = 1.386294 ms.
  EXPECT_NEAR(fraction_below(v, 2.0), 1.0 - std::exp(-1.0), 4.0 * std::sqrt(0.25 / kN));
  EXPECT_NEAR(fraction_below(v, 2.0 * std::log(2.0)), 0.5, 4.0 * std::sqrt(0.25 / kN));
}

TEST(DelaySampler, LognormalHasItsMedianAndMean) {
  const auto v =
      sample_ms(DelaySpec{.dist = DelayDist::kLognormal, .median_ms = 1.0, .sigma = 0.5}, 33);
  EXPECT_NEAR(fraction_below(v, 1.0), 0.5, 4.0 * std::sqrt(0.25 / kN));
  // Mean e^(sigma^2 / 2) = 1.133148; sd = mean sqrt(e^(sigma^2) - 1) = 0.604.
  const double expected_mean = std::exp(0.125);
  const double sd = expected_mean * std::sqrt(std::exp(0.25) - 1.0);
  EXPECT_NEAR(expected_mean, 1.133148, 1e-6);
  EXPECT_NEAR(mean(v), expected_mean, 4.0 * sd / std::sqrt(kN));
}

TEST(DelaySampler, NeverReturnsNegativeOrUnboundedDelays) {
  DelaySampler neg(DelaySpec{.dist = DelayDist::kUniform, .low_ms = -5.0, .high_ms = -1.0},
                   RandomStream{3});
  DelaySampler wild(DelaySpec{.dist = DelayDist::kLognormal, .median_ms = 1.0, .sigma = 200.0},
                    RandomStream{4});
  bool hit_max = false;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(neg.sample(), SimTime{0});
    const SimTime d = wild.sample();
    ASSERT_GE(d.ns, 0);
    ASSERT_LE(d, DelaySampler::kMaxDelay);
    hit_max = hit_max || d == DelaySampler::kMaxDelay;
  }
  EXPECT_TRUE(hit_max);
}

// An unknown dist name is rejected by the config key table
// (ConfigErrors.EnumeratedStringsListTheirAllowedValues).
TEST(DelaySampler, RejectsInvertedRange) {
  EXPECT_THROW(DelaySampler(DelaySpec{.dist = DelayDist::kUniform, .low_ms = 2.0, .high_ms = 1.0},
                            RandomStream{1}),
               std::invalid_argument);
}

LatencySpec exponential_everywhere() {
  const DelaySpec e{.dist = DelayDist::kExponential, .value_ms = 1.0};
  return LatencySpec{.submit = e, .ack = e, .fill = e, .market_data = e};
}

TEST(AgentLatency, EachChannelUsesItsOwnStreamOfTheAgent) {
  const std::uint64_t rep_key = repetition_key(34, 5);
  const std::uint32_t agent = entity(EntityClass::kNoise, 3);
  AgentLatency lat = make_latency(exponential_everywhere(), rep_key, agent);
  // A unit-mean exponential drawn by hand from each channel's documented stream.
  auto by_hand = [&](StreamId id) {
    RandomStream s{rep_key, id, agent};
    return SimTime{std::llround(-det_log(s.uniform_open()) * 1e6)};
  };
  EXPECT_EQ(lat.submit.sample(), by_hand(StreamId::kLatencySubmit));
  EXPECT_EQ(lat.ack.sample(), by_hand(StreamId::kLatencyAck));
  EXPECT_EQ(lat.fill.sample(), by_hand(StreamId::kLatencyFill));
  EXPECT_EQ(lat.market_data.sample(), by_hand(StreamId::kLatencyMarketData));
}

TEST(AgentLatency, DrawingOnOneChannelOrAgentNeverShiftsAnother) {
  const std::uint64_t rep_key = repetition_key(35, 0);
  const std::uint32_t a = entity(EntityClass::kMarketMaker, 0);
  const std::uint32_t b = entity(EntityClass::kMarketMaker, 1);
  AgentLatency quiet = make_latency(exponential_everywhere(), rep_key, a);
  AgentLatency busy = make_latency(exponential_everywhere(), rep_key, a);
  AgentLatency neighbour = make_latency(exponential_everywhere(), rep_key, b);
  for (int i = 0; i < 50; ++i) {
    busy.ack.sample();
    busy.market_data.sample();
    neighbour.submit.sample();
  }
  int differ = 0;
  for (int i = 0; i < 50; ++i) {
    const SimTime s = quiet.submit.sample();
    ASSERT_EQ(busy.submit.sample(), s);
    differ += neighbour.submit.sample() != s ? 1 : 0;
  }
  EXPECT_EQ(differ, 50);
}

TEST(AgentLatency, SameKeyGivesSameDelaysAndAnotherRepetitionDiffers) {
  const std::uint32_t agent = entity(EntityClass::kInformed, 0);
  AgentLatency x = make_latency(exponential_everywhere(), repetition_key(36, 0), agent);
  AgentLatency y = make_latency(exponential_everywhere(), repetition_key(36, 0), agent);
  AgentLatency z = make_latency(exponential_everywhere(), repetition_key(36, 1), agent);
  int differ = 0;
  for (int i = 0; i < 50; ++i) {
    const SimTime d = x.fill.sample();
    ASSERT_EQ(y.fill.sample(), d);
    differ += z.fill.sample() != d ? 1 : 0;
  }
  EXPECT_EQ(differ, 50);
}

}  // namespace
}  // namespace proteus::engine
