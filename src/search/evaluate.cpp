// One search generation as one sweep, and the candidate statistics searches rank by.
#include "search/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "engine/config/toml_text.hpp"
#include "search/space.hpp"
#include "stats/proportion.hpp"
#include "stats/tail.hpp"
#include "sweep/errors.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_schema.hpp"

namespace proteus::search {
namespace {

enum class Mode : std::uint64_t { kFresh = 0, kResume = 1, kReuse = 2, kFailed = 3 };

std::vector<double> column(const sweep::PanelReader& reader, const std::string& metric,
                           std::uint64_t first, std::uint64_t count) {
  const auto index = reader.info().metrics.index_of(metric);
  if (!index) {
    throw sweep::SweepUsageError(fmt::format(
        "the search's scenario has no metric {} (a market environment is needed)", metric));
  }
  std::vector<double> out;
  reader.read_metric(*index, first, count, out);
  return out;
}

std::vector<CandidateRuns> read_candidates(const std::filesystem::path& panel) {
  const sweep::PanelReader reader = sweep::PanelReader::open(panel);
  const auto& info = reader.info();
  std::vector<CandidateRuns> out(info.cells);
  for (std::uint64_t c = 0; c < info.cells; ++c) {
    const std::uint64_t first = c * info.repetitions;
    auto& runs = out[c];
    runs.survival = column(reader, "mm_survival", first, info.repetitions);
    runs.pnl = column(reader, "mm_pnl", first, info.repetitions);
    runs.drawdown = column(reader, "mm_max_drawdown", first, info.repetitions);
    runs.time_to_kill = column(reader, "mm_time_to_kill", first, info.repetitions);
    std::vector<std::uint8_t> status;
    reader.read_status(first, info.repetitions, status);
    for (std::size_t r = 0; r < status.size(); ++r) {
      if (status[r] == sweep::schema::kStatusOk) continue;
      ++runs.failed;
      for (auto* v : {&runs.survival, &runs.pnl, &runs.drawdown, &runs.time_to_kill})
        (*v)[r] = std::nan("");
    }
  }
  return out;
}

std::vector<double> finite(const std::vector<double>& xs) {
  std::vector<double> out;
  for (double x : xs)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

}  // namespace

std::string generation_sweep_text(const Generation& gen) {
  std::string out = gen.scenario_text;
  out += fmt::format("\n[sweep]\nname = {}\nmaster_seed = {}\nrepetitions = {}\n\n[[grid.zip]]\n",
                     engine::quote_string(gen.name), gen.master_seed, gen.repetitions);
  std::vector<std::string> keys;
  keys.reserve(gen.keys.size());
  for (const auto& k : gen.keys) keys.push_back(engine::quote_string(k));
  out += fmt::format("keys = [{}]\nvalues = [\n", fmt::join(keys, ", "));
  for (const auto& point : gen.points) {
    std::vector<std::string> values;
    values.reserve(point.size());
    for (const auto& v : point) values.push_back(toml_literal(v));
    out += fmt::format("  [{}],\n", fmt::join(values, ", "));
  }
  out += "]\n";
  return out;
}

GenerationResult run_generation(const sweep::MpiSession& mpi, const Generation& gen,
                                std::uint64_t batch,
                                const std::function<void(const sweep::Progress&)>& progress) {
  GenerationResult result;
  std::string text;
  auto mode = static_cast<std::uint64_t>(Mode::kFresh);
  std::exception_ptr failure;
  if (mpi.rank() == 0 && gen.error) {
    failure = gen.error;
    mode = static_cast<std::uint64_t>(Mode::kFailed);
  } else if (mpi.rank() == 0) {
    try {
      text = generation_sweep_text(gen);
      std::filesystem::create_directories(gen.panel.parent_path());
      if (sweep::panel_exists(gen.panel)) {
        std::string stored;
        try {
          stored = sweep::read_panel_config(gen.panel);
        } catch (const std::exception&) {
          stored =
              text;  // damaged: the sweep's --resume rebuilds it from its journal or says why not
        }
        if (stored != text) {
          throw sweep::SweepUsageError(fmt::format(
              "{} holds a generation of another search (other scenario, space, seed, repetitions "
              "or earlier results): give this search a new --out folder or delete that one",
              gen.panel.string()));
        }
      }
      if (sweep::panel_exists(gen.panel) &&
          !std::filesystem::exists(sweep::journal_path(gen.panel))) {
        const sweep::PanelReader reader = sweep::PanelReader::open(gen.panel);
        if (reader.info().complete && reader.info().config_text == text) {
          mode = static_cast<std::uint64_t>(Mode::kReuse);
        } else {
          mode = static_cast<std::uint64_t>(Mode::kResume);
        }
      } else if (sweep::panel_exists(gen.panel) ||
                 std::filesystem::exists(sweep::journal_path(gen.panel))) {
        mode = static_cast<std::uint64_t>(Mode::kResume);
      }
    } catch (const std::exception&) {
      failure = std::current_exception();
      mode = static_cast<std::uint64_t>(Mode::kFailed);
    }
  }
  mpi.broadcast(mode);
  if (failure) std::rethrow_exception(failure);
  if (mode == static_cast<std::uint64_t>(Mode::kFailed)) {
    result.sweep.outcome = sweep::SweepOutcome::kPeerFailed;
    result.sweep.peer_input_error = true;
    return result;
  }
  if (mode != static_cast<std::uint64_t>(Mode::kReuse)) {
    sweep::SweepOptions options;
    options.sweep_file = gen.panel.parent_path() / (gen.panel.stem().string() + ".toml");
    options.config_text = text;
    options.out = gen.panel;
    options.resume = mode == static_cast<std::uint64_t>(Mode::kResume);
    options.batch = batch;
    options.progress = progress;
    result.sweep = sweep::run_sweep(mpi, options);
  } else {
    result.reused = true;
    result.sweep.total = gen.points.size() * gen.repetitions;
    result.sweep.done = result.sweep.total;
  }
  if (mpi.rank() != 0 || result.sweep.outcome != sweep::SweepOutcome::kComplete) return result;
  result.candidates = read_candidates(gen.panel);
  return result;
}

CandidateStats candidate_stats(const CandidateRuns& runs, double level) {
  CandidateStats s;
  const double nan = std::nan("");
  const auto survival = finite(runs.survival);
  s.n = survival.size();
  if (s.n == 0) {
    s.kill_p = s.kill_low = s.kill_high = s.pnl_mean = s.pnl_cvar = nan;
    s.drawdown_mean = s.drawdown_cvar = s.time_to_kill_mean = nan;
    return s;
  }
  for (double v : survival) s.kills += v < 0.5 ? 1 : 0;
  const stats::Proportion p = stats::wilson_interval(s.kills, s.n, level);
  s.kill_p = p.estimate;
  s.kill_low = p.ci_low;
  s.kill_high = p.ci_high;
  const auto pnl = finite(runs.pnl);
  const auto drawdown = finite(runs.drawdown);
  const auto ttk = finite(runs.time_to_kill);
  auto mean = [](const std::vector<double>& xs) {
    double sum = 0.0;
    for (double x : xs) sum += x;
    return xs.empty() ? std::nan("") : sum / static_cast<double>(xs.size());
  };
  s.pnl_mean = mean(pnl);
  s.pnl_cvar = pnl.empty() ? nan : stats::tail_risk(pnl, 0.95).cvar;
  s.drawdown_mean = mean(drawdown);
  if (drawdown.empty()) {
    s.drawdown_cvar = nan;
  } else {
    // A drawdown is a loss already: its CVaR is the P&L CVaR of its negation.
    std::vector<double> negated;
    negated.reserve(drawdown.size());
    for (double d : drawdown) negated.push_back(-d);
    s.drawdown_cvar = stats::tail_risk(negated, 0.95).cvar;
  }
  s.time_to_kill_mean = mean(ttk);
  return s;
}

}  // namespace proteus::search
