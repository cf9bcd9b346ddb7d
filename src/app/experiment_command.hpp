// `proteus experiment run NAME --preset P --out DIR` and `proteus experiment list`
// (docs/experiments.md).
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

/// Registers the `experiment` subcommand (with `run` and `list`); callbacks set `exit_code`.
void register_experiment_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
