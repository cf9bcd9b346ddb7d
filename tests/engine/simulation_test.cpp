// Whole runs: determinism, common random numbers, exact accounting, replay of the event log,
// invariant violations named by event id, and golden metrics of quickstart rep 0.
#include "engine/simulation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "engine/ledger.hpp"
#include "engine/market_sim.hpp"
#include "engine/mechanisms/clob.hpp"
#include "engine/mechanisms/factory.hpp"
#include "engine/metrics_registry.hpp"
#include "event_log_fields.hpp"

namespace proteus::engine {
namespace {

std::uint64_t fnv1a(const std::vector<std::string>& lines) {
  std::uint64_t h = 1469598103934665603ull;
  for (const auto& l : lines) {
    for (unsigned char c : l) h = (h ^ c) * 1099511628211ull;
    h = (h ^ '\n') * 1099511628211ull;
  }
  return h;
}

ScenarioSpec small_scenario() {
  ScenarioSpec s;
  s.run.duration_s = 5.0;
  s.agents.noise.count = 6;
  s.agents.noise.rate = 4.0;
  s.agents.noise.limit_fraction = 0.3;
  s.agents.informed.activity = 0.3;
  s.agents.informed.signal.noise = 0.01;
  s.agents.market_maker.signal.noise = 0.02;
  s.latent.jump_rate = 0.5;
  return s;
}

using testing::field;
using testing::num;
using testing::times_of;
using testing::VectorSink;

TEST(Determinism, SameSeedGivesIdenticalEventLog) {
  const ScenarioSpec spec = small_scenario();
  VectorSink a, b;
  const RunResult ra = run_scenario(spec, RunKey{11, 0}, &a);
  const RunResult rb = run_scenario(spec, RunKey{11, 0}, &b);
  ASSERT_EQ(ra.status, RunStatus::kOk) << ra.message;
  ASSERT_GT(a.lines.size(), 500u);
  EXPECT_EQ(fnv1a(a.lines), fnv1a(b.lines));
  EXPECT_EQ(ra.metrics.size(), metric_registry(spec).size());
  for (std::size_t i = 0; i < ra.metrics.size(); ++i) {
    EXPECT_TRUE((std::isnan(ra.metrics[i]) && std::isnan(rb.metrics[i])) ||
                ra.metrics[i] == rb.metrics[i]);
  }
}

TEST(Determinism, AnotherRepetitionOrSeedDiffers) {
  const ScenarioSpec spec = small_scenario();
  VectorSink a, b, c;
  run_scenario(spec, RunKey{11, 0}, &a);
  run_scenario(spec, RunKey{11, 1}, &b);
  run_scenario(spec, RunKey{12, 0}, &c);
  EXPECT_NE(fnv1a(a.lines), fnv1a(b.lines));
  EXPECT_NE(fnv1a(a.lines), fnv1a(c.lines));
}

TEST(CommonRandomNumbers, AddingANoiseTraderLeavesOtherStreamsUnchanged) {
  ScenarioSpec base = small_scenario();
  base.agents.noise.limit_fraction = 0.0;  // noise decisions then depend on own streams only
  ScenarioSpec more = base;
  more.agents.noise.count += 1;
  VectorSink a, b;
  run_scenario(base, RunKey{3, 2}, &a);
  run_scenario(more, RunKey{3, 2}, &b);
  // Latent path identical step by step.
  const auto la = times_of(a.lines, "latent");
  ASSERT_GT(la.size(), 40u);
  EXPECT_EQ(la, times_of(b.lines, "latent"));
  // Agents: 0 = market maker, 1 = informed, 2.. = noise. Noise trader 0 and 5 arrive at the
  // same times whatever else happens in the market.
  for (int agent : {2, 7}) {
    const auto da = times_of(a.lines, "order", agent);
    ASSERT_GT(da.size(), 5u);
    EXPECT_EQ(da, times_of(b.lines, "order", agent)) << "agent " << agent;
  }
  // The extra trader does trade, so the runs are not trivially identical.
  EXPECT_NE(fnv1a(a.lines), fnv1a(b.lines));
}

TEST(Accounting, LedgerBalancesOverManyRandomRuns) {
  for (std::uint64_t rep = 0; rep < 40; ++rep) {
    ScenarioSpec spec = small_scenario();
    spec.run.duration_s = 3.0;
    spec.market.maker_fee_micros = -static_cast<std::int64_t>(rep % 5) * 10;
    spec.market.taker_fee_micros = static_cast<std::int64_t>(rep % 7) * 25;
    spec.agents.noise.count = 2 + static_cast<int>(rep % 9);
    spec.agents.sniper.enabled = rep % 2 == 0;
    MarketSimulation sim(spec, RunKey{77, rep});
    ASSERT_NO_THROW(sim.run()) << "rep " << rep;
    const Ledger& l = sim.ledger();
    EXPECT_NO_THROW(l.check(0));
    // P&L of everyone plus the venue sums to zero at any mark.
    for (std::int64_t mark : {1, 500, 999}) {
      std::int64_t total = l.venue_fees().micros;
      for (std::uint32_t a = 0; a < l.size(); ++a)
        total += l.marked_pnl(AgentId{a}, Price{mark}).micros;
      EXPECT_EQ(total, 0) << "rep " << rep << " mark " << mark;
    }
  }
}

/// A mechanism that reports a trade at an impossible price on the third order.
class FaultyMechanism final : public Mechanism {
 public:
  std::string_view name() const override { return "faulty"; }
  void on_order(SimTime, const OrderRequest& o, Outcomes& out) override {
    if (++orders_ == 3) {
      Outcome t;
      t.kind = OutcomeKind::kTrade;
      t.agent = o.owner;
      t.order = o.id;
      t.side = Side::kBuy;
      t.price = Price{5000};
      t.qty = Qty{1};
      t.counter_agent = AgentId{0};
      out.push_back(t);
    }
  }
  void on_cancel(SimTime, AgentId, OrderId, Outcomes&) override {}
  PublicView public_view() const override { return {}; }
  BookSnapshot snapshot() const override { return {}; }

