// `proteus calibrate EXPERIMENT_OR_CONFIG --space ...`: a surviving market-maker regime
// (PT-010), run on every rank; rank 0 prints the pick and writes the folder.
#include "app/calibrate_command.hpp"

#include <fmt/format.h>

#include <memory>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/option_checks.hpp"
#include "app/search_options.hpp"
#include "search/calibrate.hpp"
#include "sweep/errors.hpp"
#include "sweep/mpi_session.hpp"

namespace proteus::app {
namespace {

struct CalibrateArgs {
  std::string target;
  std::string preset;
  std::vector<std::string> space;
  std::vector<std::string> fixed;
  std::string experiments_dir;
  std::string informed_key = "agents.informed.activity";
  double informed = 0.03;
  std::vector<double> sensitivity_informed = {0.03, 0.12, 0.24};
  std::vector<double> sensitivity_latency = {1.0, 25.0};
  double kill_max = 0.2;
  double pnl_floor = 0.0;
  std::uint64_t candidates = 16;
  std::uint64_t repetitions = 32;
  std::uint64_t seed = 1;
  std::string out;
  std::uint64_t batch = 0;
  bool quiet = false;
};

int run_calibrate_command(const CalibrateArgs& args) {
  sweep::MpiSession mpi;
  search::CalibrateOptions o;
  try {
    for (const auto& s : args.space) o.space.push_back(search::parse_dimension(s));
    for (const auto& f : args.fixed) o.fixed.push_back(search::parse_setting(f));
    if (mpi.rank() == 0) {
      o.base =
          search::load_base(args.target, args.preset, experiment_search_dirs(args.experiments_dir));
    }
  } catch (const std::exception& e) {
    return fail_setup(mpi, e);
  }
  o.target =
      args.preset.empty() ? args.target : fmt::format("{} --preset {}", args.target, args.preset);
  o.informed_key = args.informed_key;
  o.informed = args.informed;
  o.sensitivity_informed = args.sensitivity_informed;
  o.sensitivity_latency = args.sensitivity_latency;
  o.kill_max = args.kill_max;
  o.pnl_floor = args.pnl_floor;
  o.candidates = args.candidates;
  o.repetitions = args.repetitions;
  o.master_seed = args.seed;
  o.out = args.out;
  o.batch = args.batch;
  if (mpi.rank() == 0) {
    o.progress = progress_printer(args.quiet);
    if (!args.quiet) o.log = print_search_line;
  }
  try {
    const search::CalibrateResult r = search::run_calibrate(mpi, o);
    if (r.sweep.outcome == sweep::SweepOutcome::kPeerFailed)
      return r.sweep.peer_input_error ? kExitUsage : kExitRuntime;
    if (r.sweep.outcome != sweep::SweepOutcome::kComplete) {
      if (mpi.rank() == 0 && r.sweep.outcome == sweep::SweepOutcome::kInterrupted)
        fmt::print(stderr, "error: interrupted; run the same command again to resume\n");
      return r.sweep.outcome == sweep::SweepOutcome::kInterrupted ? kExitInterrupted : kExitRuntime;
    }
    if (mpi.rank() != 0) return kExitOk;
    if (!r.found) {
      fmt::print(stderr, "error: no regime survives (see {})\n",
                 (o.out / "calibration.md").string());
      return kExitRuntime;
    }
    fmt::print("regime: {}\nreport: {}\n", (o.out / "regime.toml").string(),
               (o.out / "calibration.md").string());
    return kExitOk;
  } catch (const std::exception& e) {
    return fail_collective(mpi, e);
  }
}

}  // namespace

void register_calibrate_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CalibrateArgs>();
  CLI::App* cmd =
      app.add_subcommand("calibrate",
                         "Search market-maker parameters for a regime that survives low informed "
                         "activity; writes it as a --regime TOML fragment with a report");
  cmd->add_option("TARGET", a->target, "Experiment name or scenario file")->required();
  cmd->add_option("--preset", a->preset, "Preset of an experiment TARGET");
  cmd->add_option("--space", a->space, "KEY=LO:HI[:log][:int] searched (repeatable)")->required();
  cmd->add_option("--fix", a->fixed, "KEY=VALUE the regime sets as given (repeatable)");
  cmd->add_option("--experiments", a->experiments_dir, "Directory of experiment files");
  cmd->add_option("--informed-key", a->informed_key, "Key of informed activity");
  cmd->add_option("--informed", a->informed, "Low informed activity to survive (default 0.03)");
  cmd->add_option("--sensitivity-informed", a->sensitivity_informed,
                  "Informed activities of the sensitivity grid")
      ->delimiter(',');
  cmd->add_option("--sensitivity-latency", a->sensitivity_latency,
                  "Latencies (ms, submit/ack/fill) of the sensitivity grid")
      ->delimiter(',');
  cmd->add_option("--kill-max", a->kill_max, "Survival: kill-probability upper bound below (0.2)")
      ->check(finite_in(0.0, 1.0));
  cmd->add_option("--pnl-floor", a->pnl_floor, "Survival: mean P&L above (default 0)");
  cmd->add_option("--candidates", a->candidates, "Candidates (default 16)")
      ->check(integer_in(1, 1'000'000));
  cmd->add_option("--repetitions", a->repetitions, "Repetitions per candidate (default 32)")
      ->check(integer_in(1, 1'000'000));
  cmd->add_option("--seed", a->seed, "Master seed (default 1)");
  cmd->add_option("--out", a->out, "Output folder")->required()->check(non_empty());
  cmd->add_option("--batch", a->batch, "Runs per batch (default: adaptive)")
      ->check(integer_in(1, 100'000));
  cmd->add_flag("--quiet", a->quiet, "No progress output");
  cmd->callback([a, &exit_code] { exit_code = run_calibrate_command(*a); });
}

}  // namespace proteus::app
