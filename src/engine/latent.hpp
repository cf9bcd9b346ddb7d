// The latent probability p_t of the binary contract: a bounded log-odds process with
// mean reversion, Gaussian diffusion and Poisson jumps, stepped on a fixed grid.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/rng.hpp"
#include "engine/spec.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// x = logit(p) stepped every dt: x <- clamp(phi x + eta + J, -x_bound, x_bound) with
/// eta ~ N(0, sigma_eta^2 dt_s) and J a sum of Poisson(jump_rate dt_s) jump sizes. Draws only
/// from the run's kLatent stream of entity (kGlobal, 0); p is piecewise constant between steps.
class LatentProcess {
 public:
  /// Starts at time 0 with x = logit(p0) clamped to the bound, keeping the values of the steps
  /// that cover the last `history` of time for p_at. Throws std::invalid_argument for an
  /// unknown jump_dist, a step shorter than 1 ns, a non-finite parameter, a negative bound,
  /// jump rate or history.
  LatentProcess(const LatentSpec& spec, std::uint64_t rep_key, SimTime history = SimTime{0});

  /// Length of one step (dt_ms rounded to whole nanoseconds).
  SimTime dt() const { return dt_; }
  /// Time of the current step: steps() * dt(), or (steps() - 1) * dt() when the first step
  /// is at time 0 (latent.first_step = "at_zero").
  SimTime time() const { return SimTime{(steps_ - offset_) * dt_.ns}; }
  /// Time of the first step: dt(), or 0 with first_step = "at_zero".
  SimTime first_step_time() const { return SimTime{(1 - offset_) * dt_.ns}; }
  /// Number of steps taken since time 0.
  std::int64_t steps() const { return steps_; }
  /// Current log-odds, always in [-x_bound, x_bound].
  double x() const { return x_; }
  /// Current probability sigmoid(x), always in [0, 1].
  double p() const { return p_; }
  /// Probability before time 0 (p0 after clamping to the bound).
  double p_initial() const { return p_initial_; }

  /// Takes one step: time advances by dt.
  void advance();
  /// Takes every step whose time is at or before t (none when t < time() + dt); with
  /// first_step = "at_zero", before the first step time() is -dt.
  void advance_until(SimTime t);

  /// p of the last step at or before t (p_initial() for t < 0). Aborts with a message when t
  /// is older than time() - history or not before time() + dt (a step not taken yet).
  double p_at(SimTime t) const;

 private:
  double phi_;
  double diffusion_sd_;  // sigma_eta * sqrt(dt seconds)
  double x_bound_;
  double jump_mean_per_step_;  // Poisson mean of the jump count per step
  JumpDist jump_dist_;
  double jump_mean_;
  double jump_sd_;
  double jump_size_;
  SimTime dt_;
  SimTime history_;
  RandomStream stream_;
  double x_ = 0.0;
  double p_ = 0.5;
  double p_initial_ = 0.5;
  std::int64_t steps_ = 0;
  std::int64_t offset_ = 0;   // 1 when the first step is at time 0
  std::vector<double> ring_;  // p of step i at ring_[i & ring_mask_]; size a power of two
  std::size_t ring_mask_ = 0;
};

}  // namespace proteus::engine
