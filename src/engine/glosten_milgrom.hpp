// Reduced-form Glosten & Milgrom (1985) environment: a competitive market maker quotes
// zero-expected-profit bid and ask against a sequence of informed and uninformed traders and
// learns the asset's value from the order flow.
#pragma once

#include "engine/simulation.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// The market maker's quotes given its belief `prior` = P(V = v_high): ask = E[V | buy],
/// bid = E[V | sell] (Glosten & Milgrom 1985, eq. for the zero-profit quotes).
struct GmQuotes {
  double bid = 0.0;
  double ask = 0.0;
};
GmQuotes gm_quotes(const GlostenMilgromSpec& spec, double prior);

/// P(V = v_high) after observing a trade (`buy` true for a trader's buy) under `prior`
/// (Bayes' rule with P(buy | v_high) = mu + (1 - mu) / 2, P(buy | v_low) = (1 - mu) / 2).
double gm_posterior(const GlostenMilgromSpec& spec, double prior, bool buy);

/// One run of the environment. Metrics follow metric_registry("glosten_milgrom", ...):
/// mm_pnl, informed_pnl, noise_pnl (each summed over trades against the true value V; they
/// sum to zero), initial_spread, mean_spread, final_spread, belief_error (|E[V | flow] - V| at
/// the end). seed = repetition_key(key), events_processed = trades. Draws from the
/// kEnvironment stream of entity 0 in the fixed order: V once, then (trader type, side) per
/// trade. An invalid spec gives status kError and NaN metrics; it never throws.
RunResult run_glosten_milgrom(const GlostenMilgromSpec& spec, RunKey key);

}  // namespace proteus::engine
