// `proteus search adversarial|pareto` (docs/search.md).
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

void register_search_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
