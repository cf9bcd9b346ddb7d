// `proteus sim`: one run of a scenario, printed as a table or one JSON object.
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

/// Registers the `sim` subcommand on `app`; its callback sets `exit_code`.
void register_sim_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
