// Philox4x32-10 streams and the deterministic transforms over them.
#include "engine/rng.hpp"

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstddef>

#include "engine/detmath.hpp"

namespace proteus::engine {
namespace {

// Domain-separation tags in the last counter word of the key-derivation blocks.
constexpr std::uint32_t kRepetitionTag = 0x5245'5031u;  // "REP1"
constexpr std::uint32_t kStreamTag = 0x5354'5231u;      // "STR1"

__extension__ using Uint128 = unsigned __int128;

// Ziggurat for the standard normal: Marsaglia & Tsang (2000) in the form of Doornik (2005),
// "An improved ziggurat method to generate normal random samples": 128 layers of area V, the
// base layer's tail beyond R sampled by Marsaglia's (1964) method.
constexpr std::size_t kZigLayers = 128;
constexpr double kZigR = 3.442619855899;
constexpr double kZigV = 9.91256303526217e-3;

struct ZigguratTable {
  std::array<double, kZigLayers + 1> x{};  // x[0] = V / f(R), x[1] = R, ..., x[128] = 0
  std::array<double, kZigLayers> ratio{};  // x[i + 1] / x[i]: the layer's rectangle share

  ZigguratTable() {
    // Built with det_exp / det_log and sqrt (correctly rounded), so identical everywhere.
    double f = det_exp(-0.5 * kZigR * kZigR);
    x[0] = kZigV / f;
    x[1] = kZigR;
    x[kZigLayers] = 0.0;
    for (std::size_t i = 2; i < kZigLayers; ++i) {
      x[i] = std::sqrt(-2.0 * det_log(kZigV / x[i - 1] + f));
      f = det_exp(-0.5 * x[i] * x[i]);
    }
    for (std::size_t i = 0; i < kZigLayers; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

const ZigguratTable& ziggurat() {
  static const ZigguratTable kTable;
  return kTable;
}

std::uint32_t lo32(std::uint64_t v) {
  return static_cast<std::uint32_t>(v);
}
std::uint32_t hi32(std::uint64_t v) {
  return static_cast<std::uint32_t>(v >> 32);
}
std::uint64_t join(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << 32);
}

}  // namespace

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key) {
  r123::Philox4x32_R<10> gen;
  const r123::Philox4x32_R<10>::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  const r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto r = gen(c, k);
  return {r[0], r[1], r[2], r[3]};
}

std::uint64_t repetition_key(std::uint64_t master_seed, std::uint64_t rep) {
  const auto r = philox4x32_10({lo32(rep), hi32(rep), 0, kRepetitionTag},
                               {lo32(master_seed), hi32(master_seed)});
  return join(r[0], r[1]);
}

std::uint64_t stream_key(std::uint64_t rep_key, StreamId stream, std::uint32_t entity) {
  const auto r = philox4x32_10({static_cast<std::uint32_t>(stream), entity, 0, kStreamTag},
                               {lo32(rep_key), hi32(rep_key)});
  return join(r[0], r[1]);
}

std::uint64_t RandomStream::next_u64() {
  const std::uint64_t i = draw_++;
  if ((i & 1u) != 0) return spare_;
  const std::uint64_t block = i >> 1;
  const auto r = philox4x32_10({lo32(block), hi32(block), 0, 0}, {lo32(key_), hi32(key_)});
  spare_ = join(r[2], r[3]);
  return join(r[0], r[1]);
}

double RandomStream::uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RandomStream::uniform_open() {
  return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  // Lemire, "Fast random integer generation in an interval", ACM TOMACS 2019.
  Uint128 m = static_cast<Uint128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<Uint128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::normal() {
  const ZigguratTable& t = ziggurat();
  for (;;) {
    // One draw gives the layer (low 7 bits) and u in [-1, 1) (high 53 bits): 98.8% of normals
    // take one draw and no transcendental call.
    const std::uint64_t bits = next_u64();
    const auto i = static_cast<std::size_t>(bits & (kZigLayers - 1));
    const double u = static_cast<double>(bits >> 11) * 0x1.0p-52 - 1.0;
    if (std::fabs(u) < t.ratio[i]) return u * t.x[i];
    if (i == 0) {
      // Tail beyond R (Marsaglia 1964).
      double x = 0.0;
      double y = 0.0;
      do {
        x = det_log(uniform_open()) / kZigR;
        y = det_log(uniform_open());
      } while (-2.0 * y < x * x);
      return u < 0.0 ? x - kZigR : kZigR - x;
    }
    // Wedge: accept when a uniform height in the layer lies under the density at x.
    const double x = u * t.x[i];
    const double f0 = det_exp(-0.5 * (t.x[i] * t.x[i] - x * x));
    const double f1 = det_exp(-0.5 * (t.x[i + 1] * t.x[i + 1] - x * x));
    if (f1 + uniform() * (f0 - f1) < 1.0) return x;
  }
}

double RandomStream::exponential(double rate) {
  return -det_log(uniform_open()) / rate;
}

std::int64_t RandomStream::poisson(double lambda) {
  std::int64_t total = 0;
  while (lambda > 0.0) {
    const double chunk = lambda > 16.0 ? 16.0 : lambda;
    lambda -= chunk;
    // Knuth: count uniforms until their product falls below e^-chunk.
    const double limit = det_exp(-chunk);
    double prod = uniform_open();
    while (prod > limit) {
      ++total;
      prod *= uniform_open();
    }
  }
  return total;
}

std::int64_t RandomStream::geometric(double p) {
  if (p >= 1.0) return 0;
  const double k = std::floor(det_log(uniform_open()) / det_log1p(-p));
  // 2^63: larger counts (or p = 0, where k is +inf) do not fit an int64.
  if (!(k < 9223372036854775808.0)) return INT64_MAX;
  return static_cast<std::int64_t>(k);
}

}  // namespace proteus::engine
