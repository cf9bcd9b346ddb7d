// `proteus calibrate` (docs/search.md).
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

void register_calibrate_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
