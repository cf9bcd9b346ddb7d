// `proteus experiment run|list`: finds the experiment files, runs one preset on every rank and,
// on rank 0, writes the folder's reports and metadata and calls proteus-plot when installed.
#include "app/experiment_command.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/experiment_output.hpp"
#include "app/option_checks.hpp"
#include "app/search_options.hpp"
#include "experiment/run.hpp"
#include "experiment/spec.hpp"
#include "sweep/mpi_session.hpp"

extern char** environ;

namespace proteus::app {
namespace {

struct ExperimentArgs {
  std::string name;
  std::string preset;
  std::string out;
  std::string regime;
  std::vector<std::string> targets;
  std::string experiments_dir;
  std::uint64_t batch = 0;
  bool quiet = false;
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

/// The program on PATH called `name`, or empty.
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::string_view rest(path);
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::filesystem::path candidate =
        std::filesystem::path(std::string(rest.substr(0, colon))) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

/// proteus-plot beside this binary (where the build puts it), else on PATH, else the source
/// tree's python/proteus-plot above the binary; empty when none is executable.
std::string find_plot() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && access((exe.parent_path() / "proteus-plot").c_str(), X_OK) == 0) {
    return (exe.parent_path() / "proteus-plot").string();
  }
  if (std::string found = on_path("proteus-plot"); !found.empty()) return found;
  if (!ec) {
    auto dir = exe.parent_path();
    for (int up = 0; up < 5 && !dir.empty(); ++up, dir = dir.parent_path()) {
      if (access((dir / "python/proteus-plot").c_str(), X_OK) == 0) {
        return (dir / "python/proteus-plot").string();
      }
    }
  }
  return {};
}

/// Runs proteus-plot FOLDER --out FOLDER/figures when it is installed; figures are optional.
void make_figures(const std::filesystem::path& folder) {
  const std::string plot = find_plot();
  if (plot.empty()) {
    fmt::print(stderr,
               "note: figures skipped: no proteus-plot beside proteus, on PATH or in python/ "
               "(docs/experiments.md)\n");
    return;
  }
  const std::string folder_text = folder.string();
  const std::string figures = (folder / "figures").string();
  std::vector<char*> argv = {const_cast<char*>(plot.c_str()),
                             const_cast<char*>(folder_text.c_str()), const_cast<char*>("--out"),
                             const_cast<char*>(figures.c_str()), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, plot.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    fmt::print(stderr, "warning: could not start {}\n", plot);
    return;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fmt::print(stderr, "warning: {} failed (status {}); the reports are written\n", plot, status);
  }
}

int run_experiment_command(const ExperimentArgs& args) {
  sweep::MpiSession mpi;
  const auto start = std::chrono::steady_clock::now();
  const std::string start_time = utc_now();
  experiment::RunOptions options;
  options.name = args.name;
  options.preset = args.preset;
  options.out_dir = args.out;
  options.regime = args.regime;
  options.search_dirs = experiment_search_dirs(args.experiments_dir);
  options.batch = args.batch;
  try {
    for (const auto& t : args.targets) options.goals.push_back(sweep::parse_goal(t));
  } catch (const std::exception& e) {
    return mpi.rank() == 0 ? report_error(e) : exit_code_of(e);
  }
  if (mpi.rank() == 0) {
    options.notice = [](const std::string& text) { fmt::print(stderr, "note: {}\n", text); };
    if (!args.quiet) {
      options.progress = [](const sweep::Progress& p) {
        if (p.final) {
          fmt::print(stderr, "progress: {}/{} runs, {:.1f} s, {} failed\n", p.done, p.total,
                     p.elapsed_s, p.failed);
        }
      };
    }
    options.on_block = [](const sweep::BlockPrecision& b) {
      fmt::print(stderr,
                 "precision: block {} ({} repetitions): {}/{} targets met, max half-width / target "
                 "{:.3g}\n",
                 b.block, b.repetitions, b.meeting, b.total, b.max_ratio);
    };
  }
  try {
    const experiment::ExperimentRun run = experiment::run_experiment(mpi, options);
    const auto& summary = run.adaptive.sweep;
    if (mpi.rank() != 0) {
      if (summary.outcome != sweep::SweepOutcome::kPeerFailed) return kExitOk;
      return summary.peer_input_error ? kExitUsage : kExitRuntime;
    }
    if (summary.outcome == sweep::SweepOutcome::kInterrupted) {
      fmt::print(stderr,
                 "error: interrupted: {}/{} runs in {}; run the same command again to resume\n",
                 summary.done, summary.total, run.folder.string());
      return kExitInterrupted;
    }
    if (summary.outcome == sweep::SweepOutcome::kFailedFast) return kExitRuntime;
    SessionInfo session;
    session.command = fmt::format(
        "proteus experiment run {} --preset {} --out {}{}{}", args.name, args.preset, args.out,
        args.regime.empty() ? "" : " --regime " + args.regime,
        args.targets.empty() ? ""
                             : fmt::format(" --target {}", fmt::join(args.targets, " --target ")));
    session.start_time = start_time;
    session.end_time = utc_now();
    session.wall_time_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    session.ranks = mpi.size();
    session.targets = args.targets;
    session.regime = args.regime;
    write_experiment_folder(run, session);
    fmt::print("{}", findings_markdown(run));
    fmt::print("\nfolder: {}\n", run.folder.string());
    if (summary.failed > 0) {
      fmt::print(stderr, "warning: {} runs failed (status and /errors in {})\n", summary.failed,
                 (run.folder / "panel.h5").string());
    }
    make_figures(run.folder);
    return kExitOk;
  } catch (const std::exception& e) {
    const int code = exit_code_of(e);
    if (code == kExitUsage || mpi.size() == 1) return report_error(e);
    report_error(e, fmt::format("rank {}", mpi.rank()));
    mpi.abort(code);
  }
}

/// `proteus experiment validate NAME [--preset P]`: every preset (or one) resolved and checked.
int run_validate_command(const ExperimentArgs& args) {
  try {
    const auto file =
        experiment::find_experiment(args.name, experiment_search_dirs(args.experiments_dir));
    const experiment::ExperimentSpec spec = experiment::load_experiment(file);
    fmt::print("experiment {} ({})\n{}\ndecision rule: {}\n", spec.name, file.string(),
               spec.description, spec.decision_rule());
    if (!spec.requires_experiments.empty()) {
      fmt::print("gated on: {}\n", fmt::join(spec.requires_experiments, ", "));
    }
    for (const auto& preset : spec.presets) {
      if (!args.preset.empty() && preset.name != args.preset) continue;
      const std::string source =
          fmt::format("{} [preset.{}] generated sweep", file.string(), preset.name);
      if (!args.preset.empty()) {
        fmt::print("--- generated sweep text (line numbers as in error messages) ---\n{}---\n",
                   experiment::preset_sweep_text(spec, preset, args.regime));
      }
      const experiment::ResolvedPreset r =
          experiment::resolve_preset(spec, preset, args.regime, source);
      fmt::print(
          "preset {}: {} cells x {} repetitions = {} runs (block {}, cap {}); parity ok; folder "
          "{}\n",
          preset.name, r.cells, preset.repetitions, r.runs,
          preset.block > 0 ? preset.block : preset.repetitions,
          preset.max_repetitions > 0 ? preset.max_repetitions : 16 * preset.repetitions,
          experiment::folder_of("DIR", spec.name, preset.name, r.config_sha256).string());
    }
    if (!args.preset.empty()) spec.preset(args.preset);  // names the presets when none matched
    return kExitOk;
  } catch (const std::exception& e) {
    return report_error(e);
  }
}

int run_list_command(const std::string& dir) {
  const auto dirs = experiment_search_dirs(dir);
  const auto files = experiment::list_experiments(dirs);
  if (files.empty()) {
    std::vector<std::string> names;
    names.reserve(dirs.size());
    for (const auto& d : dirs) names.push_back(d.string());
    fmt::print(stderr, "error: no experiment files in {}\n", fmt::join(names, ", "));
    return kExitUsage;
  }
  for (const auto& file : files) {
    try {
      const experiment::ExperimentSpec spec = experiment::load_experiment(file);
      std::vector<std::string> presets;
      for (const auto& p : spec.presets) {
        presets.push_back(fmt::format("{} ({} reps)", p.name, p.repetitions));
      }
      fmt::print("{:<10} {}\n           presets: {}; primary: {} ({} is better){}\n", spec.name,
                 spec.description, fmt::join(presets, ", "), spec.primary_metric,
                 spec.better == experiment::Better::kLower ? "lower" : "higher",
                 spec.requires_experiments.empty()
                     ? ""
                     : fmt::format("; gated on {}", fmt::join(spec.requires_experiments, ", ")));
    } catch (const std::exception& e) {
      fmt::print("{:<10} (invalid: {})\n", file.stem().string(), e.what());
    }
  }
  return kExitOk;
}

}  // namespace

