// Latent value process: one step of the bounded log-odds recursion and the p history ring.
#include "engine/latent.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "engine/detmath.hpp"

namespace proteus::engine {
namespace {

// Always-on assertion: reading p outside the kept window is a wiring bug in the caller, and
// answering it with a wrong value would silently corrupt signals and metrics.
[[noreturn]] void fail(const char* what) {
  std::fputs(what, stderr);
  std::fputc('\n', stderr);
  std::abort();
}

double initial_x(double p0, double bound) {
  if (!(p0 > 0.0)) return -bound;
  if (!(p0 < 1.0)) return bound;
  return std::clamp(det_logit(p0), -bound, bound);
}

}  // namespace

LatentProcess::LatentProcess(const LatentSpec& spec, std::uint64_t rep_key, SimTime history)
    : phi_(spec.phi),
      x_bound_(spec.x_bound),
      jump_dist_(spec.jump_dist),
      jump_mean_(spec.jump_mean),
      jump_sd_(spec.jump_sd),
      jump_size_(spec.jump_size),
      dt_(SimTime::from_ms(spec.dt_ms)),
      history_(history),
      stream_(rep_key, StreamId::kLatent, entity(EntityClass::kGlobal, 0)),
      offset_(spec.first_step == LatentStart::kAtZero ? 1 : 0) {
  if (dt_.ns < 1) throw std::invalid_argument("latent.dt_ms must be at least 1e-6 (1 ns)");
  if (!(x_bound_ >= 0.0) || !std::isfinite(x_bound_)) {
    throw std::invalid_argument("latent.x_bound must be finite and >= 0");
  }
  for (const double v :
       {spec.phi, spec.sigma_eta, spec.jump_rate, spec.jump_mean, spec.jump_sd, spec.jump_size}) {
    // Finite inputs keep phi x + eta + J finite, so the clamp can never see a NaN.
    if (!std::isfinite(v)) throw std::invalid_argument("latent parameters must be finite");
  }
  if (spec.jump_rate < 0.0) throw std::invalid_argument("latent.jump_rate must be >= 0");
  if (history_.ns < 0) throw std::invalid_argument("latent history window must be >= 0");
  const double dt_s = dt_.seconds();
  diffusion_sd_ = spec.sigma_eta * std::sqrt(dt_s);
  jump_mean_per_step_ = spec.jump_rate * dt_s;
  x_ = initial_x(spec.p0, x_bound_);
  p_ = det_sigmoid(x_);
  p_initial_ = p_;
  // Steps floor((now - history) / dt) .. now / dt must be kept: at most history / dt + 2,
  // rounded up to a power of two so that a step's slot is a mask, not a division.
  ring_.assign(std::bit_ceil(static_cast<std::size_t>(history_.ns / dt_.ns + 2)), p_);
  ring_mask_ = ring_.size() - 1;
}

void LatentProcess::advance() {
  // The diffusion draw is taken even when sigma_eta = 0, so cells that sweep sigma_eta
  // see the same normals and the same jump draws (common random numbers).
  const double eta = diffusion_sd_ * stream_.normal();
  double jump = 0.0;
  const std::int64_t n = stream_.poisson(jump_mean_per_step_);
  for (std::int64_t i = 0; i < n; ++i) {
    if (jump_dist_ == JumpDist::kNormal) {
      jump += stream_.normal(jump_mean_, jump_sd_);
    } else {
      jump += stream_.bernoulli(0.5) ? jump_size_ : -jump_size_;
    }
  }
  x_ = std::clamp(phi_ * x_ + eta + jump, -x_bound_, x_bound_);
  p_ = det_sigmoid(x_);
  ++steps_;
  ring_[static_cast<std::size_t>(steps_) & ring_mask_] = p_;
}

void LatentProcess::advance_until(SimTime t) {
  while (time() + dt_ <= t) advance();
}

double LatentProcess::p_at(SimTime t) const {
  if (t < time() - history_) fail("LatentProcess::p_at: time older than the history window");
  if (t >= time() + dt_) fail("LatentProcess::p_at: time of a step not taken yet");
  if (t.ns < 0) return p_initial_;
  return ring_[static_cast<std::size_t>(t.ns / dt_.ns + offset_) & ring_mask_];
}

}  // namespace proteus::engine
