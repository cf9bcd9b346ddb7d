// A set of prices in [0, size) as a two-level bitmap: the occupied price levels of a book.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace proteus::engine {

/// The occupied prices of a book on a grid of `size` prices. Bit p of word p / 64 is set when
/// p is in the set; bit w of summary word w / 64 is set exactly when word w is not zero.
/// Only the summary is initialised (1 bit per 64 prices): a word whose summary bit is clear
/// is never read and is written whole when its first price enters, so a new set on a
/// million-price grid costs 2 KB of zeroing, not 125 KB, and a search for the next occupied
/// price skips 4,096 empty prices per summary word.
class Occupancy {
 public:
  explicit Occupancy(std::int64_t size)
      : words_((static_cast<std::size_t>(size) + 63) / 64),
        bits_(std::make_unique_for_overwrite<std::uint64_t[]>(words_)),
        summary_((words_ + 63) / 64, 0) {}

  /// Whether p (in [0, size)) is in the set.
  bool contains(std::int64_t p) const {
    const std::size_t w = word(p);
    return has_word(w) && ((bits_[w] >> (p & 63)) & 1u) != 0;
  }
  /// Adds p (in [0, size)); returns false when it was already in the set.
  bool insert(std::int64_t p) {
    const std::size_t w = word(p);
    const std::uint64_t bit = std::uint64_t{1} << (p & 63);
    if (!has_word(w)) {
      bits_[w] = bit;
      summary_[w >> 6] |= std::uint64_t{1} << (w & 63);
      return true;
    }
    if ((bits_[w] & bit) != 0) return false;
    bits_[w] |= bit;
    return true;
  }
  /// Removes p, which is in the set.
  void erase(std::int64_t p) {
    const std::size_t w = word(p);
    bits_[w] &= ~(std::uint64_t{1} << (p & 63));
    if (bits_[w] == 0) summary_[w >> 6] &= ~(std::uint64_t{1} << (w & 63));
  }
  /// The highest element <= p, or -1 if none (p may be negative or past the grid's end).
  std::int64_t at_or_below(std::int64_t p) const {
    if (p < 0) return -1;
    std::size_t w = word(p);
    if (w >= words_) {
      w = words_ - 1;
      p = static_cast<std::int64_t>(w * 64 + 63);
    }
    if (has_word(w)) {
      const std::uint64_t bits = bits_[w] & (~std::uint64_t{0} >> (63 - (p & 63)));
      if (bits != 0) return static_cast<std::int64_t>(w * 64 + 63 - std::countl_zero(bits));
    }
    // The highest non-empty word below w.
    if (w == 0) return -1;
    const std::size_t below = w - 1;
    std::size_t s = below >> 6;
    std::uint64_t sbits = summary_[s] & (~std::uint64_t{0} >> (63 - (below & 63)));
    while (sbits == 0) {
      if (s == 0) return -1;
      sbits = summary_[--s];
    }
    const std::size_t v = s * 64 + 63 - static_cast<std::size_t>(std::countl_zero(sbits));
    return static_cast<std::int64_t>(v * 64 + 63 - std::countl_zero(bits_[v]));
  }
  /// The lowest element >= p, or `size rounded up to 64` if none (p >= 0).
  std::int64_t at_or_above(std::int64_t p) const {
    std::size_t w = word(p);
    if (w >= words_) return end();
    if (has_word(w)) {
      const std::uint64_t bits = bits_[w] & (~std::uint64_t{0} << (p & 63));
      if (bits != 0) return static_cast<std::int64_t>(w * 64 + std::countr_zero(bits));
    }
    // The lowest non-empty word above w.
    const std::size_t above = w + 1;
    if (above >= words_) return end();
    std::size_t s = above >> 6;
    std::uint64_t sbits = summary_[s] & (~std::uint64_t{0} << (above & 63));
    while (sbits == 0) {
      if (++s == summary_.size()) return end();
      sbits = summary_[s];
    }
    const std::size_t v = s * 64 + static_cast<std::size_t>(std::countr_zero(sbits));
    return static_cast<std::int64_t>(v * 64 + std::countr_zero(bits_[v]));
  }
  /// What at_or_above returns when no element qualifies.
  std::int64_t end() const { return static_cast<std::int64_t>(words_ * 64); }

 private:
  static std::size_t word(std::int64_t p) { return static_cast<std::size_t>(p) >> 6; }
  bool has_word(std::size_t w) const { return ((summary_[w >> 6] >> (w & 63)) & 1u) != 0; }

  std::size_t words_;
  std::unique_ptr<std::uint64_t[]> bits_;  // word w is meaningful only while has_word(w)
  std::vector<std::uint64_t> summary_;
};

}  // namespace proteus::engine
