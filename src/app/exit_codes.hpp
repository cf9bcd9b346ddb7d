// Exit codes of the `proteus` command (docs/runbook.md lists them for users).
#pragma once

namespace proteus::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;      ///< a run or the job failed
inline constexpr int kExitUsage = 2;        ///< bad arguments or configuration
inline constexpr int kExitInterrupted = 3;  ///< stopped by SIGTERM/SIGINT, resumable

}  // namespace proteus::app
