// Entry point of the `proteus` command.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "proteus/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Proteus: deterministic market-design experiments"};
  app.set_version_flag("--version", fmt::format("proteus {} ({})", proteus::kVersion, proteus::kGitCommit));
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
