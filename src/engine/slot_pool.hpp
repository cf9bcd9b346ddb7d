// A vector of reusable slots addressed by 32-bit index: released slots are handed out again
// before the vector grows, so a run's event payloads, messages and views stop allocating
// once the pool has reached its peak.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace proteus::engine {

/// Slots of T addressed by index; indices stay valid while the slot is held, references only
/// until the next acquire (the vector may grow).
template <class T>
class SlotPool {
 public:
  /// A free slot: the most recently released one, still holding its old value, or a new slot
  /// built from `args` when none is free.
  template <class... Args>
  std::uint32_t acquire(Args&&... args) {
    if (free_.empty()) {
      items_.emplace_back(std::forward<Args>(args)...);
      return static_cast<std::uint32_t>(items_.size() - 1);
    }
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  /// Returns `slot` to the pool; its value stays until it is acquired and overwritten.
  void release(std::uint32_t slot) { free_.push_back(slot); }
  /// Room for `n` slots held at once without reallocating.
  void reserve(std::size_t n) {
    items_.reserve(n);
    free_.reserve(n);
  }

  T& operator[](std::uint32_t slot) { return items_[slot]; }
  const T& operator[](std::uint32_t slot) const { return items_[slot]; }

 private:
  std::vector<T> items_;
  std::vector<std::uint32_t> free_;
};

}  // namespace proteus::engine
