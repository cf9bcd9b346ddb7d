// Per-agent signal: delayed latent value plus clipped Gaussian noise.
#include "engine/signal.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace proteus::engine {

SignalSource::SignalSource(const SignalSpec& spec, std::uint64_t rep_key, std::uint32_t entity)
    : delay_(SimTime::from_ms(spec.delay_ms)),
      noise_(spec.noise),
      stream_(rep_key, StreamId::kSignal, entity) {
  if (!(spec.delay_ms >= 0.0) || !std::isfinite(spec.delay_ms)) {
    throw std::invalid_argument("signal.delay_ms must be finite and >= 0");
  }
  if (!(spec.noise >= 0.0) || !std::isfinite(spec.noise)) {
    throw std::invalid_argument("signal.noise must be finite and >= 0");
  }
}

double SignalSource::observe(const LatentProcess& latent, SimTime now) {
  const double p = latent.p_at(now - delay_);
  if (noise_ == 0.0) return p;
  return std::clamp(p + noise_ * stream_.normal(), 0.0, 1.0);
}

}  // namespace proteus::engine
