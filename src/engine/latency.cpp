// Delay distributions over Philox streams, rounded to integer nanoseconds.
#include "engine/latency.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/detmath.hpp"

namespace proteus::engine {
namespace {

void require_finite(double v, const char* what) {
  if (!std::isfinite(v)) throw std::invalid_argument(std::string(what) + " must be finite");
}

}  // namespace

DelaySampler::DelaySampler(const DelaySpec& spec, RandomStream stream) : stream_(stream) {
  dist_ = spec.dist;
  switch (dist_) {
    case DelayDist::kConstant:
      a_ms_ = spec.value_ms;
      require_finite(a_ms_, "latency value_ms");
      constant_ = to_delay(a_ms_);
      break;
    case DelayDist::kUniform:
      a_ms_ = spec.low_ms;
      b_ms_ = spec.high_ms;
      require_finite(a_ms_, "latency low_ms");
      require_finite(b_ms_, "latency high_ms");
      if (b_ms_ < a_ms_) throw std::invalid_argument("latency high_ms must be >= low_ms");
      break;
    case DelayDist::kExponential:
      a_ms_ = spec.value_ms;
      require_finite(a_ms_, "latency value_ms");
      break;
    case DelayDist::kLognormal:
      a_ms_ = spec.median_ms;
      b_ms_ = spec.sigma;
      require_finite(a_ms_, "latency median_ms");
      require_finite(b_ms_, "latency sigma");
      break;
  }
}

SimTime DelaySampler::sample() {
  double ms = 0.0;
  switch (dist_) {
    case DelayDist::kConstant:
      return constant_;
    // Closed interval [low, high] up to the 2^-53 granularity of uniform(); rounding to ns
    // makes the distinction immaterial.
    case DelayDist::kUniform:
      ms = stream_.uniform(a_ms_, b_ms_);
      break;
    // Mean times a unit exponential, so a zero mean still takes its draw (stable counters).
    case DelayDist::kExponential:
      ms = a_ms_ * -det_log(stream_.uniform_open());
      break;
    case DelayDist::kLognormal:
      ms = a_ms_ * det_exp(b_ms_ * stream_.normal());
      break;
  }
  return to_delay(ms);
}

SimTime DelaySampler::max_delay() const {
  switch (dist_) {
    case DelayDist::kConstant:
      return constant_;
    case DelayDist::kUniform:
      // One nanosecond of margin: lo + (hi - lo) u may round an ulp above hi.
      return to_delay(b_ms_) + SimTime{1};
    case DelayDist::kExponential:
    case DelayDist::kLognormal:
      break;
  }
  return kMaxDelay;
}

SimTime DelaySampler::to_delay(double ms) {
  const double ns = ms * 1e6;
  if (!(ns > 0.0)) return SimTime{0};
  if (ns >= static_cast<double>(kMaxDelay.ns)) return kMaxDelay;
  return SimTime::from_ms(ms);  // computes the same ms * 1e6, then rounds
}

AgentLatency make_latency(const LatencySpec& spec, std::uint64_t rep_key, std::uint32_t entity) {
  return AgentLatency{
      .submit = DelaySampler(spec.submit, RandomStream{rep_key, StreamId::kLatencySubmit, entity}),
      .ack = DelaySampler(spec.ack, RandomStream{rep_key, StreamId::kLatencyAck, entity}),
      .fill = DelaySampler(spec.fill, RandomStream{rep_key, StreamId::kLatencyFill, entity}),
      .market_data = DelaySampler(spec.market_data,
                                  RandomStream{rep_key, StreamId::kLatencyMarketData, entity}),
  };
}

}  // namespace proteus::engine
