// How values and user text are written as TOML (and JSON) text: quoted strings, doubles that
// stay floats, and excerpts of long input in error messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace proteus::engine {

/// `s` in double quotes with `"`, `\`, newline, tab and return escaped, and other control
/// characters and DEL as \uXXXX: a valid TOML basic string and a valid JSON string.
std::string quote_string(std::string_view s);

/// `v` in shortest round-trip form, with ".0" appended when that form has no point, exponent,
/// inf or nan, so that TOML reads it back as a float ("100.0", not "100").
std::string render_double(double v);

/// `s` itself, or when longer than `max_bytes` its first bytes (cut at a character boundary)
/// followed by "... (N bytes)": how error messages echo what a user wrote.
std::string excerpt(std::string_view s, std::size_t max_bytes = 80);

/// quote_string of `s`, or of its first bytes followed by "... (N bytes)" when it is longer
/// than `max_bytes`.
std::string quote_excerpt(std::string_view s, std::size_t max_bytes = 80);

}  // namespace proteus::engine