void register_experiment_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "experiment", "Run a declared experiment (configs/experiments/) into a versioned folder");
  cmd->require_subcommand(1);
  auto args = std::make_shared<ExperimentArgs>();
  CLI::App* run = cmd->add_subcommand("run", "Run one preset of an experiment (mpirun or alone)");
  run->add_option("NAME", args->name, "Experiment name (proteus experiment list) or .toml file")
      ->required();
  run->add_option("--preset", args->preset, "quick, ci or paper (as the experiment declares)")
      ->required();
  run->add_option("--out", args->out, "Directory of the versioned result folders")
      ->required()
      ->check(non_empty());
  run->add_option("--regime", args->regime,
                  "TOML file of scenario keys (a market-maker regime) merged over the scenario");
  run->add_option("--target", args->targets,
                  "METRIC=HALFWIDTH or contrast:METRIC=HALFWIDTH: grow the panel in blocks "
                  "until every cell (contrast) meets it, up to the preset's cap (repeatable)")
      ->allow_extra_args(false);
  run->add_option("--experiments", args->experiments_dir,
                  "Directory of experiment files (default: configs/experiments)");
  run->add_option("--batch", args->batch, "Runs per batch (default: adaptive)")
      ->check(integer_in(1, 100'000));
  run->add_flag("--quiet", args->quiet, "No progress output");
  run->callback([args, &exit_code] { exit_code = run_experiment_command(*args); });

  auto check = std::make_shared<ExperimentArgs>();
  CLI::App* validate = cmd->add_subcommand(
      "validate",
      "Resolve and check every preset of an experiment (with --preset: print its sweep)");
  validate->add_option("NAME", check->name, "Experiment name or .toml file")->required();
  validate->add_option("--preset", check->preset, "Only this preset; prints its sweep text");
  validate->add_option("--regime", check->regime, "Regime file merged over the scenario");
  validate->add_option("--experiments", check->experiments_dir, "Directory of experiment files");
  validate->callback([check, &exit_code] { exit_code = run_validate_command(*check); });

  auto dir = std::make_shared<std::string>();
  CLI::App* list = cmd->add_subcommand("list", "List the experiments and their presets");
  list->add_option("--experiments", *dir, "Directory of experiment files");
  list->callback([dir, &exit_code] { exit_code = run_list_command(*dir); });
}

}  // namespace proteus::app
