// Quoting formulas and trader sizing, against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/agents/market_maker.hpp"
#include "engine/agents/traders.hpp"

namespace proteus::engine {
namespace {

TEST(LinearQuote, ShiftsReservationByInventoryAndWidensWithRisk) {
  MarketMakerSpec s;
  s.h0 = 0.02;
  s.kappa = 0.01;
  s.a = 0.001;
  s.b = 2.0;
  s.c = 0.5;
  s.min_half_spread = 0.004;
  // r = 0.6 - 0.01*5 = 0.55; h = 0.02 + 0.001*5 + 2*0.003 + 0.5*0.004 = 0.033
  const QuoteTarget q = linear_quote(s, 0.6, 5.0, 0.003, 0.004);
  EXPECT_NEAR(q.reservation, 0.55, 1e-15);
  EXPECT_NEAR(q.half_spread, 0.033, 1e-15);
}

TEST(LinearQuote, NeverQuotesInsideTheMinimumHalfSpread) {
  MarketMakerSpec s;
  s.h0 = 0.0;
  s.min_half_spread = 0.004;
  EXPECT_EQ(linear_quote(s, 0.5, 0.0, 0.0, 0.0).half_spread, 0.004);
}

TEST(AvellanedaStoikovQuote, MatchesTheClosedForm) {
  MarketMakerSpec s;
  s.gamma = 0.1;
  s.k = 100.0;
  s.sigma = 0.05;
  s.min_half_spread = 0.0;
  // tau = 60 s: gamma sigma^2 tau = 0.1 * 0.0025 * 60 = 0.015
  // r = 0.5 - 2 * 0.015 = 0.47; h = 0.0075 + ln(1.001)/0.1 = 0.0075 + 0.0099950033...
  const QuoteTarget q = avellaneda_stoikov_quote(s, 0.5, 2.0, 60.0);
  EXPECT_NEAR(q.reservation, 0.47, 1e-15);
  EXPECT_NEAR(q.half_spread, 0.0075 + std::log1p(0.001) / 0.1, 1e-14);
}

TEST(InformedSize, GrowsWithEdgeAndIsCapped) {
  InformedSpec s;
  s.theta = 0.01;
  s.cost = 0.0;
  s.size_min = 0.5;
  s.size_max = 2.0;
  s.size_per_edge = 50.0;
  EXPECT_DOUBLE_EQ(informed_size(s, 0.01), 0.5);
  EXPECT_DOUBLE_EQ(informed_size(s, 0.02), 1.0);
  EXPECT_DOUBLE_EQ(informed_size(s, 0.5), 2.0);
}

TEST(TickConversion, RoundsBidsDownAsksUpAndClamps) {
  MarketRules r;
  r.ticks_per_unit = 1000;
  EXPECT_EQ(to_tick_floor(0.5567, r).ticks, 556);
  EXPECT_EQ(to_tick_ceil(0.5561, r).ticks, 557);
  EXPECT_EQ(to_tick_floor(0.556, r).ticks, 556);  // exact ticks stay put despite binary fractions
  EXPECT_EQ(to_tick_ceil(0.556, r).ticks, 556);
  EXPECT_EQ(to_tick_floor(-0.2, r).ticks, 1);
  EXPECT_EQ(to_tick_ceil(1.3, r).ticks, 999);
  EXPECT_EQ(to_lots(2.0, 0.5).lots, 4);
  EXPECT_EQ(to_lots(0.1, 0.5).lots, 1);
}

}  // namespace
}  // namespace proteus::engine
