// Entry point of the `proteus` command.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "app/sweep_command.hpp"
#include "proteus/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Proteus: deterministic market-design experiments"};
  app.set_version_flag("--version",
                       fmt::format("proteus {} ({})", proteus::kVersion, proteus::kGitCommit));
  app.require_subcommand(1);
  int exit_code = 0;
  proteus::app::add_sweep_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0; real usage errors exit 2.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
