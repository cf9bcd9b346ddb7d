// Philox4x32-10 streams and the deterministic transforms over them.
#include "engine/rng.hpp"

#include <Random123/philox.h>

#include <cmath>

#include "engine/detmath.hpp"

namespace proteus::engine {
namespace {

// Domain-separation tags in the last counter word of the key-derivation blocks.
constexpr std::uint32_t kRepetitionTag = 0x5245'5031u;  // "REP1"
constexpr std::uint32_t kStreamTag = 0x5354'5231u;      // "STR1"

__extension__ using Uint128 = unsigned __int128;

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
  // Marsaglia & Bray (1964) polar method: only log and sqrt, both deterministic here.
  for (;;) {
    const double u = 2.0 * uniform() - 1.0;
    const double v = 2.0 * uniform() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * det_log(s) / s);
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
