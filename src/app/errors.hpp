// The one boundary where errors become an `error:` line and an exit code (exit_codes.hpp).
#pragma once

#include <exception>
#include <stdexcept>
#include <string_view>

namespace proteus::app {

/// A misuse of the command line found by the command itself (exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Exit code of an error: kExitUsage for bad input (app::UsageError, CLI11 parse errors,
/// engine::ConfigError, sweep::SweepUsageError including a damaged panel), kExitRuntime for
/// everything else (sweep::PanelError and MpiError: the environment failed).
int exit_code_of(const std::exception& e);

/// Prints `error: <what>` as one line on stderr, with `prefix: ` before it when `prefix` is not
/// empty, and returns exit_code_of(e).
int report_error(const std::exception& e, std::string_view prefix = {});

}  // namespace proteus::app
