// TOML text helpers: quoting, float rendering and excerpts of user input.
#include "engine/config/toml_text.hpp"

#include <fmt/format.h>

namespace proteus::engine {

std::string render_double(double v) {
  std::string s = fmt::format("{}", v);
  // fmt prints integral doubles without a point ("100"); TOML would read that as an integer.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string excerpt(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  // Cut before a UTF-8 continuation byte never inside a character.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
  return fmt::format("{}... ({} bytes)", s.substr(0, cut), s.size());
}

std::string quote_excerpt(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return quote_string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
  return fmt::format("{}... ({} bytes)", quote_string(s.substr(0, cut)), s.size());
}

std::string quote_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(ch)));
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace proteus::engine
