// SIGTERM/SIGINT as a request to stop: a sweep stops handing out work, flushes and returns
// kInterrupted; an adaptive sweep stops before its next block.
#pragma once

namespace proteus::sweep {

/// Installs SIGTERM/SIGINT handlers for its lifetime that record the signal. Scopes nest
/// (run_sweep holds one, run_adaptive_sweep another around its blocks); the outermost one
/// clears the record when it begins and restores the previous handlers when it ends, so a
/// signal received between two sweeps of one adaptive run stops the next one.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  /// Whether a signal arrived since the outermost scope began.
  static bool interrupted();
};

}  // namespace proteus::sweep
