// IdIndex: order id -> 32-bit position, an open-addressing table (linear probing with
// backward-shift deletion, no tombstones, Fibonacci hashing) that allocates only when it
// grows. Used by the CLOB (id -> slot) and the batch mechanisms (id -> position).
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace proteus::engine {

/// A map from order id to a position, never iterated (so its layout cannot reach any output).
/// Grows to keep at most half of its entries used.
class IdIndex {
 public:
  static constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();

  IdIndex() { rebuild(kMinCapacity); }

  /// The position of `id`, or kNil.
  std::uint32_t find(std::uint64_t id) const {
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.position == kNil) return kNil;
      if (e.id == id) return e.position;
    }
  }
  /// Adds `id` (not present) at `position` (not kNil).
  void insert(std::uint64_t id, std::uint32_t position) {
    if (2 * (size_ + 1) > entries_.size()) rebuild(entries_.size() * 2);
    std::size_t i = home(id);
    while (entries_[i].position != kNil) i = (i + 1) & mask_;
    entries_[i] = Entry{id, position};
    ++size_;
  }
  /// Moves `id` (present) to `position`.
  void update(std::uint64_t id, std::uint32_t position) {
    entries_[slot_of(id)].position = position;
  }
  /// Removes `id` (present).
  void erase(std::uint64_t id) {
    std::size_t i = slot_of(id);
    // Shift later members of the probe run back into the hole while their home allows it.
    for (std::size_t j = i;;) {
      j = (j + 1) & mask_;
      if (entries_[j].position == kNil) break;
      const std::size_t k = home(entries_[j].id);
      const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      entries_[i] = entries_[j];
      i = j;
    }
    entries_[i].position = kNil;
    --size_;
  }
  /// Room for `n` ids without growing.
  void reserve(std::size_t n) {
    if (entries_.size() < 2 * n) rebuild(std::bit_ceil(2 * n));
  }
  std::size_t size() const { return size_; }

 private:
  struct Entry {
    std::uint64_t id = 0;
    std::uint32_t position = kNil;  ///< kNil: empty
  };
  static constexpr std::size_t kMinCapacity = 64;
  static constexpr std::uint64_t kFibonacci = 0x9E37'79B9'7F4A'7C15ull;  // 2^64 / golden ratio

  std::size_t home(std::uint64_t id) const {
    return static_cast<std::size_t>((id * kFibonacci) >> shift_);
  }
  std::size_t slot_of(std::uint64_t id) const {
    std::size_t i = home(id);
    while (entries_[i].id != id || entries_[i].position == kNil) {
      assert(entries_[i].position != kNil && "IdIndex: id not present");
      i = (i + 1) & mask_;
    }
    return i;
  }
  void rebuild(std::size_t capacity) {  // capacity: a power of two
    std::vector<Entry> old(capacity);
    old.swap(entries_);
    mask_ = entries_.size() - 1;
    shift_ = 64 - std::countr_zero(entries_.size());
    for (const Entry& e : old) {
      if (e.position == kNil) continue;
      std::size_t i = home(e.id);
      while (entries_[i].position != kNil) i = (i + 1) & mask_;
      entries_[i] = e;
    }
  }

  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  int shift_ = 0;
  std::size_t size_ = 0;
};

}  // namespace proteus::engine
