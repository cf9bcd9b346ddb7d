// Seeded delays between an agent and the mechanism: one sampler per channel and agent.
#pragma once

#include <cstdint>

#include "engine/rng.hpp"
#include "engine/spec.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Draws delays from one DelaySpec over one random stream it owns: constant (no draws),
/// uniform on [low_ms, high_ms], exponential with mean value_ms, or lognormal
/// median_ms * e^(sigma Z). Results are rounded to whole nanoseconds and clamped to
/// [0, kMaxDelay].
class DelaySampler {
 public:
  /// Longest delay ever returned (1e9 s, about 32 years): keeps rounding of extreme lognormal
  /// draws inside int64 nanoseconds.
  static constexpr SimTime kMaxDelay = SimTime{1'000'000'000'000'000};

  /// Zero delay, no draws.
  DelaySampler() = default;
  /// Throws std::invalid_argument for an unknown dist or a non-finite parameter of the chosen
  /// dist, or uniform with high_ms < low_ms.
  DelaySampler(const DelaySpec& spec, RandomStream stream);

  /// Next delay.
  SimTime sample();

  /// Upper bound of every delay sample() returns: the constant, the uniform's high end, or
  /// kMaxDelay for the unbounded exponential and lognormal.
  SimTime max_delay() const;

  /// Draws taken from the stream so far.
  std::uint64_t draws() const { return stream_.draws(); }

 private:
  static SimTime to_delay(double ms);
  DelayDist dist_ = DelayDist::kConstant;
  SimTime constant_{0};  // the delay of a constant distribution, rounded once
  double a_ms_ = 0.0;    // constant: value; uniform: low; exponential: mean; lognormal: median
  double b_ms_ = 0.0;    // uniform: high; lognormal: sigma
  RandomStream stream_;
};

/// The four delay channels of one agent, each over its own stream.
struct AgentLatency {
  DelaySampler submit;       ///< agent -> mechanism (orders, cancels)
  DelaySampler ack;          ///< mechanism -> agent (accept, reject, cancel confirmations)
  DelaySampler fill;         ///< mechanism -> agent (fill notifications)
  DelaySampler market_data;  ///< mechanism -> agent (public view updates)
};

/// Samplers of agent `entity` on streams kLatencySubmit, kLatencyAck, kLatencyFill and
/// kLatencyMarketData, so drawing on one channel or agent never shifts another.
AgentLatency make_latency(const LatencySpec& spec, std::uint64_t rep_key, std::uint32_t entity);

}  // namespace proteus::engine
