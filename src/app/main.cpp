// Entry point of the `proteus` command: registers subcommands, maps errors to exit codes.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "app/allocator.hpp"
#include "app/exit_codes.hpp"
#include "app/merge_command.hpp"
#include "app/report_command.hpp"
#include "app/sim_command.hpp"
#include "app/sweep_command.hpp"
#include "proteus/version.hpp"

int main(int argc, char** argv) {
  proteus::app::tune_allocator();
  CLI::App app{"Proteus: deterministic market-design experiments"};
  app.set_version_flag("--version",
                       fmt::format("proteus {} ({})", proteus::kVersion, proteus::kGitCommit));
  app.require_subcommand(1);
  int exit_code = proteus::app::kExitOk;
  proteus::app::register_sim_command(app, exit_code);
  proteus::app::add_sweep_commands(app, exit_code);
  proteus::app::register_merge_command(app, exit_code);
  proteus::app::register_report_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "errors" with exit code 0; real usage errors are one
    // `error:` line and exit 2.
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "error: {}\n", e.what());
    return proteus::app::kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return proteus::app::kExitRuntime;
  }
  return exit_code;
}
