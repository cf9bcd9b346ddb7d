// `proteus report PANEL.h5`: summaries and paired contrasts of a sweep panel, printed as a
// table, CSV, JSON or Markdown and stored in the panel's /summary and /contrasts groups.
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

/// Registers the `report` subcommand on `app`; its callback sets `exit_code`.
void register_report_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
