// Entry point of the `proteus` command: registers subcommands, maps errors to exit codes.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "app/allocator.hpp"
#include "app/errors.hpp"
#include "app/exit_codes.hpp"
#include "app/experiment_command.hpp"
#include "app/merge_command.hpp"
#include "app/report_command.hpp"
#include "app/sim_command.hpp"
#include "app/sweep_command.hpp"
#include "engine/config.hpp"
#include "proteus/version.hpp"

int main(int argc, char** argv) {
  proteus::app::tune_allocator();
  CLI::App app{"Proteus: deterministic market-design experiments"};
  app.set_version_flag(
      "--version", fmt::format("proteus {} (commit {}{})", proteus::kVersion, proteus::kGitCommit,
                               proteus::kGitDirty ? ", dirty" : ""));
  app.require_subcommand(1);
  int exit_code = proteus::app::kExitOk;
  proteus::app::register_sim_command(app, exit_code);
  proteus::app::add_sweep_commands(app, exit_code);
  proteus::app::register_merge_command(app, exit_code);
  proteus::app::register_report_command(app, exit_code);
  proteus::app::register_experiment_command(app, exit_code);
  // CLI11 answers an unknown first word with "A subcommand is required"; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string_view word = argv[1];
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      names.push_back(sub->get_name());
    }
    if (std::find(names.begin(), names.end(), word) == names.end()) {
      fmt::print(stderr, "error: unknown command '{}' (commands: {}; see proteus --help)\n",
                 proteus::engine::excerpt(word, 40), fmt::join(names, ", "));
      return proteus::app::kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "errors" with exit code 0; real usage errors are one
    // `error:` line and exit 2.
    if (e.get_exit_code() == 0) return app.exit(e);
    fmt::print(stderr, "error: {}\n", e.what());
    return proteus::app::kExitUsage;
  } catch (const std::exception& e) {
    // The one boundary: every library error arrives here typed (app/errors.hpp).
    return proteus::app::report_error(e);
  }
  return exit_code;
}
