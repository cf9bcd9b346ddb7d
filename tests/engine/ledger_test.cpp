// Exact accounting: fees, rebates, conservation and named violations.
#include "engine/ledger.hpp"

#include <gtest/gtest.h>

namespace proteus::engine {
namespace {

MarketRules rules() {
  MarketRules r;
  r.ticks_per_unit = 1000;
  r.cash_per_tick_lot = 1000;  // tick 0.001, lot 1 contract, cash in 1e-6
  return r;
}

TEST(Ledger, BooksATradeWithMakerRebateAndTakerFee) {
  // Maker rebate 20 micro per lot, taker fee 50 micro per lot.
  Ledger l(2, rules(), Fees{Cash{-20}, Cash{50}});
  // Agent 1 rests a sell, agent 0 buys 3 lots at 0.600.
  l.apply_trade(1, AgentId{0}, AgentId{1}, AgentId{1}, Price{600}, Qty{3});
  EXPECT_EQ(l.account(AgentId{0}).cash.micros, -3 * 600'000 - 150);
  EXPECT_EQ(l.account(AgentId{1}).cash.micros, 3 * 600'000 + 60);
  EXPECT_EQ(l.account(AgentId{0}).inventory_lots, 3);
  EXPECT_EQ(l.account(AgentId{1}).inventory_lots, -3);
  EXPECT_EQ(l.venue_fees().micros, 150 - 60);
  EXPECT_NO_THROW(l.check(1));
  // Marked at 0.700: buyer gains 3 * 0.1 = 0.3 minus 150 micro of fees.
  EXPECT_EQ(l.marked_pnl(AgentId{0}, Price{700}).micros, 300'000 - 150);
  EXPECT_EQ(l.marked_pnl(AgentId{1}, Price{700}).micros, -300'000 + 60);
}

TEST(Ledger, StaysZeroSumOverManyTrades) {
  Ledger l(4, rules(), Fees{Cash{-7}, Cash{13}});
  for (int i = 0; i < 1000; ++i) {
    const AgentId b{static_cast<std::uint32_t>(i % 4)};
    const AgentId s{static_cast<std::uint32_t>((i + 1 + i / 4) % 4)};
    if (b == s) continue;
    l.apply_trade(static_cast<std::uint64_t>(i), b, s, i % 2 ? b : s, Price{1 + (i * 37) % 998},
                  Qty{1 + i % 5});
  }
  EXPECT_NO_THROW(l.check(1000));
  std::int64_t inv = 0;
  std::int64_t cash = l.venue_fees().micros;
  for (std::uint32_t a = 0; a < 4; ++a) {
    inv += l.account(AgentId{a}).inventory_lots;
    cash += l.account(AgentId{a}).cash.micros;
  }
  EXPECT_EQ(inv, 0);
  EXPECT_EQ(cash, 0);
}

TEST(Ledger, InvalidTradeNamesTheEvent) {
  Ledger l(2, rules(), Fees{});
  try {
    l.apply_trade(4242, AgentId{0}, AgentId{1}, AgentId{1}, Price{1000}, Qty{1});
    FAIL() << "a trade at 1.000 must be refused";
  } catch (const InvariantViolation& e) {
    EXPECT_EQ(e.event_id(), 4242u);
    EXPECT_NE(std::string(e.what()).find("event 4242"), std::string::npos);
  }
  EXPECT_THROW(l.apply_trade(7, AgentId{0}, AgentId{5}, AgentId{0}, Price{500}, Qty{1}),
               InvariantViolation);
}

}  // namespace
}  // namespace proteus::engine
