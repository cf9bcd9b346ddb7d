// The `proteus merge` subcommand: joins the shard panels of one sweep into one panel.
#pragma once

#include <CLI/CLI.hpp>

namespace proteus::app {

/// Registers `merge OUT.h5 SHARD...` on `app`; when it runs, its exit code (0 merged, 1 HDF5
/// failure, 2 inputs from different configs, runs missing or duplicated, output exists) is
/// stored in `exit_code`.
void register_merge_command(CLI::App& app, int& exit_code);

}  // namespace proteus::app
