// Orphan watchdog: polls getppid(), because SIGKILL of mpirun reaches no rank (measured: the
// ranks ran on for seconds, and sometimes finished and closed the panel).
#include "sweep/watchdog.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace proteus::sweep {

void start_orphan_watchdog(int rank) {
  static std::atomic<bool> started{false};
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr || started.exchange(true)) return;
  const pid_t parent = getppid();
  if (parent <= 1) return;
  std::thread([parent, rank] {
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      if (getppid() != parent) {
        // Only async-signal-safe calls from here: the other threads keep running.
        char line[160];
        const int n = std::snprintf(line, sizeof line,
                                    "error: rank %d: the launcher (pid %d) is gone; exiting "
                                    "(flushed runs are kept; finish with --resume)\n",
                                    rank, static_cast<int>(parent));
        if (n > 0) {
          [[maybe_unused]] const ssize_t w = write(STDERR_FILENO, line, static_cast<size_t>(n));
        }
        _exit(1);
      }
    }
  }).detach();
}

}  // namespace proteus::sweep
