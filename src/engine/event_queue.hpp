// The event queue: a binary heap ordered by (time, phase, insertion sequence), so events
// at one instant run in a documented phase order and then first-scheduled-first.
#pragma once

#include <cassert>
#include <cstdint>
#include <vector>

#include "engine/types.hpp"

namespace proteus::engine {

/// Order of events that share a timestamp (docs/architecture.md explains each choice).
enum class Phase : std::uint8_t {
  kLatent = 0,          ///< the latent value steps first: the world moves, then the market
  kMechanismTimer = 1,  ///< batch clears due now see only orders that arrived before now
  kArrival = 2,         ///< orders and cancels reach the mechanism
  kSettle = 3,          ///< a mechanism that crosses once per instant does so after arrivals
  kNotification = 4,    ///< acks, rejects and fills reach their agents
  kMarketData = 5,      ///< public view updates reach subscribed agents
  kDecision = 6,        ///< agents decide after everything they could know at this instant
  kSample = 7,          ///< metric samples see the state after all of the above
};

/// A queued item: `Payload` is any trivially copyable event description.
template <typename Payload>
struct Scheduled {
  SimTime time;
  Phase phase = Phase::kLatent;
  std::uint64_t seq = 0;  ///< insertion sequence; also the event id in logs and errors
  Payload payload;
};

/// Min-heap of scheduled events. Ties on (time, phase) pop in insertion order, never in
/// heap order (the bug of ordering by time alone).
template <typename Payload>
class EventQueue {
 public:
  /// Schedules `payload` and returns its event id.
  std::uint64_t push(SimTime time, Phase phase, const Payload& payload) {
    const std::uint64_t seq = next_seq_++;
    assert(seq < (std::uint64_t{1} << 56) && "event sequence overflows the order key");
    // Sift a hole up from the end and write the entry once, so that it is never stored and
    // then reloaded (a store-forwarding stall on a fresh push).
    heap_.emplace_back();
    sift_up(heap_.size() - 1, Entry{time.ns, order_key(phase, seq), payload});
    return seq;
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  /// Time of the earliest event. Precondition: not empty.
  SimTime top_time() const { return SimTime{heap_.front().time}; }
  /// Phase of the earliest event. Precondition: not empty.
  Phase top_phase() const { return static_cast<Phase>(heap_.front().key >> 56); }
  /// Takes the next event id without queueing anything: for periodic events the caller runs
  /// itself at their (time, phase) place, keeping ids identical to queueing them.
  std::uint64_t reserve_id() { return next_seq_++; }

  /// Removes and returns the earliest event. Precondition: not empty.
  Scheduled<Payload> pop() {
    assert(!heap_.empty() && "pop from an empty event queue");
    const Entry& e = heap_.front();
    Scheduled<Payload> out{SimTime{e.time}, static_cast<Phase>(e.key >> 56),
                           e.key & ((std::uint64_t{1} << 56) - 1), e.payload};
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
    return out;
  }

 private:
  // Time and (phase, sequence) packed in two 64-bit words: comparisons are two integer
  // compares and entries move as whole words (no partial stores forwarded into wide loads).
  struct Entry {
    std::int64_t time;
    std::uint64_t key;  // phase << 56 | seq
    Payload payload;
  };

  static std::uint64_t order_key(Phase phase, std::uint64_t seq) {
    return (static_cast<std::uint64_t>(phase) << 56) | seq;
  }
  static bool before(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
  }

  void sift_up(std::size_t i, const Entry& item) {
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(item, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = item;
  }

  // Moves `item` down from the root's hole.
  void sift_down(const Entry& item) {
    std::size_t i = 0;
    const std::size_t n = heap_.size();
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], item)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = item;
  }

  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace proteus::engine
