// Glosten, L. R. & Milgrom, P. R. (1985), "Bid, ask and transaction prices in a specialist
// market with heterogeneously informed traders", Journal of Financial Economics 14(1): the
// sequential-trade model with a binary value, one trader per step.
#include "engine/glosten_milgrom.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {
namespace {

RunResult invalid(RunResult result, std::string message) {
  result.status = RunStatus::kError;
  result.message = std::move(message);
  result.metrics.assign(metric_registry("glosten_milgrom", {}).size(),
                        std::numeric_limits<double>::quiet_NaN());
  return result;
}

double value_given(const GlostenMilgromSpec& spec, double p_high) {
  return spec.v_low + p_high * (spec.v_high - spec.v_low);
}

}  // namespace

double gm_posterior(const GlostenMilgromSpec& spec, double prior, bool buy) {
  const double informed = spec.mu;
  const double noise = (1.0 - spec.mu) / 2.0;  // an uninformed trader buys with probability 1/2
  // Likelihood of the observed side under each value.
  const double if_high = buy ? informed + noise : noise;
  const double if_low = buy ? noise : informed + noise;
  const double num = prior * if_high;
  const double den = num + (1.0 - prior) * if_low;
  return den > 0.0 ? num / den : prior;
}

GmQuotes gm_quotes(const GlostenMilgromSpec& spec, double prior) {
  return GmQuotes{value_given(spec, gm_posterior(spec, prior, false)),
                  value_given(spec, gm_posterior(spec, prior, true))};
}

RunResult run_glosten_milgrom(const GlostenMilgromSpec& spec, RunKey key) {
  RunResult result;
  result.seed = repetition_key(key.master_seed, key.rep);
  if (!(spec.v_high > spec.v_low) || !(spec.mu >= 0.0 && spec.mu <= 1.0) ||
      !(spec.prior > 0.0 && spec.prior < 1.0) || spec.trades < 1) {
    return invalid(result,
                   "glosten_milgrom: v_high must exceed v_low, mu lie in [0, 1], prior in (0, 1) "
                   "and trades be >= 1");
  }
  RandomStream stream{result.seed, StreamId::kEnvironment, 0};
  const bool high = stream.uniform() < spec.prior;
  const double v = high ? spec.v_high : spec.v_low;

  double belief = spec.prior;  // the market maker's P(V = v_high)
  double mm = 0.0, informed_pnl = 0.0, noise_pnl = 0.0;
  double spread_sum = 0.0, first_spread = 0.0, last_spread = 0.0;
  for (int n = 0; n < spec.trades; ++n) {
    const GmQuotes q = gm_quotes(spec, belief);
    last_spread = q.ask - q.bid;
    if (n == 0) first_spread = last_spread;
    spread_sum += last_spread;
    // Both uniforms are drawn every step so that every trade uses the same draws whatever
    // mu is (common random numbers across mu).
    const bool is_informed = stream.uniform() < spec.mu;
    const bool noise_buys = stream.uniform() < 0.5;
    const bool buy = is_informed ? high : noise_buys;
    // The trader's gain against the true value; the market maker takes the other side.
    const double gain = buy ? v - q.ask : q.bid - v;
    (is_informed ? informed_pnl : noise_pnl) += gain;
    mm -= gain;
    belief = gm_posterior(spec, belief, buy);
  }
  result.metrics = {mm,
                    informed_pnl,
                    noise_pnl,
                    first_spread,
                    spread_sum / static_cast<double>(spec.trades),
                    last_spread,
                    std::fabs(value_given(spec, belief) - v)};
  result.events_processed = static_cast<std::uint64_t>(spec.trades);
  return result;
}

}  // namespace proteus::engine
