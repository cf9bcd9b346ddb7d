// `proteus sim CONFIG [--mechanism] [--rep] [--seed] [--set K=V]... [--events] [--format]`, or
// `proteus sim --from PANEL.h5 --cell C [--rep R]`: re-runs a stored run and checks its metrics.
#include "app/sim_command.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "app/json.hpp"
#include "engine/config.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/simulation.hpp"
#include "sweep/errors.hpp"
#include "sweep/panel.hpp"

namespace proteus::app {
namespace {

struct SimOptions {
  std::string config;
  std::optional<std::string> mechanism;
  std::uint64_t rep = 0;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> overrides;
  std::optional<std::string> events;
  std::string format = "table";
  std::optional<std::string> from;  ///< panel to re-run a stored run from
  std::optional<std::uint64_t> cell;
};

/// Writes event-log lines to a file, buffered; flushes on destruction.
class FileSink final : public engine::EventSink {
 public:
  explicit FileSink(const std::string& path) : out_(fmt::output_file(path)) {}
  void write(std::string_view line) override { out_.print("{}\n", line); }
  void close() { out_.close(); }

 private:
  fmt::ostream out_;
};

/// Whether two stored metric values are the same bits' worth: equal, or both NaN.
bool same_metric(double stored, double rerun) {
  return stored == rerun || (std::isnan(stored) && std::isnan(rerun));
}

/// A run to execute: its spec and key, plus the stored result when re-running a panel row.
struct RunRequest {
  engine::ScenarioSpec spec;
  engine::RunKey key;
  std::optional<sweep::StoredRun> stored;
};

/// Differences between the stored row and the re-run ("metric: stored X, re-run Y").
std::vector<std::string> panel_differences(const sweep::StoredRun& stored,
                                           const engine::MetricRegistry& registry,
                                           const engine::RunResult& r) {
  std::vector<std::string> out;
  if (stored.status == sweep::kStatusPending) {
    out.emplace_back("the panel has no result for this run yet (status pending)");
    return out;
  }
  if (stored.status != static_cast<std::uint8_t>(r.status)) {
    out.push_back(
        fmt::format("status: stored {}, re-run {}", stored.status, static_cast<int>(r.status)));
  }
  if (stored.seed != r.seed) {
    out.push_back(fmt::format("seed: stored {:#018x}, re-run {:#018x}", stored.seed, r.seed));
  }
  // By name: the panel has a column for every horizon of any cell, the run only its own
  // (a panel column the run does not have is stored as NaN).
  for (std::size_t i = 0; i < stored.metrics.size(); ++i) {
    const std::optional<std::size_t> j = registry.index_of(stored.metric_names[i]);
    const double rerun = j && *j < r.metrics.size() ? r.metrics[*j] : std::nan("");
    if (!same_metric(stored.metrics[i], rerun)) {
      out.push_back(fmt::format("{}: stored {}, re-run {}", stored.metric_names[i],
                                stored.metrics[i], rerun));
    }
  }
  return out;
}

int run_sim(const SimOptions& opt, const RunRequest& request) {
  const engine::ScenarioSpec& spec = request.spec;
  const engine::RunKey key = request.key;
  std::unique_ptr<FileSink> sink;
  if (opt.events) {
    try {
      sink = std::make_unique<FileSink>(*opt.events);
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: cannot write event log {}: {}\n", *opt.events, e.what());
      return kExitRuntime;
    }
  }
  const engine::RunResult r = engine::run_scenario(spec, key, sink.get());
  if (sink) sink->close();
  const engine::MetricRegistry registry = engine::metric_registry(spec);
  std::vector<std::string> differences;
  if (request.stored) differences = panel_differences(*request.stored, registry, r);
  if (opt.format == "json") {
    std::string metrics;
    for (std::size_t i = 0; i < registry.size(); ++i) {
      metrics += fmt::format("{}\"{}\":{}", i == 0 ? "" : ",", registry[i].name,
                             json_number(r.metrics[i]));
    }
    std::string from;
    if (request.stored) {
      std::vector<std::string> quoted;
      for (const auto& d : differences) quoted.push_back(json_string(d));
      from = fmt::format(",\"from\":{},\"cell\":{},\"matches_panel\":{},\"differences\":[{}]",
                         json_string(*opt.from), request.stored->cell,
                         differences.empty() ? "true" : "false", fmt::join(quoted, ","));
    }
    fmt::print(
        "{{\"status\":\"{}\",\"message\":{},\"mechanism\":\"{}\",\"environment\":\"{}\","
        "\"master_seed\":{},\"rep\":{},\"seed\":{},\"events_processed\":{},\"metrics\":{{{}}}{}}}"
        "\n",
        engine::to_string(r.status), json_string(r.message), engine::to_string(spec.run.mechanism),
        engine::to_string(spec.run.environment), key.master_seed, key.rep, r.seed,
        r.events_processed, metrics, from);
  } else {
    if (request.stored) {
      fmt::print("panel             {} (cell {}, rep {})\n", *opt.from, request.stored->cell,
                 key.rep);
    }
    fmt::print("status            {}\n", engine::to_string(r.status));
    if (!r.message.empty()) fmt::print("message           {}\n", r.message);
    fmt::print("environment       {}\nmechanism         {}\n",
               engine::to_string(spec.run.environment), engine::to_string(spec.run.mechanism));
    fmt::print("master seed       {}\nrep               {}\nseed              {:#018x}\n",
               key.master_seed, key.rep, r.seed);
    fmt::print("events processed  {}\n\n", r.events_processed);
    for (std::size_t i = 0; i < registry.size(); ++i) {
      fmt::print("{:<20} {:>16.6g}  {}\n", registry[i].name, r.metrics[i], registry[i].units);
    }
    if (request.stored) {
      fmt::print("\nmatches panel: {}\n", differences.empty() ? "yes" : "no");
      for (const auto& d : differences) fmt::print("  {}\n", d);
    }
  }
  if (!differences.empty()) {
    fmt::print(stderr, "error: the re-run differs from the panel in {} value(s)\n",
               differences.size());
    return kExitRuntime;
  }
  if (r.status != engine::RunStatus::kOk) {
    fmt::print(stderr, "error: run {}: {}\n", engine::to_string(r.status), r.message);
    return kExitRuntime;
  }
  return kExitOk;
}

/// Builds the run from CONFIG and its overrides, or from a panel row with --from.
int run_sim_command(const SimOptions& opt) {
  const bool has_config = !opt.config.empty();
  if (has_config == opt.from.has_value()) {
    fmt::print(stderr, "error: give either CONFIG or --from PANEL.h5 (not {})\n",
               has_config ? "both" : "neither");
    return kExitUsage;
  }
  RunRequest request;
  if (opt.from) {
    if (!opt.cell) {
      fmt::print(stderr, "error: --from needs --cell (and optionally --rep)\n");
      return kExitUsage;
    }
    if (opt.mechanism || opt.seed || !opt.overrides.empty()) {
      fmt::print(stderr,
                 "error: --from re-runs the stored run as is; --mechanism, --seed and --set do "
                 "not apply\n");
      return kExitUsage;
    }
    try {
      request.stored = sweep::read_panel_run(*opt.from, *opt.cell, opt.rep);
      request.spec = engine::load_scenario(request.stored->scenario_toml,
                                           fmt::format("{} cell {}", *opt.from, *opt.cell));
    } catch (const sweep::SweepUsageError& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      return kExitUsage;
    } catch (const sweep::PanelError& e) {
      fmt::print(stderr, "error: {}: {}\n", *opt.from, e.what());
      return kExitUsage;
    } catch (const engine::ConfigError& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      return kExitUsage;
    }
    request.key = engine::RunKey{request.stored->master_seed, opt.rep};
    return run_sim(opt, request);
  }
  std::vector<std::string> overrides = opt.overrides;
  if (opt.mechanism) overrides.push_back("run.mechanism=" + *opt.mechanism);
  try {
    request.spec = engine::load_scenario_file(opt.config, overrides);
  } catch (const engine::ConfigError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kExitUsage;
  }
  request.key = engine::RunKey{opt.seed.value_or(request.spec.run.seed), opt.rep};
  return run_sim(opt, request);
}

}  // namespace

void register_sim_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Run one simulation and print its metrics");
  sim->add_option("config", opt->config, "Scenario TOML file (or --from)")
      ->check(CLI::ExistingFile);
  sim->add_option("--from", opt->from,
                  "Re-run a stored run of this panel and compare its metrics with the row");
  sim->add_option("--cell", opt->cell, "Cell of the stored run (with --from)");
  sim->add_option("--mechanism", opt->mechanism,
                  "Override run.mechanism (clob, fba, rfq, dual_flow)");
  sim->add_option("--rep", opt->rep,
                  "Repetition index (default 0; with --from: of the stored run)");
  sim->add_option("--seed", opt->seed, "Master seed (default: run.seed of the config)");
  sim->add_option("--set", opt->overrides, "Override a key: --set agents.market_maker.h0=0.03")
      ->allow_extra_args(false);
  sim->add_option("--events", opt->events, "Write the event log (JSONL) to this file");
  sim->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}));
  sim->callback([opt, &exit_code] { exit_code = run_sim_command(*opt); });
}

}  // namespace proteus::app
