// JSON numbers and strings (RFC 8259).
#include "app/json.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engine/config.hpp"

namespace proteus::app {

std::string json_number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "null";
}

std::string json_string(std::string_view s) {
  return engine::quote_string(s);  // its escapes are valid JSON as well as TOML
}

}  // namespace proteus::app
