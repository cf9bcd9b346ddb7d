// JSON documents of the command's --format json outputs: built with nlohmann-json, written as
// one compact line with numbers in their shortest round-trip form.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace proteus::app {

/// A JSON object that keeps its keys in insertion order (the order the docs list them).
using Json = nlohmann::ordered_json;

/// A metric or statistic as JSON: null when NaN or infinite (JSON has neither).
Json json_number(double v);

/// `doc` as one line of compact JSON and a newline. Floating-point numbers are written as the
/// shortest decimal that reads back to the same double (fmt's `{}`: 3.0 as 3, 0.1 as 0.1);
/// nlohmann's own writer may add a 17th digit. Strings are escaped by nlohmann, with invalid
/// UTF-8 replaced by U+FFFD rather than failing the output.
std::string json_line(const Json& doc);

}  // namespace proteus::app
