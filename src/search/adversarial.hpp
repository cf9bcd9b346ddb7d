// `proteus search adversarial`: the Cross-Entropy Method (Rubinstein 1999) over scenario keys,
// maximising the market maker's kill probability (then its mean drawdown); the top-K scenarios
// found become a scenario library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "search/evaluate.hpp"
#include "search/space.hpp"

namespace proteus::search {

struct AdversarialOptions {
  BaseScenario base;             ///< the scenario with the market maker's regime applied
  std::vector<Dimension> space;  ///< scenario keys searched
  std::uint64_t generations = 4;
  std::uint64_t population = 8;    ///< candidates per generation
  double elite_fraction = 0.25;    ///< share of each generation that updates the sampler
  std::uint64_t repetitions = 16;  ///< per candidate, common random numbers across candidates
  std::uint64_t master_seed = 1;
  std::uint64_t top_k = 3;
  double level = 0.95;
  std::filesystem::path out;      ///< gen-NNN.h5 panels, generations.csv, search.json
  std::filesystem::path library;  ///< where the top-K scenarios are written
  std::uint64_t batch = 0;
  std::function<void(const sweep::Progress&)> progress;  ///< rank 0
  std::function<void(const std::string&)> log;           ///< rank 0: one line per generation
};

/// One evaluated candidate of a search.
struct Scored {
  std::uint64_t generation = 0;
  std::uint64_t index = 0;
  std::vector<sweep::AxisValue> values;  ///< aligned with the search's keys
  CandidateStats stats;
  std::vector<std::uint64_t> killed_reps;  ///< repetitions where the kill switch latched
};

struct AdversarialResult {
  sweep::SweepSummary sweep;  ///< of the last generation run
  std::vector<Scored> all;    ///< rank 0: every candidate of every generation
  std::vector<Scored> top;    ///< rank 0: the top-K distinct candidates, most lethal first
  std::vector<double> mean;   ///< rank 0: the sampler's final mean per dimension (unit space)
  std::vector<double> sd;
};

/// Collective over MPI_COMM_WORLD. Generation g samples `population` candidates from
/// N(mean, sd) per dimension in [0, 1] (Philox stream of (seed, g)), runs them as one sweep
/// into out/gen-g.h5 (reused when complete, resumed when not), ranks them by (kill probability,
/// mean drawdown) and refits mean and sd to the elite (smoothed 0.7, sd at least 0.02). Rank 0
/// writes generations.csv, search.json and the library. Deterministic for a seed at any rank
/// count and across interruptions.
AdversarialResult run_adversarial(const sweep::MpiSession& mpi, const AdversarialOptions& options);

/// Orders candidates most lethal first: higher kill probability, then higher mean drawdown,
/// then earlier generation and index.
bool more_lethal(const Scored& a, const Scored& b);

}  // namespace proteus::search
