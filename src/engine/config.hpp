// Scenario configuration: TOML text -> ScenarioSpec, with errors that name file, line,
// column and key. A config either loads whole or throws; nothing is half-applied. The
// implementation lives in engine/config/ (key table, loader, checks, overrides, TOML text).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/config/toml_text.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// A bad configuration: unknown key, wrong type, out-of-range value or bad override.
/// what() is "<file>:<line>:<column>: <message>", or "<file>: <message>" with line and column 0
/// when there is no position; for a --set override the file is "--set <key>=<value>".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, int column, std::string key, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_;
};

/// Why run.mechanism = "dual_flow" needs mechanism.dual_flow.acknowledge_gate = true.
inline constexpr std::string_view kDualFlowGateMessage =
    "run.mechanism = \"dual_flow\" is gated (predecessor ticket PT-017: the dual-flow batch is "
    "compared only after the CLOB, FBA and RFQ parity gates have passed); set "
    "mechanism.dual_flow.acknowledge_gate = true to acknowledge the gate and run it";

/// Parses and validates a scenario. `source` names the text in errors. Each override is
/// "dotted.key=value" (value in TOML syntax; bare words are strings) and is applied before
/// validation; an override naming an unknown key is an error.
ScenarioSpec load_scenario(std::string_view toml_text, std::string_view source,
                           std::span<const std::string> overrides = {});

/// Largest config file read: 16 MiB (a scenario or sweep file is a few kilobytes).
inline constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;

/// The bytes of `path`. A directory, an unreadable file or one longer than kMaxConfigBytes is
/// a ConfigError; reading stops just past the cap, so /dev/zero fails at once.
std::string read_config_file(const std::filesystem::path& path);

/// Reads `path` (read_config_file) and calls load_scenario.
ScenarioSpec load_scenario_file(const std::filesystem::path& path,
                                std::span<const std::string> overrides = {});

/// Why `value` is not an allowed value of the enumerated `key` (e.g. run.mechanism), with a
/// did-you-mean suggestion; nothing when it is allowed or `key` is not an enumerated key.
std::optional<std::string> choice_error(std::string_view key, std::string_view value);

/// Every resolved key of a spec (defaults included) as dotted key -> canonical TOML value,
/// sorted by key: what parity checks and config diffs compare.
std::map<std::string, std::string> resolved_keys(const ScenarioSpec& spec);

/// The latency.default.* key that a class latency key (latency.<class>.<channel>.<field>)
/// inherits its default from: class profiles start as copies of the default profile. For a
/// latency.default.* key, the key itself; nothing for a key outside latency.
std::optional<std::string> latency_default_key(std::string_view key);

}  // namespace proteus::engine
