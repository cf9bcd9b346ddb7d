// Event ordering: (time, phase, insertion sequence), never heap order.
#include "engine/event_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace proteus::engine {
namespace {

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue<int> q;
  q.push(SimTime{30}, Phase::kDecision, 3);
  q.push(SimTime{10}, Phase::kDecision, 1);
  q.push(SimTime{20}, Phase::kDecision, 2);
  std::vector<int> got;
  while (!q.empty()) got.push_back(q.pop().payload);
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
}

TEST(EventQueue, OrdersSameTimeByDocumentedPhase) {
  EventQueue<Phase> q;
  // Pushed in reverse of the documented order.
  for (Phase p : {Phase::kSample, Phase::kDecision, Phase::kMarketData, Phase::kNotification,
                  Phase::kArrival, Phase::kMechanismTimer, Phase::kLatent}) {
    q.push(SimTime{5}, p, p);
  }
  std::vector<Phase> got;
  while (!q.empty()) got.push_back(q.pop().payload);
  EXPECT_EQ(got, (std::vector<Phase>{Phase::kLatent, Phase::kMechanismTimer, Phase::kArrival,
                                     Phase::kNotification, Phase::kMarketData, Phase::kDecision,
                                     Phase::kSample}));
}

TEST(EventQueue, BreaksFullTiesByInsertionSequence) {
  EventQueue<int> q;
  // Many equal keys interleaved with others: a heap alone would pop ties in arbitrary order.
  for (int i = 0; i < 200; ++i) {
    q.push(SimTime{7}, Phase::kArrival, i);
    q.push(SimTime{i % 3 == 0 ? 3 : 11}, Phase::kArrival, -1);
  }
  std::vector<int> ties;
  while (!q.empty()) {
    const auto e = q.pop();
    if (e.time == SimTime{7}) ties.push_back(e.payload);
  }
  ASSERT_EQ(ties.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(ties[static_cast<std::size_t>(i)], i);
}

TEST(EventQueue, ReturnsIncreasingEventIds) {
  EventQueue<int> q;
  const auto a = q.push(SimTime{1}, Phase::kLatent, 0);
  const auto b = q.push(SimTime{0}, Phase::kLatent, 0);
  EXPECT_LT(a, b);
  EXPECT_EQ(q.pop().seq, b);
  EXPECT_EQ(q.pop().seq, a);
}

}  // namespace
}  // namespace proteus::engine
