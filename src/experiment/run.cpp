// Runs one experiment preset: the generated sweep, the gate, the adaptive sweep into the
// versioned folder, the report stored in the panel and the findings over it.
#include "experiment/run.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>

#include "engine/config.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel.hpp"
#include "sweep/sha256.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::experiment {
namespace {

constexpr std::size_t kShortHash = 8;

/// Why a folder of a required experiment does not count; empty when it does.
std::string folder_problem(const std::filesystem::path& folder) {
  const auto panel = folder / "panel.h5";
  if (!std::filesystem::exists(panel)) return "no panel.h5";
  try {
    const sweep::PanelReader reader = sweep::PanelReader::open(panel);
    if (!reader.info().complete) return "its panel is not complete (resume that experiment)";
    const sweep::SweepPlan plan = sweep::load_sweep(reader.info().config_text, panel.string());
    const auto violations = sweep::check_parity(plan);
    if (!violations.empty()) {
      return fmt::format("its treatment parity check fails: {}",
                         fmt::join(sweep::describe(plan, violations), "; "));
    }
  } catch (const std::exception& e) {
    return fmt::format("its panel cannot be used: {}", e.what());
  }
  if (!std::filesystem::exists(folder / "report.json"))
    return "no report.json (the run did not finish)";
  return {};
}

}  // namespace

std::filesystem::path folder_of(const std::filesystem::path& out_dir, const std::string& name,
                                const std::string& preset, const std::string& sha256) {
  return out_dir / fmt::format("{}-{}-{}", name, preset, sha256.substr(0, kShortHash));
}

ResolvedPreset resolve_preset(const ExperimentSpec& spec, const Preset& preset,
                              const std::filesystem::path& regime, const std::string& source) {
  ResolvedPreset out;
  out.sweep_text = preset_sweep_text(spec, preset, regime);
  out.config_sha256 = sweep::sha256_hex(out.sweep_text);
  sweep::SweepPlan plan;
  try {
    plan = sweep::load_sweep(out.sweep_text, source);
  } catch (const engine::ConfigError& e) {
    // The position is in the generated text: say how to see it.
    const std::string what = e.what();
    const auto at = what.find(": ", std::min(what.size(), e.file().size()));
    throw engine::ConfigError(
        e.file(), e.line(), e.column(), e.key(),
        fmt::format("{} (in the sweep generated from {} [preset.{}]; `proteus experiment "
                    "validate {} --preset {}` prints it)",
                    at == std::string::npos ? what : what.substr(at + 2), spec.file.string(),
                    preset.name, spec.file.string(), preset.name));
  }
  const auto violations = sweep::check_parity(plan);
  if (!violations.empty()) {
    throw sweep::SweepUsageError(fmt::format(
        "treatment parity violated in {}: contrasted cells differ outside the treatment axes: {}",
        source, fmt::join(sweep::describe(plan, violations), "; ")));
  }
  for (const auto& m : report_metrics(spec)) {
    if (!plan.metrics.index_of(m)) {
      // Point at the metric's first mention as a string in the experiment file.
      const auto at = spec.text.find("\"" + m + "\"");
      int line = 0;
      int column = 0;
      if (at != std::string::npos) {
        const auto upto = spec.text.begin() + static_cast<std::ptrdiff_t>(at);
        line = 1 + static_cast<int>(std::count(spec.text.begin(), upto, '\n'));
        const auto start = spec.text.rfind('\n', at);
        column = static_cast<int>(at - (start == std::string::npos ? 0 : start + 1)) + 1;
      }
      throw engine::ConfigError(spec.file.string(), line, column, m,
                                fmt::format("metric '{}' is not a column of this experiment's "
                                            "panel (docs/metrics.md)",
                                            m));
    }
  }
  out.master_seed = plan.master_seed;
  out.cells = plan.cells.size();
  out.runs = plan.total_runs();
  for (const auto& m : plan.metrics) out.metrics.emplace_back(m.name);
  return out;
}

void check_gate(const ExperimentSpec& spec, const std::string& preset,
                const std::filesystem::path& out_dir) {
  std::vector<std::string> problems;
  for (const auto& required : spec.requires_experiments) {
    const std::string prefix = fmt::format("{}-{}-", required, preset);
    std::vector<std::string> rejected;
    bool passed = false;
    if (std::filesystem::is_directory(out_dir)) {
      std::vector<std::filesystem::path> folders;
      for (const auto& entry : std::filesystem::directory_iterator(out_dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory() && name.starts_with(prefix) &&
            name.size() == prefix.size() + kShortHash) {
          folders.push_back(entry.path());
        }
      }
      std::sort(folders.begin(), folders.end());
      for (const auto& folder : folders) {
        const std::string problem = folder_problem(folder);
        if (problem.empty()) {
          passed = true;
          break;
        }
        rejected.push_back(fmt::format("{}: {}", folder.string(), problem));
      }
    }
    if (passed) continue;
    problems.push_back(
        rejected.empty()
            ? fmt::format("{}: no results in {} (no folder {}*; run `proteus experiment run {} "
                          "--preset {} --out {}` first)",
                          required, out_dir.string(), prefix, required, preset, out_dir.string())
            : fmt::format("{}: {}", required, fmt::join(rejected, "; ")));
  }
  if (!problems.empty()) {
    throw GateRefused(fmt::format(
        "experiment {} is gated (PT-017): it runs only after {} have results for preset {} in {} "
        "that passed their parity checks; {}",
        spec.name, fmt::join(spec.requires_experiments, " and "), preset, out_dir.string(),
        fmt::join(problems, "; ")));
  }
}

