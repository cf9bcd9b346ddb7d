// `proteus sim CONFIG [--mechanism] [--rep] [--seed] [--set K=V]... [--events] [--format]`, or
// `proteus sim --from PANEL.h5 --cell C [--rep R]`: re-runs a stored run and checks its metrics.
#include "app/sim_command.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/json.hpp"
#include "app/option_checks.hpp"
#include "engine/config.hpp"
#include "engine/diagnostics.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/simulation.hpp"
#include "sweep/errors.hpp"
#include "sweep/panel.hpp"

namespace proteus::app {
namespace {

/// Largest --rep and --cell: the panel stores both as uint32, as sweeps do.
constexpr std::uint64_t kMaxIndex = 0xFFFF'FFFF;
/// Largest --seed: the same range as run.seed and sweep.master_seed.
constexpr std::uint64_t kMaxSeed = 0x7FFF'FFFF'FFFF'FFFF;

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
  bool diagnostics = false;  ///< also print the diagnostic counts (engine/diagnostics.hpp)
  std::uint64_t reps = 1;    ///< runs rep, rep + 1, ..., rep + reps - 1 (one output each)
};

/// Writes event-log lines to a file, buffered. Never throws from write() (it runs inside the
/// event loop): the first failure (a full disk) is kept and reported by close().
class FileSink final : public engine::EventSink {
 public:
  explicit FileSink(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "w")) {
    if (file_ == nullptr) error_ = errno;
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  ~FileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  void write(std::string_view line) override {
    if (error_ != 0) return;
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      error_ = errno != 0 ? errno : EIO;
    }
  }
  /// Whether the file could be created.
  bool is_open() const { return file_ != nullptr; }
  /// Flushes and closes; the error text (with strerror) of the first failure, or empty.
  std::string close() {
    if (file_ != nullptr) {
      if (std::fflush(file_) != 0 && error_ == 0) error_ = errno;
      if (std::fclose(std::exchange(file_, nullptr)) != 0 && error_ == 0) error_ = errno;
    }
    return error_ == 0 ? std::string()
                       : fmt::format("cannot write event log {}: {}", path_, std::strerror(error_));
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  int error_ = 0;
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
    sink = std::make_unique<FileSink>(*opt.events);
    if (!sink->is_open()) {
      fmt::print(stderr, "error: {}\n", sink->close());
      return kExitRuntime;
    }
  }
  const engine::RunResult r = engine::run_scenario(spec, key, sink.get());
  if (sink) {
    if (const std::string failure = sink->close(); !failure.empty()) {
      fmt::print(stderr, "error: {}\n", failure);
      return kExitRuntime;
    }
  }
  const engine::MetricRegistry registry = engine::metric_registry(spec);
  std::vector<std::string> differences;
  if (request.stored) differences = panel_differences(*request.stored, registry, r);
  if (opt.format == "json") {
    Json doc;
    doc["status"] = engine::to_string(r.status);
    doc["message"] = r.message;
    doc["mechanism"] = engine::to_string(spec.run.mechanism);
    doc["environment"] = engine::to_string(spec.run.environment);
    doc["master_seed"] = key.master_seed;
    doc["rep"] = key.rep;
    doc["seed"] = r.seed;
    doc["events_processed"] = r.events_processed;
    Json& metrics = doc["metrics"] = Json::object();
    for (std::size_t i = 0; i < registry.size(); ++i) {
      metrics[registry[i].name] = json_number(r.metrics[i]);
    }
    if (opt.diagnostics) {
      Json& diag = doc["diagnostics"] = Json::object();
      const auto names = engine::diagnostic_names();
      for (std::size_t i = 0; i < names.size(); ++i) {
        diag[std::string(names[i])] =
            json_number(i < r.diagnostics.size() ? r.diagnostics[i] : std::nan(""));
      }
    }
    if (request.stored) {
      doc["from"] = *opt.from;
      doc["cell"] = request.stored->cell;
      doc["matches_panel"] = differences.empty();
      doc["differences"] = differences;
    }
    fmt::print("{}", json_line(doc));
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
    if (opt.diagnostics) {
      fmt::print("\n");
      const auto names = engine::diagnostic_names();
      for (std::size_t i = 0; i < names.size(); ++i) {
        fmt::print("{:<24} {:>12.6g}\n", names[i],
                   i < r.diagnostics.size() ? r.diagnostics[i] : std::nan(""));
      }
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
    throw UsageError(fmt::format("give either CONFIG or --from PANEL.h5 (not {})",
                                 has_config ? "both" : "neither"));
  }
  RunRequest request;
  if (opt.from) {
    if (!opt.cell) throw UsageError("--from needs --cell (and optionally --rep)");
    if (opt.mechanism || opt.seed || !opt.overrides.empty() || opt.reps != 1) {
      throw UsageError(
          "--from re-runs the stored run as is; --mechanism, --seed, --set and --reps do not "
          "apply");
    }
    try {
      request.stored = sweep::read_panel_run(*opt.from, *opt.cell, opt.rep);
    } catch (const sweep::PanelError& e) {
      return report_error(e, *opt.from);  // HDF5's message names the call, not the file
    }
    request.spec = engine::load_scenario(request.stored->scenario_toml,
                                         fmt::format("{} cell {}", *opt.from, *opt.cell));
    request.key = engine::RunKey{request.stored->master_seed, opt.rep};
    return run_sim(opt, request);
  }
  std::vector<std::string> overrides = opt.overrides;
  if (opt.mechanism) overrides.push_back("run.mechanism=" + *opt.mechanism);
  request.spec = engine::load_scenario_file(opt.config, overrides);
  if (opt.reps > 1 && opt.format != "json") {
    throw UsageError("--reps above 1 needs --format json (one JSON line per run)");
  }
  if (opt.reps - 1 > kMaxIndex - opt.rep) {
    throw UsageError(fmt::format("--rep {} + --reps {} passes the largest repetition index {}",
                                 opt.rep, opt.reps, kMaxIndex));
  }
  int code = kExitOk;
  for (std::uint64_t i = 0; i < opt.reps; ++i) {
    request.key = engine::RunKey{opt.seed.value_or(request.spec.run.seed), opt.rep + i};
    const int c = run_sim(opt, request);
    if (code == kExitOk) code = c;
  }
  return code;
}

}  // namespace

