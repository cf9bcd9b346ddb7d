// Test helper: reads fields of the engine's flat JSONL event-log lines.
#pragma once

#include <cstdint>
#include <string>

namespace proteus::engine::testing {

/// The value of `key` in one flat JSON line (numbers, or strings without escapes); empty when
/// the line has no such key.
inline std::string field(const std::string& line, const std::string& key) {
  const std::string pat = "\"" + key + "\":";
  const auto at = line.find(pat);
  if (at == std::string::npos) return {};
  const auto begin = at + pat.size();
  if (line[begin] == '"') return line.substr(begin + 1, line.find('"', begin + 1) - begin - 1);
  return line.substr(begin, line.find_first_of(",}", begin) - begin);
}

/// An integer field.
inline std::int64_t num(const std::string& line, const std::string& key) {
  return std::stoll(field(line, key));
}

}  // namespace proteus::engine::testing
