// Error-to-exit-code mapping of the `proteus` command.
#include "app/errors.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "app/exit_codes.hpp"
#include "engine/config.hpp"
#include "sweep/errors.hpp"

namespace proteus::app {

int exit_code_of(const std::exception& e) {
  if (dynamic_cast<const UsageError*>(&e) != nullptr ||
      dynamic_cast<const CLI::ParseError*>(&e) != nullptr ||
      dynamic_cast<const engine::ConfigError*>(&e) != nullptr ||
      dynamic_cast<const sweep::SweepUsageError*>(&e) != nullptr) {
    return kExitUsage;
  }
  return kExitRuntime;
}

int report_error(const std::exception& e, std::string_view prefix) {
  if (prefix.empty()) {
    fmt::print(stderr, "error: {}\n", e.what());
  } else {
    fmt::print(stderr, "error: {}: {}\n", prefix, e.what());
  }
  return exit_code_of(e);
}

}  // namespace proteus::app
