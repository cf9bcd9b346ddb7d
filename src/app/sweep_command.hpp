// The `proteus sweep` and `proteus validate` subcommands.
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

/// Registers `sweep` and `validate` on `app`; when one of them runs, its exit code
/// (0 ok, 1 runtime failure, 2 usage or config error, 3 interrupted) is stored in `exit_code`.
void add_sweep_commands(CLI::App& app, int& exit_code);

}  // namespace proteus::app
