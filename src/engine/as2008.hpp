// Reduced-form Avellaneda & Stoikov (2008) environment: one market maker against a
// random-walk mid and Poisson-like fills, as in the paper's section 4 simulations.
#pragma once

#include "engine/simulation.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// One run of the AS2008 environment. Metrics follow metric_registry("as2008"): profit
/// (cash + q_T S_T), final_inventory (q_T), mean_spread (average ask - bid over steps);
/// seed = repetition_key(key), events_processed = number of steps. Draws only from the
/// kEnvironment stream of entity 0. An invalid spec (unknown strategy, gamma, k, dt or T not
/// positive, A or sigma negative) gives status kError and NaN metrics; it never throws.
RunResult run_as2008(const As2008Spec& spec, RunKey key);

}  // namespace proteus::engine
