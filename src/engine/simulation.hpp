// One run: a pure function of (scenario, master seed, repetition).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/spec.hpp"

namespace proteus::engine {

/// Outcome class of a run; values are stored in the panel's status column.
enum class RunStatus : std::uint8_t {
  kOk = 0,
  kInvariantViolation = 1,  ///< the ledger or book broke an invariant; message names the event
  kError = 2,               ///< any other failure inside the run
};

constexpr std::string_view to_string(RunStatus s) {
  switch (s) {
    case RunStatus::kOk:
      return "ok";
    case RunStatus::kInvariantViolation:
      return "invariant_violation";
    case RunStatus::kError:
      return "error";
  }
  return "?";
}

/// Identifies a run's randomness: every stream derives from these two numbers only.
struct RunKey {
  std::uint64_t master_seed = 1;
  std::uint64_t rep = 0;
};

struct RunResult {
  RunStatus status = RunStatus::kOk;
  std::string message;          ///< empty when ok
  std::vector<double> metrics;  ///< aligned with metric_registry(spec)
  /// Market environment, status ok: counts aligned with diagnostic_names(); else empty.
  std::vector<double> diagnostics;
  std::uint64_t seed = 0;  ///< repetition_key(master_seed, rep)
  std::uint64_t events_processed = 0;
};

/// Receives the event log: one JSON object per call, without the trailing newline.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void write(std::string_view json_line) = 0;
};

/// Runs one simulation. Never throws for model outcomes: failures become a status.
RunResult run_scenario(const ScenarioSpec& spec, RunKey key, EventSink* events = nullptr);

}  // namespace proteus::engine
