// `proteus search pareto`: seeded candidate generation with mutation of the frontier, three
// objectives (mean P&L up, kill-probability Wilson upper bound down, drawdown CVaR down), and
// the non-dominated set written as CSV and JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "search/adversarial.hpp"
#include "search/space.hpp"

namespace proteus::search {

struct ParetoOptions {
  BaseScenario base;
  std::vector<Dimension> space;       ///< market-maker (or any scenario) keys searched
  std::vector<sweep::Setting> fixed;  ///< keys every candidate sets as given
  std::uint64_t generations = 3;
  std::uint64_t population = 8;
  double mutation_sd = 0.1;  ///< of the mutation, in the unit cube of each dimension
  std::uint64_t repetitions = 16;
  std::uint64_t master_seed = 1;
  double level = 0.95;
  std::filesystem::path out;
  std::uint64_t batch = 0;
  std::function<void(const sweep::Progress&)> progress;
  std::function<void(const std::string&)> log;
};

struct ParetoResult {
  sweep::SweepSummary sweep;
  std::vector<Scored> all;       ///< rank 0: every candidate
  std::vector<Scored> frontier;  ///< rank 0: the non-dominated candidates, by mean P&L descending
};

/// Whether `a` dominates `b`: no worse on mean P&L (higher), kill upper bound and drawdown CVaR
/// (lower), better on at least one. Candidates with NaN objectives dominate nothing.
bool dominates(const CandidateStats& a, const CandidateStats& b);

/// The non-dominated subset of `candidates` (identical objective vectors all kept), ordered by
/// mean P&L descending, then generation and index.
std::vector<Scored> pareto_front(const std::vector<Scored>& candidates);

/// Collective. Generation 0 is a Latin hypercube; generation g > 0 mutates the current frontier
/// (parents in frontier order, cyclically; Gaussian steps of mutation_sd in the unit cube from
/// the Philox stream (seed, g)). Each generation is one sweep (out/gen-NNN.h5, reused or resumed
/// on rerun). Rank 0 writes candidates.csv, frontier.csv and frontier.json.
ParetoResult run_pareto(const sweep::MpiSession& mpi, const ParetoOptions& options);

}  // namespace proteus::search
