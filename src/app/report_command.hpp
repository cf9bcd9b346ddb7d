// `proteus report PANEL.h5`: summaries and paired contrasts of a sweep panel, printed as a
// table, CSV, JSON or Markdown and stored in the panel's /summary and /contrasts groups.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "app/json.hpp"
#include "sweep/reduction.hpp"

namespace proteus::app {

/// The `proteus report --format json` document of a report.
Json report_json(const sweep::Report& report);

/// A report as `proteus report` prints it: format "table", "csv", "json" or "markdown".
std::string format_report(const sweep::Report& report, const std::string& format);

/// Registers the `report` subcommand on `app`; its callback sets `exit_code`.
void register_report_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
