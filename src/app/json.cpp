// One-line JSON output (RFC 8259) of nlohmann documents with shortest round-trip numbers.
#include "app/json.hpp"

#include <fmt/format.h>

#include <cmath>

namespace proteus::app {
namespace {

void write(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out += ',';
        first = false;
        write(Json(key), out);
        out += ':';
        write(value, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out += ',';
        write(v[i], out);
      }
      out += ']';
      return;
    }
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      out += std::isfinite(d) ? fmt::format("{}", d) : "null";
      return;
    }
    default:  // strings, integers, booleans, null
      out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

}  // namespace

Json json_number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

std::string json_line(const Json& doc) {
  std::string out;
  write(doc, out);
  out += '\n';
  return out;
}

}  // namespace proteus::app
