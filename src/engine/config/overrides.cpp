// --set overrides: "dotted.key=value" checked against the key table and written into the
// parsed document before it is converted, so an override behaves like a line of the file.
// Implements part of engine/config/loader.hpp.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "engine/config.hpp"
#include "engine/config/keys.hpp"
#include "engine/config/loader.hpp"
#include "engine/config/suggest.hpp"
#include "engine/config/toml_text.hpp"

namespace proteus::engine::detail {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

/// A word the shell would pass unquoted that TOML cannot read, e.g. fba: taken as a string.
bool is_bare_word(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f &&
           std::string_view("\"'[]{}=#,\\").find(c) == std::string_view::npos;
  });
}

/// Splits an override key into its segments, rejecting unknown keys with a suggestion.
std::vector<std::string> check_override_key(std::string_view key, const std::string& where) {
  const Registry& reg = registry();
  std::vector<std::string> segments;
  std::string prefix;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string segment(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    auto level = reg.children.find(prefix);
    const bool known = level != reg.children.end() &&
                       std::binary_search(level->second.begin(), level->second.end(), segment);
    if (!known) {
      std::string message = fmt::format("unknown key '{}'", key);
      if (level == reg.children.end()) {
        message += fmt::format(": '{}' is a value, not a table", prefix);
      } else if (auto near = closest(segment, level->second)) {
        // Suggest the whole corrected key when the rest of it is then known.
        std::string fixed = join_key(prefix, *near);
        if (dot != std::string_view::npos) {
          const std::string whole = fmt::format("{}{}", fixed, key.substr(dot));
          if (reg.leaves.contains(whole) || reg.children.contains(whole)) fixed = whole;
        }
        message += fmt::format(" (did you mean '{}'?)", fixed);
      }
      throw ConfigError(where, 0, 0, std::string(key), message);
    }
    segments.push_back(segment);
    prefix = join_key(prefix, segment);
    if (dot == std::string_view::npos) return segments;
    start = dot + 1;
  }
}

}  // namespace

/// Applies one "dotted.key=value" to the parsed document, replacing what was there.
void apply_override(toml::table& doc, const std::string& text, const Loader& loader) {
  const std::string where = "--set " + text;
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) {
    throw ConfigError(where, 0, 0, "", "an override must look like dotted.key=value");
  }
  const std::string_view key = trim(std::string_view(text).substr(0, eq));
  const std::string_view value = trim(std::string_view(text).substr(eq + 1));
  if (key.empty()) throw ConfigError(where, 0, 0, "", "missing key before '='");
  const std::vector<std::string> segments = check_override_key(key, where);
  if (value.empty()) {
    throw ConfigError(where, 0, 0, std::string(key), fmt::format("missing value for {}", key));
  }

  toml::table parsed;
  try {
    parsed = toml::parse(fmt::format("v = {}", value), where);
  } catch (const toml::parse_error& error) {
    if (!is_bare_word(value)) {
      throw ConfigError(where, 0, 0, std::string(key),
                        fmt::format("invalid TOML value: {}", error.description()));
    }
    // Parsed rather than constructed so that the value carries the override as its origin.
    parsed = toml::parse(fmt::format("v = {}", quote_string(value)), where);
  }

  toml::table* table = &doc;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    prefix = join_key(prefix, segments[i]);
    toml::node* next = table->get(segments[i]);
    if (next == nullptr) next = &table->insert(segments[i], toml::table{}).first->second;
    table = next->as_table();
    if (table == nullptr) loader.fail_type(*next, prefix, "a table");
  }
  table->insert_or_assign(segments.back(), std::move(*parsed.get("v")));
}

}  // namespace proteus::engine::detail
