// Latent process: moments against closed forms, Poisson jump counts, the p_at history
// window, bounds under extreme parameters and determinism of the kLatent stream.
#include "engine/latent.hpp"

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

struct Moments {
  double mean = 0.0;
  double var = 0.0;  // unbiased
};

Moments moments(const std::vector<double>& v) {
  double sum = 0.0;
  for (const double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0.0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return {mean, ss / static_cast<double>(v.size() - 1)};
}

// Pure diffusion: phi = 1, no jumps, bound far away.
LatentSpec random_walk() {
  LatentSpec spec;
  spec.p0 = 0.5;
  spec.phi = 1.0;
  spec.sigma_eta = 0.2;
  spec.dt_ms = 100.0;
  spec.x_bound = 1e6;
  spec.jump_rate = 0.0;
  return spec;
}

double x_after(const LatentSpec& spec, std::uint64_t rep_key, int steps) {
  LatentProcess latent(spec, rep_key);
  for (int i = 0; i < steps; ++i) latent.advance();
  return latent.x();
}

TEST(LatentProcess, RandomWalkVarianceIsStepsTimesSigmaSquaredDt) {
  const LatentSpec spec = random_walk();
  constexpr int kSteps = 50;
  constexpr int kReps = 4000;
  std::vector<double> xs;
  xs.reserve(kReps);
  for (int r = 0; r < kReps; ++r) xs.push_back(x_after(spec, repetition_key(11, r), kSteps));
  const Moments m = moments(xs);
  // Var x_n = n sigma^2 dt = 50 * 0.04 * 0.1 = 0.2; the sample variance of a normal has
  // standard error var * sqrt(2 / (R - 1)).
  const double expected_var = kSteps * 0.2 * 0.2 * 0.1;
  EXPECT_NEAR(expected_var, 0.2, 1e-12);
  EXPECT_NEAR(m.var, expected_var, 4.0 * expected_var * std::sqrt(2.0 / (kReps - 1)));
  EXPECT_NEAR(m.mean, 0.0, 4.0 * std::sqrt(expected_var / kReps));
}

TEST(LatentProcess, MeanRevertingVarianceReachesStationaryValue) {
  LatentSpec spec = random_walk();
  spec.phi = 0.9;
  constexpr int kReps = 3000;
  std::vector<double> xs;
  xs.reserve(kReps);
  // 0.9^400 is below 1e-18: the start no longer matters.
  for (int r = 0; r < kReps; ++r) xs.push_back(x_after(spec, repetition_key(12, r), 200));
  const Moments m = moments(xs);
  const double stationary = 0.2 * 0.2 * 0.1 / (1.0 - 0.9 * 0.9);  // sigma^2 dt / (1 - phi^2)
  EXPECT_NEAR(stationary, 0.0210526315789, 1e-12);
  EXPECT_NEAR(m.var, stationary, 4.0 * stationary * std::sqrt(2.0 / (kReps - 1)));
  EXPECT_NEAR(m.mean, 0.0, 4.0 * std::sqrt(stationary / kReps));
}

// Unit jumps with no diffusion: each step moves x by exactly its jump count.
LatentSpec unit_jumps(double rate) {
  LatentSpec spec = random_walk();
  spec.sigma_eta = 0.0;
  spec.jump_rate = rate;
  spec.jump_dist = JumpDist::kNormal;
  spec.jump_mean = 1.0;
  spec.jump_sd = 0.0;
  return spec;
}

TEST(LatentProcess, JumpCountsPerStepFollowPoisson) {
  // rate 5 / s, dt 0.1 s: mu = 0.5 jumps per step.
  LatentProcess latent(unit_jumps(5.0), repetition_key(13, 0));
  constexpr int kSteps = 40000;
  std::vector<int> freq(8, 0);
  std::vector<double> counts;
  for (int i = 0; i < kSteps; ++i) {
    const double before = latent.x();
    latent.advance();
    const double n = latent.x() - before;
    ASSERT_EQ(n, std::round(n)) << "jump count must be an integer at step " << i;
    counts.push_back(n);
    ++freq[std::min<std::size_t>(static_cast<std::size_t>(n), 7)];
  }
  const Moments m = moments(counts);
  EXPECT_NEAR(m.mean, 0.5, 4.0 * std::sqrt(0.5 / kSteps));
  // Poisson: variance = mean. The sample variance has variance (kappa4 + 2 kappa2^2) / n
  // with cumulants kappa2 = kappa4 = mu: sqrt(1.0 / 40000) = 0.005.
  EXPECT_NEAR(m.var, 0.5, 4.0 * 0.005);
  // pmf e^-mu mu^k / k!, computed here independently of the engine.
  const double pmf[] = {std::exp(-0.5), 0.5 * std::exp(-0.5), 0.125 * std::exp(-0.5),
                        0.5 * 0.5 * 0.5 / 6.0 * std::exp(-0.5)};
  EXPECT_NEAR(pmf[0], 0.6065306597, 1e-9);
  for (int k = 0; k < 4; ++k) {
    const double observed = static_cast<double>(freq[k]) / kSteps;
    EXPECT_NEAR(observed, pmf[k], 4.0 * std::sqrt(pmf[k] * (1.0 - pmf[k]) / kSteps)) << "k=" << k;
  }
}

TEST(LatentProcess, SymmetricJumpsHaveZeroMeanAndSizeSquaredVariancePerJump) {
  LatentSpec spec = unit_jumps(2.0);
  spec.jump_dist = JumpDist::kSymmetric;
  spec.jump_size = 0.5;
  constexpr int kReps = 4000;
  constexpr int kSteps = 50;  // mu = 0.2 per step, 10 jumps expected per path
  std::vector<double> xs;
  for (int r = 0; r < kReps; ++r) {
    const double x = x_after(spec, repetition_key(14, r), kSteps);
    ASSERT_EQ(x * 2.0, std::round(x * 2.0)) << "sum of +/-0.5 jumps";
    xs.push_back(x);
  }
  const Moments m = moments(xs);
  // Compound Poisson cumulants kappa_n = E[N] E[Y^n]: kappa2 = 10 * 0.25 = 2.5 (the variance)
  // and kappa4 = 10 * 0.0625; the sample variance has variance (kappa4 + 2 kappa2^2) / R.
  EXPECT_NEAR(m.mean, 0.0, 4.0 * std::sqrt(2.5 / kReps));
  EXPECT_NEAR(m.var, 2.5, 4.0 * std::sqrt((0.625 + 2.0 * 2.5 * 2.5) / kReps));
}

TEST(LatentProcess, StepFollowsTheRecursionOverItsOwnStream) {
  LatentSpec spec;
  spec.p0 = 0.3;
  spec.phi = 0.98;
  spec.sigma_eta = 0.5;
  spec.dt_ms = 250.0;
  spec.x_bound = 3.0;
  spec.jump_rate = 4.0;
  spec.jump_dist = JumpDist::kNormal;
  spec.jump_mean = 0.1;
  spec.jump_sd = 0.7;
  const std::uint64_t rep_key = repetition_key(15, 3);
  LatentProcess latent(spec, rep_key);
  // The recursion by hand over the documented stream and draw order (normal, count, jumps).
  RandomStream s{rep_key, StreamId::kLatent, entity(EntityClass::kGlobal, 0)};
  double x = det_logit(0.3);
  for (int i = 0; i < 200; ++i) {
    const double eta = 0.5 * std::sqrt(0.25) * s.normal();
    double jump = 0.0;
    for (std::int64_t n = s.poisson(4.0 * 0.25); n > 0; --n) jump += s.normal(0.1, 0.7);
    x = std::clamp(0.98 * x + eta + jump, -3.0, 3.0);
    latent.advance();
    ASSERT_EQ(latent.x(), x) << "step " << i;
    ASSERT_EQ(latent.p(), det_sigmoid(x)) << "step " << i;
  }
  EXPECT_EQ(latent.time(), SimTime::from_ms(50'000));
  EXPECT_EQ(latent.steps(), 200);
}

TEST(LatentProcess, ProbabilityStaysInUnitIntervalUnderExtremeParameters) {
  LatentSpec spec;
  spec.phi = 1.5;  // explosive
  spec.sigma_eta = 1e6;
  spec.dt_ms = 1000.0;
  spec.x_bound = 800.0;  // sigmoid(+-800) rounds to exactly 1 and 0
  spec.jump_rate = 50.0;
  spec.jump_dist = JumpDist::kNormal;
  spec.jump_mean = -1e5;
  spec.jump_sd = 1e7;
  bool saw_zero = false;
  bool saw_one = false;
  for (int r = 0; r < 20; ++r) {
    LatentProcess latent(spec, repetition_key(16, r));
    for (int i = 0; i < 100; ++i) {
      latent.advance();
      ASSERT_GE(latent.p(), 0.0);
      ASSERT_LE(latent.p(), 1.0);
      ASSERT_LE(std::abs(latent.x()), 800.0);
      saw_zero = saw_zero || latent.p() == 0.0;
      saw_one = saw_one || latent.p() == 1.0;
    }
  }
  EXPECT_TRUE(saw_zero);
  EXPECT_TRUE(saw_one);
}

TEST(LatentProcess, CertainInitialProbabilityStartsAtTheBound) {
  LatentSpec spec = random_walk();
  spec.x_bound = 4.0;
  spec.p0 = 1.0;
  EXPECT_EQ(LatentProcess(spec, 1).x(), 4.0);
  spec.p0 = 0.0;
  EXPECT_EQ(LatentProcess(spec, 1).x(), -4.0);
  spec.p0 = 0.999;  // logit 6.9 is outside the bound
  EXPECT_EQ(LatentProcess(spec, 1).x(), 4.0);
  EXPECT_NEAR(LatentProcess(spec, 1).p(), 1.0 / (1.0 + std::exp(-4.0)), 1e-15);
  spec.p0 = 0.25;
  EXPECT_NEAR(LatentProcess(spec, 1).x(), std::log(0.25 / 0.75), 1e-15);
}

TEST(LatentProcess, DtIsRoundedToWholeNanoseconds) {
  LatentSpec spec = random_walk();
  EXPECT_EQ(LatentProcess(spec, 1).dt(), SimTime{100'000'000});
  spec.dt_ms = 0.0000025;  // 2.5 ns
  EXPECT_EQ(LatentProcess(spec, 1).dt(), SimTime{3});
}

TEST(LatentProcess, PAtReturnsTheLastStepAtOrBeforeTAcrossRingWraps) {
  const LatentSpec spec = random_walk();  // dt = 100 ms
  const SimTime history = SimTime::from_ms(1000);
  LatentProcess latent(spec, repetition_key(17, 0), history);
  const SimTime dt = latent.dt();
  const SimTime one_ns{1};
  std::vector<double> recorded = {latent.p()};
  EXPECT_EQ(latent.p_at(SimTime{-1}), latent.p_initial());
  EXPECT_EQ(latent.p_at(SimTime{0}), recorded[0]);
  for (int i = 1; i <= 500; ++i) {  // the ring holds 12 slots: it wraps ~40 times
    latent.advance();
    recorded.push_back(latent.p());
    const SimTime now = latent.time();
    ASSERT_EQ(now, SimTime{i * dt.ns});
    // Every step boundary in the window, and the instants just before and after it.
    for (std::int64_t j = std::max(0, i - 10); j <= i; ++j) {
      const SimTime tj{j * dt.ns};
      ASSERT_EQ(latent.p_at(tj), recorded[j]) << "step " << j << " at step " << i;
      ASSERT_EQ(latent.p_at(tj + dt - one_ns), recorded[j]) << "step " << j << " at " << i;
      if (j > std::max(0, i - 10)) {
        ASSERT_EQ(latent.p_at(tj - one_ns), recorded[j - 1]);
      }
    }
    // The oldest instant of the window lies inside the step before it.
    ASSERT_EQ(latent.p_at(now - history), recorded[i - 10 < 0 ? 0 : i - 10]);
  }
  // Consecutive steps differ, so equal lookups above are not vacuous.
  EXPECT_NE(recorded[499], recorded[500]);
}

TEST(LatentProcess, AdvanceUntilTakesEveryStepAtOrBeforeT) {
  LatentProcess latent(random_walk(), 1);
  latent.advance_until(SimTime::from_ms(250));
  EXPECT_EQ(latent.steps(), 2);
  latent.advance_until(SimTime::from_ms(300));
  EXPECT_EQ(latent.steps(), 3);
  latent.advance_until(SimTime::from_ms(299));
  EXPECT_EQ(latent.steps(), 3);
}

TEST(LatentProcessDeathTest, PAtAbortsOutsideTheHistoryWindow) {
  LatentProcess latent(random_walk(), 1, SimTime::from_ms(500));
  for (int i = 0; i < 20; ++i) latent.advance();
  const SimTime now = latent.time();
  EXPECT_DEATH(latent.p_at(now - SimTime::from_ms(500) - SimTime{1}), "older than the history");
  EXPECT_DEATH(latent.p_at(now + latent.dt()), "not taken yet");
  EXPECT_DEATH(latent.p_at(SimTime{-1}), "older than the history");
}

TEST(LatentProcess, SameKeyGivesSamePathAndAnotherRepetitionDiffers) {
  LatentSpec spec = random_walk();
  spec.jump_rate = 1.0;
  LatentProcess a(spec, repetition_key(18, 0));
  LatentProcess b(spec, repetition_key(18, 0));
  LatentProcess c(spec, repetition_key(18, 1));
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    a.advance();
    b.advance();
    c.advance();
    ASSERT_EQ(a.x(), b.x());
    differ += a.x() != c.x() ? 1 : 0;
  }
  EXPECT_EQ(differ, 100);
}

// An unknown jump_dist name is rejected by the config key table
// (ConfigErrors.EnumeratedStringsListTheirAllowedValues).
TEST(LatentProcess, RejectsAStepShorterThanOneNanosecond) {
  LatentSpec spec;
  spec.dt_ms = 0.0;
  EXPECT_THROW(LatentProcess(spec, 1), std::invalid_argument);
}

}  // namespace
}  // namespace proteus::engine
