// `proteus search adversarial|pareto` (docs/search.md): searches run as one sweep per
// generation on every rank; rank 0 prints a line per generation and writes the outputs.
#include "app/search_command.hpp"

#include <fmt/format.h>

#include <memory>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/option_checks.hpp"
#include "app/search_options.hpp"
#include "search/adversarial.hpp"
#include "search/pareto.hpp"
#include "sweep/mpi_session.hpp"

namespace proteus::app {
namespace {

struct AdversarialArgs {
  std::string scenario;
  std::string preset;
  std::string regime;
  std::vector<std::string> space;
  std::string experiments_dir;
  std::uint64_t generations = 4;
  std::uint64_t population = 8;
  double elite_fraction = 0.25;
  std::uint64_t repetitions = 16;
  std::uint64_t seed = 1;
  std::uint64_t top_k = 3;
  std::string out;
  std::string library;
  std::uint64_t batch = 0;
  bool quiet = false;
};

/// The exit code of a search whose last sweep did not complete (rank 0 explains).
int incomplete(const sweep::MpiSession& mpi, const sweep::SweepSummary& s, const std::string& out) {
  if (s.outcome == sweep::SweepOutcome::kPeerFailed)
    return s.peer_input_error ? kExitUsage : kExitRuntime;
  if (mpi.rank() == 0 && s.outcome == sweep::SweepOutcome::kInterrupted) {
    fmt::print(stderr,
               "error: interrupted: {}/{} runs of this generation in {}; run the same "
               "command again to resume\n",
               s.done, s.total, out);
  }
  return s.outcome == sweep::SweepOutcome::kInterrupted ? kExitInterrupted : kExitRuntime;
}

struct ParetoArgs {
  std::string scenario;
  std::string preset;
  std::vector<std::string> space;
  std::vector<std::string> fixed;
  std::string experiments_dir;
  std::uint64_t generations = 3;
  std::uint64_t population = 8;
  double mutation_sd = 0.1;
  std::uint64_t repetitions = 16;
  std::uint64_t seed = 1;
  std::string out;
  std::uint64_t batch = 0;
  bool quiet = false;
};

int run_pareto_command(const ParetoArgs& args) {
  sweep::MpiSession mpi;
  search::ParetoOptions o;
  try {
    for (const auto& s : args.space) o.space.push_back(search::parse_dimension(s));
    for (const auto& f : args.fixed) o.fixed.push_back(search::parse_setting(f));
    if (mpi.rank() == 0) {
      o.base = search::load_base(args.scenario, args.preset,
                                 experiment_search_dirs(args.experiments_dir));
    }
  } catch (const std::exception& e) {
    return fail_setup(mpi, e);
  }
  o.generations = args.generations;
  o.population = args.population;
  o.mutation_sd = args.mutation_sd;
  o.repetitions = args.repetitions;
  o.master_seed = args.seed;
  o.out = args.out;
  o.batch = args.batch;
  if (mpi.rank() == 0) {
    o.progress = progress_printer(args.quiet);
    if (!args.quiet) o.log = print_search_line;
  }
  try {
    const search::ParetoResult r = search::run_pareto(mpi, o);
    if (r.sweep.outcome != sweep::SweepOutcome::kComplete)
      return incomplete(mpi, r.sweep, args.out);
    if (mpi.rank() != 0) return kExitOk;
    fmt::print("frontier: {} of {} candidates in {}\n", r.frontier.size(), r.all.size(),
               (o.out / "frontier.csv").string());
    return kExitOk;
  } catch (const std::exception& e) {
    return fail_collective(mpi, e);
  }
}

int run_adversarial_command(const AdversarialArgs& args) {
  sweep::MpiSession mpi;
  search::AdversarialOptions o;
  try {
    for (const auto& s : args.space) o.space.push_back(search::parse_dimension(s));
    if (mpi.rank() == 0) {
      std::vector<sweep::Setting> regime;
      if (!args.regime.empty()) regime = search::read_regime(args.regime);
      o.base = search::load_base(args.scenario, args.preset,
                                 experiment_search_dirs(args.experiments_dir), regime);
    }
  } catch (const std::exception& e) {
    return fail_setup(mpi, e);
  }
  o.generations = args.generations;
  o.population = args.population;
  o.elite_fraction = args.elite_fraction;
  o.repetitions = args.repetitions;
  o.master_seed = args.seed;
  o.top_k = args.top_k;
  o.out = args.out;
  o.library = args.library.empty() ? o.out / "library" : std::filesystem::path(args.library);
  o.batch = args.batch;
  if (mpi.rank() == 0) {
    o.progress = progress_printer(args.quiet);
    if (!args.quiet) o.log = print_search_line;
  }
  try {
    const search::AdversarialResult r = search::run_adversarial(mpi, o);
    if (r.sweep.outcome != sweep::SweepOutcome::kComplete)
      return incomplete(mpi, r.sweep, args.out);
    if (mpi.rank() != 0) return kExitOk;
    fmt::print("top {} failure scenarios in {}:\n", r.top.size(), o.library.string());
    for (std::size_t i = 0; i < r.top.size(); ++i) {
      const auto& s = r.top[i].stats;
      fmt::print("  adv-{:03}: kill probability {:.3f} [{:.3f}, {:.3f}], mean drawdown {:.4g}\n",
                 i + 1, s.kill_p, s.kill_low, s.kill_high, s.drawdown_mean);
    }
    return kExitOk;
  } catch (const std::exception& e) {
    return fail_collective(mpi, e);
  }
}

}  // namespace

void register_search_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("search", "Searches over scenarios and strategies (MPI)");
  cmd->require_subcommand(1);
  auto a = std::make_shared<AdversarialArgs>();
  CLI::App* adv =
      cmd->add_subcommand("adversarial",
                          "Cross-Entropy Method over scenario keys for failure scenarios of the "
                          "market maker; writes the top-K as a scenario library");
  adv->add_option("SCENARIO", a->scenario, "Scenario file or experiment name")->required();
  adv->add_option("--preset", a->preset, "Preset of an experiment SCENARIO");
  adv->add_option("--regime", a->regime, "Market-maker regime (TOML fragment) merged over it");
  adv->add_option("--space", a->space, "KEY=LO:HI[:log][:int] searched (repeatable)")->required();
  adv->add_option("--experiments", a->experiments_dir, "Directory of experiment files");
  adv->add_option("--generations", a->generations, "Generations (default 4)")
      ->check(integer_in(1, 10'000));
  adv->add_option("--population", a->population, "Candidates per generation (default 8)")
      ->check(integer_in(2, 1'000'000));
  adv->add_option("--elite-fraction", a->elite_fraction, "Elite share (default 0.25)")
      ->check(finite_in(0.01, 1.0));
  adv->add_option("--repetitions", a->repetitions, "Repetitions per candidate (default 16)")
      ->check(integer_in(1, 1'000'000));
  adv->add_option("--seed", a->seed, "Master seed (default 1)");
  adv->add_option("--top-k", a->top_k, "Scenarios kept in the library (default 3)")
      ->check(integer_in(1, 10'000));
  adv->add_option("--out", a->out, "Output folder (panels per generation, CSV, JSON)")
      ->required()
      ->check(non_empty());
  adv->add_option("--library", a->library, "Scenario library folder (default OUT/library)");
  adv->add_option("--batch", a->batch, "Runs per batch (default: adaptive)")
      ->check(integer_in(1, 100'000));
  adv->add_flag("--quiet", a->quiet, "No progress output");
  adv->callback([a, &exit_code] { exit_code = run_adversarial_command(*a); });

  auto p = std::make_shared<ParetoArgs>();
  CLI::App* par = cmd->add_subcommand(
      "pareto",
      "Multi-objective search of market-maker keys (mean P&L up, kill upper bound and "
      "drawdown CVaR down); writes the frontier");
  par->add_option("SCENARIO", p->scenario, "Scenario file or experiment name")->required();
  par->add_option("--preset", p->preset, "Preset of an experiment SCENARIO");
  par->add_option("--space", p->space, "KEY=LO:HI[:log][:int] searched (repeatable)")->required();
  par->add_option("--fix", p->fixed, "KEY=VALUE every candidate sets (repeatable)");
  par->add_option("--experiments", p->experiments_dir, "Directory of experiment files");
  par->add_option("--generations", p->generations, "Generations (default 3)")
      ->check(integer_in(1, 10'000));
  par->add_option("--population", p->population, "Candidates per generation (default 8)")
      ->check(integer_in(1, 1'000'000));
  par->add_option("--mutation-sd", p->mutation_sd, "Mutation step in the unit cube (default 0.1)")
      ->check(finite_in(0.0, 1.0));
  par->add_option("--repetitions", p->repetitions, "Repetitions per candidate (default 16)")
      ->check(integer_in(1, 1'000'000));
  par->add_option("--seed", p->seed, "Master seed (default 1)");
  par->add_option("--out", p->out, "Output folder")->required()->check(non_empty());
  par->add_option("--batch", p->batch, "Runs per batch (default: adaptive)")
      ->check(integer_in(1, 100'000));
  par->add_flag("--quiet", p->quiet, "No progress output");
  par->callback([p, &exit_code] { exit_code = run_pareto_command(*p); });
}

}  // namespace proteus::app
