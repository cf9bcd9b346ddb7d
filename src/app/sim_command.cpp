// `proteus sim CONFIG [--mechanism] [--rep] [--seed] [--set K=V]... [--events] [--format]`.
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
#include "engine/config.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/simulation.hpp"

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

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{}", v);
}

int run_sim(const SimOptions& opt) {
  std::vector<std::string> overrides = opt.overrides;
  if (opt.mechanism) overrides.push_back("run.mechanism=" + *opt.mechanism);
  engine::ScenarioSpec spec;
  try {
    spec = engine::load_scenario_file(opt.config, overrides);
  } catch (const engine::ConfigError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kExitUsage;
  }
  const engine::RunKey key{opt.seed.value_or(spec.run.seed), opt.rep};
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
  const auto registry = engine::metric_registry(spec.run.environment);
  if (opt.format == "json") {
    std::string metrics;
    for (std::size_t i = 0; i < registry.size(); ++i) {
      metrics += fmt::format("{}\"{}\":{}", i == 0 ? "" : ",", registry[i].name,
                             json_number(r.metrics[i]));
    }
    fmt::print(
        "{{\"status\":\"{}\",\"message\":\"{}\",\"mechanism\":\"{}\",\"environment\":\"{}\","
        "\"master_seed\":{},\"rep\":{},\"seed\":{},\"events_processed\":{},\"metrics\":{{{}}}}}\n",
        engine::to_string(r.status), r.message, spec.run.mechanism, spec.run.environment,
        key.master_seed, key.rep, r.seed, r.events_processed, metrics);
  } else {
    fmt::print("status            {}\n", engine::to_string(r.status));
    if (!r.message.empty()) fmt::print("message           {}\n", r.message);
    fmt::print("environment       {}\nmechanism         {}\n", spec.run.environment,
               spec.run.mechanism);
    fmt::print("master seed       {}\nrep               {}\nseed              {:#018x}\n",
               key.master_seed, key.rep, r.seed);
    fmt::print("events processed  {}\n\n", r.events_processed);
    for (std::size_t i = 0; i < registry.size(); ++i) {
      fmt::print("{:<20} {:>16.6g}  {}\n", registry[i].name, r.metrics[i], registry[i].units);
    }
  }
  if (r.status != engine::RunStatus::kOk) {
    fmt::print(stderr, "error: run {}: {}\n", engine::to_string(r.status), r.message);
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

void register_sim_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Run one simulation and print its metrics");
  sim->add_option("config", opt->config, "Scenario TOML file")
      ->required()
      ->check(CLI::ExistingFile);
  sim->add_option("--mechanism", opt->mechanism,
                  "Override run.mechanism (clob, fba, rfq, dual_flow)");
  sim->add_option("--rep", opt->rep, "Repetition index (default 0)");
  sim->add_option("--seed", opt->seed, "Master seed (default: run.seed of the config)");
  sim->add_option("--set", opt->overrides, "Override a key: --set agents.market_maker.h0=0.03")
      ->allow_extra_args(false);
  sim->add_option("--events", opt->events, "Write the event log (JSONL) to this file");
  sim->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}));
  sim->callback([opt, &exit_code] { exit_code = run_sim(*opt); });
}

}  // namespace proteus::app