 private:
  int orders_ = 0;
};

TEST(Accounting, ViolationStopsTheRunAndNamesTheEvent) {
  ScenarioSpec spec = small_scenario();
  VectorSink log;
  MarketSimulation sim(spec, RunKey{1, 0}, &log, std::make_unique<FaultyMechanism>());
  try {
    sim.run();
    FAIL() << "the impossible trade must stop the run";
  } catch (const InvariantViolation& e) {
    // The id is that of the third order arrival in the log.
    std::vector<std::uint64_t> ids;
    for (const auto& l : log.lines) {
      if (field(l, "type") == "order") ids.push_back(static_cast<std::uint64_t>(num(l, "id")));
    }
    ASSERT_GE(ids.size(), 3u);
    EXPECT_EQ(e.event_id(), ids[2]);
    EXPECT_NE(std::string(e.what()).find("event " + std::to_string(ids[2])), std::string::npos);
  }
}

TEST(EventLog, ReplayReconstructsFinalBookAndLedger) {
  ScenarioSpec spec = small_scenario();
  spec.market.maker_fee_micros = -10;
  spec.market.taker_fee_micros = 30;
  VectorSink log;
  MarketSimulation sim(spec, RunKey{5, 4}, &log);
  sim.run();
  const MarketRules rules = market_rules(spec.market);
  Clob book(rules, SelfTradeRule::kCancelResting);
  Ledger ledger(sim.agent_count(), rules, Fees{Cash{-10}, Cash{30}});
  Outcomes out;
  std::size_t trades = 0;
  for (const auto& l : log.lines) {
    const std::string type = field(l, "type");
    const SimTime t{num(l, "t")};
    out.clear();
    if (type == "order") {
      OrderRequest o;
      o.id = OrderId{static_cast<std::uint64_t>(num(l, "order"))};
      o.owner = AgentId{static_cast<std::uint32_t>(num(l, "agent"))};
      o.side = field(l, "side") == "buy" ? Side::kBuy : Side::kSell;
      const std::string kind = field(l, "kind");
      o.kind = kind == "limit" ? OrderKind::kLimit
               : kind == "ioc" ? OrderKind::kIoc
                               : OrderKind::kMarket;
      o.limit = Price{num(l, "price")};
      o.qty = Qty{num(l, "qty")};
      book.on_order(t, o, out);
    } else if (type == "cancel") {
      book.on_cancel(t, AgentId{static_cast<std::uint32_t>(num(l, "agent"))},
                     OrderId{static_cast<std::uint64_t>(num(l, "order"))}, out);
    } else if (type == "trade") {
      // Trades are replayed into the ledger from the log's own records.
      const AgentId taker{static_cast<std::uint32_t>(num(l, "agent"))};
      const AgentId maker{static_cast<std::uint32_t>(num(l, "counter_agent"))};
      const bool buy = field(l, "side") == "buy";
      ledger.apply_trade(static_cast<std::uint64_t>(num(l, "id")), buy ? taker : maker,
                         buy ? maker : taker, maker, Price{num(l, "price")}, Qty{num(l, "qty")});
      ++trades;
    }
  }
  ASSERT_GT(trades, 20u);
  EXPECT_EQ(book.snapshot(), sim.mechanism().snapshot());
  for (std::uint32_t a = 0; a < ledger.size(); ++a) {
    EXPECT_EQ(ledger.account(AgentId{a}), sim.ledger().account(AgentId{a})) << "agent " << a;
  }
  EXPECT_EQ(ledger.venue_fees(), sim.ledger().venue_fees());
}

}  // namespace
}  // namespace proteus::engine

