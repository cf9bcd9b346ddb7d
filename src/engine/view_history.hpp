// The history of a mechanism's public views, for agents that read them one delay late.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "engine/mechanisms/mechanism.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Views published to agents, kept for polling agents that read them one delay late. Holds
/// the changes of the last window (set_window) plus the one in effect at its start, so memory
/// is bounded.
class ViewHistory {
 public:
  /// Longest window kept: a delay drawn beyond it (exponential, lognormal) reads an empty view.
  static constexpr SimTime kMaxWindow = SimTime{10'000'000'000};  // 10 s

  /// Keeps what a reader `window` late needs (the longest market-data delay); at most 10 s.
  void set_window(SimTime window) { window_ = std::min(window, kMaxWindow); }

  /// Publishes the view `make()` returns at `now` unless it equals the latest; returns whether
  /// it did. The view is built in place in the history (no copy of a just-written struct).
  template <class Make>
  bool publish_if_changed(SimTime now, Make&& make) {
    entries_.emplace_back(now, make);
    if (entries_.size() - head_ > 1 && entries_.back().view == entries_[entries_.size() - 2].view) {
      entries_.pop_back();
      return false;
    }
    while (entries_.size() - head_ > 1 && entries_[head_ + 1].time <= now - window_) ++head_;
    // Compact when the dropped prefix dominates: amortised O(1), no per-publish allocation.
    if (head_ > 64 && 2 * head_ > entries_.size()) {
      entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return true;
  }
  /// Views kept: those of the window plus the one in effect at its start.
  std::size_t kept() const { return entries_.size() - head_; }
  /// The view published last (the mechanism's current view). Precondition: one published.
  const PublicView& latest() const { return entries_.back().view; }
  /// The view in effect at `t`: the last published at or before it. An empty view when `t`
  /// precedes every view kept (before the first publication, or a read older than the window,
  /// which only an unbounded delay beyond 10 s can ask for).
  const PublicView& at(SimTime t) const {
    for (std::size_t i = entries_.size(); i > head_; --i) {
      if (entries_[i - 1].time <= t) return entries_[i - 1].view;
    }
    return empty_;
  }

 private:
  struct Entry {
    // Guaranteed copy elision: the view is constructed by make() in its final place.
    template <class Make>
    Entry(SimTime t, Make& make) : time(t), view(make()) {}
    SimTime time;
    PublicView view;
  };
  std::vector<Entry> entries_;
  std::size_t head_ = 0;
  SimTime window_ = kMaxWindow;
  PublicView empty_;
};

}  // namespace proteus::engine