ExperimentRun run_experiment(const sweep::MpiSession& mpi, const RunOptions& options) {
  ExperimentRun run;
  std::uint64_t code = 0;
  std::exception_ptr failure;
  sweep::AdaptiveOptions adaptive;
  if (mpi.rank() == 0) {
    try {
      run.spec = load_experiment(find_experiment(options.name, options.search_dirs));
      run.preset = run.spec.preset(options.preset);
      // Errors in the generated text name the file the run would write it to.
      const std::string text = preset_sweep_text(run.spec, run.preset, options.regime);
      run.folder =
          folder_of(options.out_dir, run.spec.name, run.preset.name, sweep::sha256_hex(text));
      const ResolvedPreset resolved = resolve_preset(
          run.spec, run.preset, options.regime,
          fmt::format("{} [preset.{}] generated sweep", run.spec.file.string(), run.preset.name));
      run.sweep_text = resolved.sweep_text;
      run.config_sha256 = resolved.config_sha256;
      run.master_seed = resolved.master_seed;
      for (const auto& g : options.goals) {
        if (std::find(resolved.metrics.begin(), resolved.metrics.end(), g.metric) ==
            resolved.metrics.end()) {
          throw sweep::SweepUsageError(
              fmt::format("--target {}: unknown metric '{}'", to_text(g), g.metric));
        }
      }
      check_gate(run.spec, run.preset.name, options.out_dir);
      std::filesystem::create_directories(run.folder);
      auto file = fmt::output_file((run.folder / "sweep.toml").string());
      file.print("{}", run.sweep_text);
      file.close();
      const auto panel = run.folder / "panel.h5";
      run.resumed =
          std::filesystem::exists(panel) || std::filesystem::exists(sweep::journal_path(panel));
    } catch (const std::exception&) {
      failure = std::current_exception();
      code = 1;
    }
  }
  mpi.broadcast(code);
  if (failure) std::rethrow_exception(failure);
  if (code != 0) {
    run.adaptive.sweep.outcome = sweep::SweepOutcome::kPeerFailed;
    run.adaptive.sweep.peer_input_error = true;
    return run;
  }
  adaptive.sweep.sweep_file = run.folder / "sweep.toml";
  adaptive.sweep.config_text = run.sweep_text;
  adaptive.sweep.out = run.folder / "panel.h5";
  adaptive.sweep.resume = run.resumed;
  adaptive.sweep.batch = options.batch;
  adaptive.sweep.progress = options.progress;
  adaptive.sweep.notice = options.notice;
  adaptive.goals = options.goals;
  adaptive.block = run.preset.block;
  adaptive.cap = run.preset.max_repetitions;
  adaptive.on_block = options.on_block;
  run.adaptive = sweep::run_adaptive_sweep(mpi, adaptive);
  if (mpi.rank() != 0 || run.adaptive.sweep.outcome != sweep::SweepOutcome::kComplete) return run;

  sweep::ReportOptions report_options;
  report_options.metrics = report_metrics(run.spec);
  {
    const sweep::PanelReader reader = sweep::PanelReader::open(adaptive.sweep.out);
    for (const auto& m : reader.info().metrics.primary()) {
      if (std::find(report_options.metrics.begin(), report_options.metrics.end(), m) ==
          report_options.metrics.end()) {
        report_options.metrics.push_back(m);
      }
    }
  }
  run.report = sweep::compute_report(adaptive.sweep.out, report_options);
  sweep::write_report(adaptive.sweep.out, run.report);
  run.report.panel = "panel.h5";  // relative: the folder moves as a whole
  run.findings = evaluate(run.spec, run.report, adaptive.sweep.out);
  run.primary_precision = sweep::evaluate_goals(
      adaptive.sweep.out, {sweep::PrecisionGoal{run.spec.primary_metric, 1.0, false}},
      run.adaptive.repetitions, run.report.level);
  for (auto& p : run.primary_precision) {
    p.target = std::nan("");
    p.met = false;
  }
  return run;
}

}  // namespace proteus::experiment