namespace proteus::engine {
namespace {

TEST(MarketMakerRisk, KillSwitchLatchesAndStopsAllQuoting) {
  ScenarioSpec spec = small_scenario();
  spec.run.duration_s = 20.0;
  spec.agents.market_maker.loss_limit = 0.05;    // a few adverse fills trip it
  spec.agents.market_maker.signal.noise = 0.15;  // a badly informed market maker
  spec.agents.market_maker.h0 = 0.005;
  spec.agents.informed.activity = 1.0;
  spec.agents.informed.theta = 0.002;
  spec.agents.informed.signal.noise = 0.0;
  VectorSink log;
  const RunResult r = run_scenario(spec, RunKey{21, 0}, &log);
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  const MetricRegistry survival = metric_registry(spec);
  std::size_t idx = 0;
  while (survival[idx].name != "mm_survival") ++idx;
  EXPECT_EQ(r.metrics[idx], 0.0);
  // The kill latches at the market maker's (agent 0) last decision: no decision follows it in
  // the remaining run, and every order it sent arrived before that decision (what it sends
  // at the kill are cancels, arriving one submission delay later).
  std::int64_t last_decision = -1;
  for (const auto& l : log.lines) {
    if (field(l, "type") == "decision" && num(l, "agent") == 0) last_decision = num(l, "t");
  }
  ASSERT_GE(last_decision, 0);
  EXPECT_LT(last_decision, static_cast<std::int64_t>(15e9)) << "the kill switch should trip early";
  // The time to kill is that decision's time; a run without a kill reports its duration.
  std::size_t kill_idx = 0;
  while (survival[kill_idx].name != "mm_time_to_kill") ++kill_idx;
  EXPECT_EQ(r.metrics[kill_idx], static_cast<double>(last_decision) * 1e-9);
  spec.agents.market_maker.loss_limit = 1e9;
  const RunResult safe = run_scenario(spec, RunKey{21, 0});
  EXPECT_EQ(safe.metrics[idx], 1.0);
  EXPECT_EQ(safe.metrics[kill_idx], spec.run.duration_s);
  int orders = 0;
  for (const auto& l : log.lines) {
    if (field(l, "type") != "order" || num(l, "agent") != 0) continue;
    ++orders;
    EXPECT_LT(num(l, "t"), last_decision) << l;
  }
  EXPECT_GT(orders, 2);
}

// Interval mode: the informed trader (agent 1) wakes only at its active slots, drawn as
// geometric gaps. Its decisions fall on multiples of the interval within the run, their number
// is Binomial(slots, activity), and activity 0 / 1 give no slot / every slot.
TEST(InformedSchedule, WakesOnlyAtActiveSlotsOfItsInterval) {
  const auto decisions = [](double activity) {
    ScenarioSpec spec = small_scenario();
    spec.run.duration_s = 200.0;
    spec.agents.informed.activity = activity;
    spec.agents.informed.schedule.interval_ms = 100.0;
    VectorSink log;
    const RunResult r = run_scenario(spec, RunKey{13, 0}, &log);
    EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
    std::vector<std::int64_t> t;
    for (const auto& s : times_of(log.lines, "decision", 1)) t.push_back(std::stoll(s));
    return t;
  };
  constexpr std::int64_t kSlot = 100'000'000;
  constexpr std::int64_t kSlots = 2000;  // 200 s / 100 ms
  const auto some = decisions(0.3);
  for (std::int64_t t : some) {
    EXPECT_EQ(t % kSlot, 0) << t;
    EXPECT_GE(t, kSlot);
    EXPECT_LE(t, kSlots * kSlot);
  }
  EXPECT_TRUE(std::is_sorted(some.begin(), some.end()));
  EXPECT_EQ(std::adjacent_find(some.begin(), some.end()), some.end()) << "a slot taken twice";
  const double sd = std::sqrt(kSlots * 0.3 * 0.7);  // 20.5
  EXPECT_NEAR(static_cast<double>(some.size()), kSlots * 0.3, 5.0 * sd);
  EXPECT_TRUE(decisions(0.0).empty());
  EXPECT_EQ(decisions(1.0).size(), static_cast<std::size_t>(kSlots));
}

TEST(MarketMakerRisk, InventoryStaysWithinTheLimitPlusOneQuote) {
  ScenarioSpec spec = small_scenario();
  spec.run.duration_s = 20.0;
  spec.agents.market_maker.max_inventory = 3.0;
  spec.agents.market_maker.loss_limit = 1e9;
  spec.agents.noise.count = 10;
  spec.agents.noise.limit_fraction = 0.0;
  VectorSink log;
  MarketSimulation sim(spec, RunKey{8, 1}, &log);
  sim.run();
  // Follow the market maker's (agent 0) inventory through every trade of the log: quotes in
  // flight can overshoot the limit by at most one quote (1 lot).
  std::int64_t inventory = 0, peak = 0;
  for (const auto& l : log.lines) {
    if (field(l, "type") != "trade") continue;
    const std::int64_t q = num(l, "qty") * (field(l, "side") == "buy" ? 1 : -1);
    if (num(l, "agent") == 0) inventory += q;
    if (num(l, "counter_agent") == 0) inventory -= q;
    peak = std::max(peak, std::abs(inventory));
  }
  const auto& acct = sim.ledger().account(AgentId{0});
  EXPECT_EQ(acct.inventory_lots, inventory);
  EXPECT_LE(peak, 4);
  EXPECT_GE(peak, 3) << "the limit should bind in this scenario";
  EXPECT_GT(acct.fills, 20);
}

}  // namespace
}  // namespace proteus::engine
