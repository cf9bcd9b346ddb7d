// The view history: a reader `d` late gets the view in effect at now - d for every d up to the
// window, against a reference that keeps every publication; memory stays within the window.
#include "engine/view_history.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace proteus::engine {
namespace {

PublicView view_with(std::int64_t tag) {
  PublicView v;
  v.last_price = Price{tag};
  v.last_qty = Qty{tag};
  return v;
}

// The view in effect at t among all publications (time, view) in time order.
PublicView in_effect(const std::vector<std::pair<SimTime, PublicView>>& all, SimTime t) {
  PublicView found;
  for (const auto& [time, view] : all) {
    if (time <= t) found = view;
  }
  return found;
}

TEST(ViewHistory, ReaderWithinTheWindowGetsTheViewInEffectThen) {
  const SimTime window{35};
  ViewHistory history;
  history.set_window(window);
  std::vector<std::pair<SimTime, PublicView>> all;
  std::size_t most_kept = 0;
  // Publications at irregular times 0, 7, 10, 17, 20, ... (some views repeat, and are dropped).
  for (std::int64_t i = 0; i < 200; ++i) {
    const SimTime now{10 * (i / 2) + 7 * (i % 2)};
    const std::int64_t tag = i % 5 == 4 ? i - 1 : i;  // every fifth repeats the previous view
    const bool published = history.publish_if_changed(now, [&] { return view_with(tag); });
    EXPECT_EQ(published, i % 5 != 4) << i;
    if (published) all.emplace_back(now, view_with(tag));
    for (std::int64_t d = 0; d <= window.ns; ++d) {
      ASSERT_EQ(history.at(now - SimTime{d}), in_effect(all, now - SimTime{d}))
          << "now " << now.ns << " delay " << d;
    }
    EXPECT_EQ(history.latest(), all.back().second);
    most_kept = std::max(most_kept, history.kept());
  }
  // Publications at least 3 ns apart: at most 35 / 3 + 1 inside the window, plus the one
  // in effect at its start.
  EXPECT_LE(most_kept, 13u);
  EXPECT_GE(most_kept, 5u);
}

TEST(ViewHistory, ZeroWindowKeepsOnlyTheLatestView) {
  ViewHistory history;
  history.set_window(SimTime{0});
  for (std::int64_t i = 0; i < 100; ++i) {
    history.publish_if_changed(SimTime{i}, [&] { return view_with(i); });
    EXPECT_EQ(history.at(SimTime{i}), view_with(i));
    EXPECT_EQ(history.kept(), 1u);
  }
}

TEST(ViewHistory, WindowIsCappedAtTenSeconds) {
  ViewHistory history;
  history.set_window(SimTime{1'000'000'000'000'000});  // the largest delay a sampler returns
  const SimTime second{1'000'000'000};
  for (std::int64_t s = 0; s <= 30; ++s) {
    history.publish_if_changed(SimTime{s * second.ns}, [&] { return view_with(s + 1); });
  }
  // At 30 s the views of 20 s .. 30 s are kept (11), and nothing older.
  EXPECT_EQ(history.kept(), 11u);
  EXPECT_EQ(history.at(SimTime{20 * second.ns}), view_with(21));
  EXPECT_EQ(history.at(SimTime{5 * second.ns}), PublicView{});  // older than kept: empty
}

TEST(ViewHistory, BeforeAnyPublicationAReaderSeesAnEmptyView) {
  ViewHistory history;
  history.publish_if_changed(SimTime{10}, [] { return view_with(3); });
  EXPECT_EQ(history.at(SimTime{9}), PublicView{});
  EXPECT_EQ(history.at(SimTime{10}), view_with(3));
}

}  // namespace
}  // namespace proteus::engine
