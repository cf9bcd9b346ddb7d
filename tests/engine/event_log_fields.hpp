// Test helpers: an in-memory event sink and readers of the engine's flat JSONL log lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/simulation.hpp"

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

/// Collects the event log in memory.
class VectorSink final : public EventSink {
 public:
  void write(std::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

/// "t" (and "p" for latent lines) of every line of `type` by `agent` (-1: any agent).
inline std::vector<std::string> times_of(const std::vector<std::string>& lines,
                                         const std::string& type, int agent = -1) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (field(l, "type") != type) continue;
    if (agent >= 0 && field(l, "agent") != std::to_string(agent)) continue;
    out.push_back(type == "latent" ? field(l, "t") + " " + field(l, "p") : field(l, "t"));
  }
  return out;
}

}  // namespace proteus::engine::testing
