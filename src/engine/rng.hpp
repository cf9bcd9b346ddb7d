// Counter-based random streams (Philox4x32-10, Random123) and the transforms we own.
// Seed protocol (docs/seed-protocol.md): a stream's key is a function of
// (master seed, repetition, stream id, entity) only; the counter is the block index.
#pragma once

#include <array>
#include <cstdint>

namespace proteus::engine {

/// The random sources of a run. Values are part of the seed protocol: never renumber.
enum class StreamId : std::uint32_t {
  kLatent = 1,             ///< latent value process: diffusion and jumps
  kSignal = 2,             ///< per-agent signal noise
  kLatencySubmit = 3,      ///< per-agent submission delay
  kLatencyAck = 4,         ///< per-agent acknowledgement delay
  kLatencyFill = 5,        ///< per-agent fill-notification delay
  kLatencyMarketData = 6,  ///< per-agent market-data delay
  kArrival = 7,            ///< per-agent arrival / decision times
  kDecision = 8,           ///< per-agent decision randomness (side, size, activity)
  kMechanism = 9,          ///< the mechanism's own draws (random allocation)
  kEnvironment = 10,       ///< reduced-form environments (as2008)
};

/// Agent classes: the high byte of an entity index, so adding an agent of one class
/// never renumbers the agents of another.
enum class EntityClass : std::uint32_t {
  kGlobal = 0,
  kMarketMaker = 1,
  kInformed = 2,
  kNoise = 3,
  kSniper = 4,
};

/// Entity index of the `index`-th agent of class `cls`.
constexpr std::uint32_t entity(EntityClass cls, std::uint32_t index) {
  return (static_cast<std::uint32_t>(cls) << 24) | (index & 0x00FF'FFFFu);
}

/// 64-bit key of one repetition: recorded as the `seed` column of the panel.
std::uint64_t repetition_key(std::uint64_t master_seed, std::uint64_t rep);

/// 64-bit Philox key of one stream of one repetition.
std::uint64_t stream_key(std::uint64_t rep_key, StreamId stream, std::uint32_t entity);

/// Raw Philox4x32-10 block: exposed for the known-answer test.
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key);

/// One random stream. Draw i is half (i mod 2) of Philox block i / 2; streams are cheap
/// values (24 bytes) and independent of each other by construction.
class RandomStream {
 public:
  RandomStream() = default;
  RandomStream(std::uint64_t rep_key, StreamId stream, std::uint32_t entity)
      : key_(stream_key(rep_key, stream, entity)) {}
  explicit RandomStream(std::uint64_t key) : key_(key) {}

  /// Next raw 64-bit draw.
  std::uint64_t next_u64();
  /// Uniform on [0, 1) with 53 random bits.
  double uniform();
  /// Uniform on (0, 1): never 0, never 1.
  double uniform_open();
  /// Uniform on [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), n > 0, without modulo bias (Lemire 2019).
  std::uint64_t below(std::uint64_t n);
  /// True with probability p.
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal by the ziggurat method (Doornik 2005; one draw in 98.8% of calls).
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  /// Exponential with the given rate (> 0).
  double exponential(double rate);
  /// Poisson with mean lambda >= 0 (Knuth's product method, split into chunks of <= 16).
  std::int64_t poisson(double lambda);
  /// Failures before the first success, success probability p in [0, 1]; saturates at
  /// INT64_MAX (p = 0: never) instead of overflowing.
  std::int64_t geometric(double p);

  std::uint64_t draws() const { return draw_; }

 private:
  std::uint64_t key_ = 0;
  std::uint64_t draw_ = 0;
  std::uint64_t spare_ = 0;
};

}  // namespace proteus::engine
