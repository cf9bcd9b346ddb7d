// `proteus gate CANDIDATE BASELINE`: the promotion gate (docs/search.md). Exit codes are the
// verdict (PASS 0, FAIL 1, HOLD 2) or ERROR 3, usage errors included.
#include "app/gate_command.hpp"

#include <fmt/format.h>

#include <limits>
#include <memory>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/option_checks.hpp"
#include "app/search_options.hpp"
#include "search/gate.hpp"
#include "sweep/mpi_session.hpp"

namespace proteus::app {
namespace {

struct GateArgs {
  std::string candidate;
  std::string baseline;
  std::vector<std::string> libraries;
  std::vector<std::string> scenarios;
  std::string preset;
  std::string experiments_dir;
  std::uint64_t repetitions = 32;
  std::uint64_t seed = 1;
  double level = 0.95;
  double min_improvement = 0.0;
  double max_kill_increase = 0.0;
  double max_drawdown_increase = std::numeric_limits<double>::infinity();
  std::string out;
  std::uint64_t batch = 0;
  bool quiet = false;
};

int run_gate_command(const GateArgs& args) {
  sweep::MpiSession mpi;
  search::GateOptions o;
  o.candidate = args.candidate;
  o.baseline = args.baseline;
  for (const auto& l : args.libraries) o.libraries.emplace_back(l);
  o.scenarios = args.scenarios;
  o.preset = args.preset;
  o.experiment_dirs = experiment_search_dirs(args.experiments_dir);
  o.repetitions = args.repetitions;
  o.master_seed = args.seed;
  o.level = args.level;
  o.min_improvement = args.min_improvement;
  o.max_kill_increase = args.max_kill_increase;
  o.max_drawdown_increase = args.max_drawdown_increase;
  o.out = args.out;
  o.batch = args.batch;
  if (mpi.rank() == 0) {
    o.progress = progress_printer(args.quiet);
    if (!args.quiet) o.log = print_search_line;
  }
  try {
    const search::GateResult r = search::run_gate(mpi, o);
    if (r.sweep.outcome == sweep::SweepOutcome::kPeerFailed) return kGateError;
    if (r.sweep.outcome != sweep::SweepOutcome::kComplete) {
      if (mpi.rank() == 0) {
        fmt::print(
            stderr,
            "error: the gate did not finish ({}); run the same command again to "
            "resume it\n",
            r.sweep.outcome == sweep::SweepOutcome::kInterrupted ? "interrupted" : "a run failed");
      }
      return kGateError;
    }
    if (mpi.rank() != 0) return 0;
    fmt::print("{}\nreport: {} and {}\n", r.reason, (o.out / "gate.json").string(),
               (o.out / "gate.md").string());
    return static_cast<int>(r.verdict);
  } catch (const std::exception& e) {
    report_error(e);
    if (mpi.size() > 1 && exit_code_of(e) != kExitUsage) mpi.abort(kGateError);
    return kGateError;
  }
}

}  // namespace

void register_gate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gate",
      "Promotion gate: candidate regime vs baseline regime, paired on a scenario set; "
      "exit 0 PASS, 1 FAIL, 2 HOLD, 3 ERROR (usage errors too)");
  cmd->add_option("CANDIDATE", args->candidate, "Regime file of the candidate (TOML fragment)")
      ->required();
  cmd->add_option("BASELINE", args->baseline, "Regime file of the baseline (TOML fragment)")
      ->required();
  cmd->add_option("--library", args->libraries,
                  "Scenario library folder (verified by its manifest; repeatable)");
  cmd->add_option("--scenario", args->scenarios,
                  "Out-of-sample scenario file or experiment name (repeatable)");
  cmd->add_option("--preset", args->preset, "Preset of experiments given as --scenario");
  cmd->add_option("--experiments", args->experiments_dir, "Directory of experiment files");
  cmd->add_option("--repetitions", args->repetitions, "Repetitions per scenario (default 32)")
      ->check(integer_in(2, 1'000'000));
  cmd->add_option("--seed", args->seed, "Master seed (default 1)");
  cmd->add_option("--level", args->level, "Confidence level (default 0.95)")
      ->check(finite_in(0.5, 0.9999));
  cmd->add_option("--min-improvement", args->min_improvement,
                  "PASS needs the pooled P&L gain's lower bound above this (default 0)");
  cmd->add_option("--max-kill-increase", args->max_kill_increase,
                  "Guardrail: kill-probability rise allowed (default 0)");
  cmd->add_option("--max-drawdown-increase", args->max_drawdown_increase,
                  "Guardrail: drawdown rise allowed (default: none)");
  cmd->add_option("--out", args->out, "Folder of the panels and gate.json/gate.md")
      ->required()
      ->check(non_empty());
  cmd->add_option("--batch", args->batch, "Runs per batch (default: adaptive)")
      ->check(integer_in(1, 100'000));
  cmd->add_flag("--quiet", args->quiet, "No progress output");
  cmd->callback([args, &exit_code] { exit_code = run_gate_command(*args); });
}

}  // namespace proteus::app
