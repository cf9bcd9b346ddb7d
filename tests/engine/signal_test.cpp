// Signals: the delay reads the right latent step, noise has the right law and is clipped,
// and each agent's noise comes from its own stream.
#include "engine/signal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "engine/latent.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

LatentSpec moving_latent() {
  LatentSpec spec;
  spec.p0 = 0.4;
  spec.phi = 1.0;
  spec.sigma_eta = 0.5;
  spec.dt_ms = 100.0;
  return spec;
}

LatentSpec frozen_latent(double p0) {
  LatentSpec spec;
  spec.p0 = p0;
  spec.phi = 1.0;
  spec.sigma_eta = 0.0;
  spec.dt_ms = 100.0;
  return spec;
}

TEST(SignalSource, NoiselessSignalIsTheDelayedLatentValueAndDrawsNothing) {
  LatentProcess latent(moving_latent(), repetition_key(21, 0), SimTime::from_ms(1000));
  SignalSource signal(SignalSpec{.delay_ms = 250.0, .noise = 0.0}, repetition_key(21, 0),
                      entity(EntityClass::kInformed, 0));
  EXPECT_EQ(signal.delay(), SimTime::from_ms(250));
  std::vector<double> p = {latent.p()};
  for (int i = 0; i < 10; ++i) {
    latent.advance();
    p.push_back(latent.p());
  }
  // Latent at t = 1.0 s. now - 250 ms = 750 ms lies in step 7, 1.05 s - 250 ms in step 8.
  EXPECT_EQ(signal.observe(latent, SimTime::from_ms(1000)), p[7]);
  EXPECT_EQ(signal.observe(latent, SimTime::from_ms(1050)), p[8]);
  EXPECT_EQ(signal.observe(latent, SimTime::from_ms(1099)), p[8]);
  EXPECT_EQ(signal.observe(latent, SimTime::from_ms(950)), p[7]);
  EXPECT_EQ(signal.observe(latent, SimTime::from_ms(949)), p[6]);
  EXPECT_NE(p[6], p[7]);
  EXPECT_NE(p[7], p[8]);
  EXPECT_EQ(signal.draws(), 0u);
}

TEST(SignalSource, EarlyObservationsSeeTheInitialValue) {
  LatentProcess latent(moving_latent(), 1, SimTime::from_ms(100));
  SignalSource signal(SignalSpec{.delay_ms = 30.0, .noise = 0.0}, 1, 0);
  EXPECT_EQ(signal.observe(latent, SimTime::from_ms(10)), latent.p_initial());
}

TEST(SignalSource, NoiseHasTheConfiguredMeanAndSd) {
  LatentProcess latent(frozen_latent(0.5), 1);
  SignalSource signal(SignalSpec{.delay_ms = 0.0, .noise = 0.05}, repetition_key(22, 0), 7);
  constexpr int kN = 20000;
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double s = signal.observe(latent, SimTime{0});
    sum += s;
    sum_sq += s * s;
  }
  const double mean = sum / kN;
  const double sd = std::sqrt((sum_sq - kN * mean * mean) / (kN - 1));
  // Clipping at 0 and 1 is 10 sd away: immaterial. SE of sd of a normal: sd / sqrt(2(n-1)).
  EXPECT_NEAR(mean, 0.5, 4.0 * 0.05 / std::sqrt(kN));
  EXPECT_NEAR(sd, 0.05, 4.0 * 0.05 / std::sqrt(2.0 * (kN - 1)));
  EXPECT_GT(signal.draws(), 0u);
}

TEST(SignalSource, NoiseIsClippedToTheUnitInterval) {
  LatentProcess latent(frozen_latent(0.99), 1);
  SignalSource signal(SignalSpec{.delay_ms = 0.0, .noise = 0.1}, repetition_key(23, 0), 7);
  constexpr int kN = 20000;
  int at_one = 0;
  for (int i = 0; i < kN; ++i) {
    const double s = signal.observe(latent, SimTime{0});
    ASSERT_GE(s, 0.0);
    ASSERT_LE(s, 1.0);
    at_one += s == 1.0 ? 1 : 0;
  }
  // P(0.99 + eps >= 1) = P(Z >= 0.1) = erfc(0.1 / sqrt 2) / 2 = 0.460172.
  const double expected = 0.5 * std::erfc(0.1 / std::sqrt(2.0));
  EXPECT_NEAR(expected, 0.460172, 1e-6);
  const double observed = static_cast<double>(at_one) / kN;
  EXPECT_NEAR(observed, expected, 4.0 * std::sqrt(expected * (1.0 - expected) / kN));
}

TEST(SignalSource, EachAgentDrawsFromItsOwnStreamRegardlessOfOthers) {
  LatentProcess latent(frozen_latent(0.5), 1);
  const std::uint64_t rep_key = repetition_key(24, 2);
  const std::uint32_t a = entity(EntityClass::kInformed, 0);
  const std::uint32_t b = entity(EntityClass::kMarketMaker, 0);
  SignalSource alone(SignalSpec{.delay_ms = 0.0, .noise = 0.01}, rep_key, a);
  SignalSource interleaved_a(SignalSpec{.delay_ms = 0.0, .noise = 0.01}, rep_key, a);
  SignalSource interleaved_b(SignalSpec{.delay_ms = 0.0, .noise = 0.01}, rep_key, b);
  RandomStream by_hand{rep_key, StreamId::kSignal, a};
  for (int i = 0; i < 100; ++i) {
    const double expected = 0.5 + 0.01 * by_hand.normal();
    for (int j = 0; j < i % 3; ++j) interleaved_b.observe(latent, SimTime{0});
    const double s = alone.observe(latent, SimTime{0});
    ASSERT_EQ(s, expected);
    ASSERT_EQ(interleaved_a.observe(latent, SimTime{0}), s);
  }
  SignalSource other(SignalSpec{.delay_ms = 0.0, .noise = 0.01}, rep_key, b);
  SignalSource first(SignalSpec{.delay_ms = 0.0, .noise = 0.01}, rep_key, a);
  EXPECT_NE(other.observe(latent, SimTime{0}), first.observe(latent, SimTime{0}));
}

TEST(SignalSource, RejectsNegativeNoiseOrDelay) {
  EXPECT_THROW(SignalSource(SignalSpec{.delay_ms = 0.0, .noise = -0.1}, 1, 0),
               std::invalid_argument);
  EXPECT_THROW(SignalSource(SignalSpec{.delay_ms = -1.0, .noise = 0.1}, 1, 0),
               std::invalid_argument);
}

}  // namespace
}  // namespace proteus::engine
