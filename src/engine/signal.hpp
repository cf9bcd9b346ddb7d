// Per-agent private signal: a delayed, noisy reading of the latent probability.
#pragma once

#include <cstdint>

#include "engine/latent.hpp"
#include "engine/rng.hpp"
#include "engine/spec.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// s = clip(p_{now - delay} + eps, 0, 1), eps ~ N(0, noise^2) drawn from the agent's own
/// kSignal stream; with noise 0 no draw is taken and s is the delayed p itself.
class SignalSource {
 public:
  /// Delay is delay_ms rounded to whole nanoseconds. Throws std::invalid_argument for a
  /// negative or non-finite delay or noise.
  SignalSource(const SignalSpec& spec, std::uint64_t rep_key, std::uint32_t entity);

  /// Signal at `now`. The latent process must have taken every step at or before now and keep
  /// at least delay() of history (LatentProcess::p_at aborts otherwise).
  double observe(const LatentProcess& latent, SimTime now);

  SimTime delay() const { return delay_; }
  double noise() const { return noise_; }
  /// Draws taken from the agent's signal stream so far.
  std::uint64_t draws() const { return stream_.draws(); }

 private:
  SimTime delay_;
  double noise_;
  RandomStream stream_;
};

}  // namespace proteus::engine