void register_sim_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Run one simulation and print its metrics");
  sim->add_option("config", opt->config, "Scenario TOML file (or --from)")
      ->check(CLI::ExistingFile);
  sim->add_option("--from", opt->from,
                  "Re-run a stored run of this panel and compare its metrics with the row");
  sim->add_option("--cell", opt->cell, "Cell of the stored run (with --from)")
      ->check(integer_in(0, kMaxIndex));
  sim->add_option("--mechanism", opt->mechanism,
                  "Override run.mechanism (clob, fba, rfq, dual_flow)");
  sim->add_option("--rep", opt->rep, "Repetition index (default 0; with --from: of the stored run)")
      ->check(integer_in(0, kMaxIndex));
  sim->add_option("--seed", opt->seed, "Master seed (default: run.seed of the config)")
      ->check(integer_in(0, kMaxSeed));
  sim->add_option("--set", opt->overrides, "Override a key: --set agents.market_maker.h0=0.03")
      ->allow_extra_args(false);
  sim->add_option("--events", opt->events, "Write the event log (JSONL) to this file")
      ->check(non_empty());
  sim->add_flag("--diagnostics", opt->diagnostics,
                "Also print the run's diagnostic counts (trades by counterparty class, orders)");
  sim->add_option("--reps", opt->reps,
                  "Run this many repetitions from --rep on, one JSON line each (--format json)")
      ->check(integer_in(1, kMaxIndex));
  sim->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}));
  sim->callback([opt, &exit_code] { exit_code = run_sim_command(*opt); });
}

}  // namespace proteus::app
