// `proteus gate` (docs/search.md).
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

/// Exit code of `proteus gate` for every error (usage errors included): ERROR.
inline constexpr int kGateError = 3;

void register_gate_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
