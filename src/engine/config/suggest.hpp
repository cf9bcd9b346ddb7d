// Internal to src/engine/config (include only from .cpp files): did-you-mean suggestions for
// unknown keys and disallowed choice values.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/config/keys.hpp"

namespace proteus::engine::detail {

/// The closest candidate when it is reasonably close: at most max(2, shorter length / 3) edits,
/// and not a complete rewrite of the word. Ties go to the first candidate in order; a word
/// longer than 64 bytes gets no suggestion.
std::optional<std::string_view> closest(std::string_view word,
                                        std::span<const std::string> candidates);

/// closest() over an enum key's names.
std::optional<std::string_view> closest(std::string_view word, Choices candidates);

/// Why `value` is not one of the allowed values of enumerated key `e`, with a suggestion;
/// nothing when it is allowed or `e` is not an enum key.
std::optional<std::string> choice_error(const Entry& e, std::string_view value);

}  // namespace proteus::engine::detail
