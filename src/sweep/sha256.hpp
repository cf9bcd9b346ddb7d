// SHA-256 (FIPS 180-4) of a byte string: fingerprints the sweep config stored in a panel.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace proteus::sweep {

/// The 32-byte SHA-256 digest of `data`.
std::array<std::uint8_t, 32> sha256(std::string_view data);

/// The SHA-256 digest of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace proteus::sweep
