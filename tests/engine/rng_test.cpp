// Random streams: Random123's known answers, the seed protocol pinned against an
// independent Python implementation (golden/rng_reference.py), and stream isolation.
#include "engine/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "engine/detmath.hpp"

namespace proteus::engine {
namespace {

using Block = std::array<std::uint32_t, 4>;

TEST(Philox, MatchesPublishedKnownAnswersEmbedded) {
  // From Random123's kat_vectors (Salmon et al., SC'11), philox4x32 10 lines.
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(
      philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
      (Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(
      philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
      (Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, MatchesEveryVectorInTheInstalledKatFile) {
  // The file ships with librandom123-dev; its absence is a broken install, not a skip.
  const std::string cmd = std::string("zcat ") + PROTEUS_RANDOM123_KAT;
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << "cannot run " << cmd;
  std::string text;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) text += buf.data();
  ASSERT_EQ(pclose(pipe), 0) << "missing or unreadable " << PROTEUS_RANDOM123_KAT;
  std::istringstream lines(text);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string name;
    int rounds = 0;
    in >> name >> rounds;
    if (name != "philox4x32" || rounds != 10) continue;
    std::array<std::uint32_t, 10> v{};  // counter[4] key[2] expected[4]
    for (auto& x : v) in >> std::hex >> x;
    ASSERT_TRUE(in) << "malformed line: " << line;
    EXPECT_EQ(philox4x32_10({v[0], v[1], v[2], v[3]}, {v[4], v[5]}),
              (Block{v[6], v[7], v[8], v[9]}))
        << line;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// Values printed by golden/rng_reference.py, an independent Python implementation.
TEST(RngGolden, KeysFollowTheSeedProtocol) {
  const std::uint64_t rk = repetition_key(42, 7);
  EXPECT_EQ(rk, 0x45500ee83aea0f81u);
  EXPECT_EQ(stream_key(rk, StreamId::kLatent, 0), 0xe7ce895c9f67626cu);
}

RandomStream golden_stream() {
  return RandomStream{repetition_key(42, 7), StreamId::kLatent, 0};
}

TEST(RngGolden, RawDrawsAndUniformsMatchReference) {
  auto s = golden_stream();
  EXPECT_EQ(s.next_u64(), 0x69f844b39e768b47u);
  EXPECT_EQ(s.next_u64(), 0xc3ad60c5d4e45ceau);
  EXPECT_EQ(s.next_u64(), 0x745c820323c667a4u);
  s = golden_stream();
  EXPECT_EQ(s.uniform(), 0.4139445246241512);
  EXPECT_EQ(s.uniform(), 0.7643642886149719);
  EXPECT_EQ(s.uniform(), 0.4545365579285998);
}

// Python uses libm's log; ours is det_log, so transcendental results agree to a few ulp.
constexpr double kUlps = 1e-14;

TEST(RngGolden, NormalsMatchReference) {
  auto s = golden_stream();
  EXPECT_NEAR(s.normal(), -0.24761005546807233, kUlps);
  EXPECT_NEAR(s.normal(), 0.4925721061607002, kUlps);
  EXPECT_NEAR(s.normal(), -0.17753889933463587, kUlps);
}

// The reference's first normal taken from a wedge (#93) and from the tail (#867), and the
// stream's draw count after each: the same path was taken, not just a close value.
TEST(RngGolden, ZigguratWedgeAndTailMatchReference) {
  auto s = golden_stream();
  double z = 0.0;
  for (int k = 0; k <= 93; ++k) z = s.normal();
  EXPECT_NEAR(z, 0.0037471183550389134, kUlps);
  EXPECT_EQ(s.draws(), 99u);
  for (int k = 94; k <= 867; ++k) z = s.normal();
  EXPECT_NEAR(z, 3.5359365788824624, kUlps);
  EXPECT_EQ(s.draws(), 914u);
}

TEST(RngGolden, ExponentialsMatchReference) {
  auto s = golden_stream();
  EXPECT_NEAR(s.exponential(2.0), 0.4410116563139055, kUlps);
  EXPECT_NEAR(s.exponential(2.0), 0.13435539294906113, kUlps);
  EXPECT_NEAR(s.exponential(2.0), 0.39423846655644773, kUlps);
}

TEST(RngGolden, PoissonAndGeometricMatchReference) {
  auto s = golden_stream();
  for (std::int64_t want : {4, 2, 5, 3, 1, 4, 3, 1}) EXPECT_EQ(s.poisson(3.5), want);
  s = golden_stream();
  for (std::int64_t want : {35, 45, 45, 35}) EXPECT_EQ(s.poisson(40.0), want);
  s = golden_stream();
  for (std::int64_t want : {2, 0, 2, 2, 3, 2, 1, 8}) EXPECT_EQ(s.geometric(0.3), want);
}

TEST(RandomStream, StreamsOfDifferentIdsEntitiesAndRepsDiffer) {
  const auto rk = repetition_key(1, 0);
  RandomStream a{rk, StreamId::kLatent, 0};
  RandomStream b{rk, StreamId::kSignal, 0};
  RandomStream c{rk, StreamId::kLatent, entity(EntityClass::kNoise, 0)};
  RandomStream d{repetition_key(1, 1), StreamId::kLatent, 0};
  const auto x = a.next_u64();
  EXPECT_NE(x, b.next_u64());
  EXPECT_NE(x, c.next_u64());
  EXPECT_NE(x, d.next_u64());
}

TEST(RandomStream, DrawingFromOneStreamNeverShiftsAnother) {
  const auto rk = repetition_key(9, 3);
  RandomStream a{rk, StreamId::kArrival, 1};
  RandomStream b{rk, StreamId::kArrival, 2};
  RandomStream b_alone{rk, StreamId::kArrival, 2};
  for (int i = 0; i < 1000; ++i) a.normal();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.next_u64(), b_alone.next_u64());
}

// Chi-square of 2 M normals over 160 bins of width 0.05 on [-4, 4) plus the two tails, against
// the normal CDF from std::erfc (independent of the generator); and the mass beyond the
// ziggurat's base |z| > R = 3.4426, which only the tail path produces. Accepting wedge samples
// up to 1.5 instead of 1.0 gives chi2 = 566 here; the correct generator gives 149.
TEST(RandomStream, NormalsFollowTheNormalDistribution) {
  RandomStream s{repetition_key(17, 0), StreamId::kLatent, 0};
  constexpr int kN = 2'000'000;
  constexpr int kBins = 160;
  constexpr double kLo = -4.0;
  constexpr double kWidth = 0.05;
  std::vector<double> count(kBins + 2, 0.0);  // [0]: below kLo, [kBins + 1]: at or above 4
  int beyond = 0;
  for (int i = 0; i < kN; ++i) {
    const double z = s.normal();
    if (std::fabs(z) > 3.442619855899) ++beyond;
    const double pos = (z - kLo) / kWidth;
    const int bin = pos < 0.0 ? 0 : pos >= kBins ? kBins + 1 : 1 + static_cast<int>(pos);
    count[static_cast<std::size_t>(bin)] += 1.0;
  }
  const auto cdf = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  double chi2 = 0.0;
  for (int b = 0; b <= kBins + 1; ++b) {
    const double lo = b == 0 ? 0.0 : cdf(kLo + (b - 1) * kWidth);
    const double hi = b == kBins + 1 ? 1.0 : cdf(kLo + b * kWidth);
    const double expected = kN * (hi - lo);
    const double diff = count[static_cast<std::size_t>(b)] - expected;
    chi2 += diff * diff / expected;
  }
  EXPECT_LT(chi2, 222.0);  // 161 degrees of freedom: the 0.999 quantile (Wilson-Hilferty)
  const double tail = kN * std::erfc(3.442619855899 / std::sqrt(2.0));  // 1152
  EXPECT_NEAR(beyond, tail, 5.0 * std::sqrt(tail));
}

TEST(RandomStream, MomentsOfTransformsAreRight) {
  RandomStream s{repetition_key(5, 0), StreamId::kDecision, 0};
  constexpr int kN = 200000;
  double sum_n = 0, sum_n2 = 0, sum_e = 0, sum_p = 0, sum_g = 0;
  for (int i = 0; i < kN; ++i) {
    const double z = s.normal();
    sum_n += z;
    sum_n2 += z * z;
    sum_e += s.exponential(4.0);
    sum_p += static_cast<double>(s.poisson(2.5));
    sum_g += static_cast<double>(s.geometric(0.25));
  }
  // Tolerances are about 5 standard errors.
  EXPECT_NEAR(sum_n / kN, 0.0, 0.012);
  EXPECT_NEAR(sum_n2 / kN, 1.0, 0.016);
  EXPECT_NEAR(sum_e / kN, 0.25, 0.003);
  EXPECT_NEAR(sum_p / kN, 2.5, 0.018);
  EXPECT_NEAR(sum_g / kN, 3.0, 0.04);  // mean (1-p)/p, sd sqrt(1-p)/p = 3.46
}

TEST(RandomStream, BelowIsUnbiasedAndInRange) {
  RandomStream s{repetition_key(5, 1), StreamId::kDecision, 0};
  std::array<int, 3> counts{};
  for (int i = 0; i < 30000; ++i) ++counts.at(s.below(3));
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

TEST(DetMath, ExpAndLogAgreeWithLibmWithinTwoUlp) {
  RandomStream s{repetition_key(3, 0), StreamId::kDecision, 0};
  for (int i = 0; i < 100000; ++i) {
    const double x = s.uniform(-700.0, 700.0);
    const double want = std::exp(x);
    EXPECT_LE(std::fabs(det_exp(x) - want), 2.0 * std::fabs(std::nextafter(want, 0.0) - want)) << x;
    const double y = std::exp(s.uniform(-300.0, 300.0));
    const double want_log = std::log(y);
    EXPECT_LE(std::fabs(det_log(y) - want_log),
              2.5 * std::fabs(std::nextafter(want_log, 0.0) - want_log) + 1e-300)
        << y;
  }
  EXPECT_EQ(det_exp(0.0), 1.0);
  EXPECT_EQ(det_log(1.0), 0.0);
  EXPECT_TRUE(std::isnan(det_log(-1.0)));
  EXPECT_EQ(det_exp(-1000.0), 0.0);
}

// det_sigmoid selects its numerator without a branch; it must equal, bit for bit, the
// textbook two-branch form written here over det_exp.
TEST(DetMath, SigmoidIsTheTwoBranchFormBitForBit) {
  const auto two_branch = [](double x) {
    if (x >= 0.0) return 1.0 / (1.0 + det_exp(-x));
    const double e = det_exp(x);
    return e / (1.0 + e);
  };
  RandomStream s{repetition_key(9, 0), StreamId::kDecision, 0};
  for (int i = 0; i < 200000; ++i) {
    const double x = i % 2 == 0 ? s.uniform(-8.0, 8.0) : s.uniform(-800.0, 800.0);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(det_sigmoid(x)),
              std::bit_cast<std::uint64_t>(two_branch(x)))
        << x;
  }
  for (const double x : {0.0, -0.0, 1e-300, -1e-300, 36.0, -36.0, 745.2, -745.2}) {
    EXPECT_EQ(det_sigmoid(x), two_branch(x)) << x;
  }
  EXPECT_EQ(det_sigmoid(0.0), 0.5);
  EXPECT_EQ(det_sigmoid(-0.0), 0.5);
  EXPECT_EQ(det_sigmoid(-800.0), 0.0);
  EXPECT_EQ(det_sigmoid(800.0), 1.0);
  EXPECT_TRUE(std::isnan(det_sigmoid(std::numeric_limits<double>::quiet_NaN())));
}

TEST(DetMath, LogitAndSigmoidAreInverses) {
  for (double p : {1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-6}) {
    EXPECT_NEAR(det_sigmoid(det_logit(p)), p, 1e-15);
  }
}

}  // namespace
}  // namespace proteus::engine
