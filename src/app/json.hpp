// Minimal JSON value formatting for the command's --format json outputs.
#pragma once

#include <string>
#include <string_view>

namespace proteus::app {

/// A number, or null when it is NaN or infinite (JSON has neither).
std::string json_number(double v);

/// A quoted, escaped JSON string.
std::string json_string(std::string_view s);

}  // namespace proteus::app
