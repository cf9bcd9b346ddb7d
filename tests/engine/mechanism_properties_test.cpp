// Properties every mechanism keeps, over seeded random order streams and whole runs: quantity
// conserved, no fill through a limit, exact accounting, determinism, common random numbers
// across mechanisms, and versioned golden metrics per mechanism (PT-019).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/ledger.hpp"
#include "engine/market_sim.hpp"
#include "engine/mechanisms/factory.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/rng.hpp"
#include "engine/simulation.hpp"
#include "event_log_fields.hpp"
#include "golden.hpp"

namespace proteus::engine {
namespace {

using testing::kMechanisms;
using testing::small_market;
using testing::with_mechanism;

std::uint64_t fnv1a(std::uint64_t h, std::int64_t v) {
  for (int i = 0; i < 8; ++i)
    h = (h ^ ((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff)) * 1099511628211ull;
  return h;
}

struct Tracked {
  OrderRequest request;
  std::int64_t filled = 0;
  std::int64_t cancelled = 0;
};

/// Drives one mechanism with a seeded random stream of orders, cancels and dealer quotes,
/// checking every outcome as it comes; returns a hash of all outcomes.
std::uint64_t drive(const std::string& mechanism, std::uint64_t seed) {
  ScenarioSpec spec = with_mechanism(ScenarioSpec{}, mechanism);
  spec.agents.market_maker.count = 3;  // RFQ dealers 0, 1, 2
  spec.mechanism.fba.allocation = seed % 3 == 0   ? Allocation::kProRata
                                  : seed % 3 == 1 ? Allocation::kRandom
                                                  : Allocation::kTime;
  spec.mechanism.dual_flow.batch.allocation = spec.mechanism.fba.allocation;
  spec.mechanism.rfq.dealers = 2;
  const MarketRules rules;
  auto mech = make_mechanism(spec, rules, repetition_key(seed, 0));
  RandomStream rng{seed, StreamId::kDecision, 77};
  std::map<std::uint64_t, Tracked> orders;
  std::uint64_t hash = 1469598103934665603ull;
  std::int64_t dealer_bought = 0;  // RFQ: lots dealers took on through quotes
  std::int64_t dealer_sold = 0;
  SimTime now{0};
  Outcomes out;

  auto check = [&](const Outcomes& outs) {
    for (const Outcome& o : outs) {
      hash = fnv1a(hash, static_cast<std::int64_t>(o.kind));
      hash = fnv1a(hash, o.price.ticks);
      hash = fnv1a(hash, o.qty.lots);
      hash = fnv1a(hash, static_cast<std::int64_t>(o.order.value));
      if (o.kind == OutcomeKind::kQuoteRequest || o.kind == OutcomeKind::kCancelRejected ||
          o.kind == OutcomeKind::kAccepted)
        continue;
      Tracked& mine = orders.at(o.order.value);
      if (o.kind == OutcomeKind::kRejected) {
        EXPECT_EQ(mine.filled + mine.cancelled, 0);
        mine.cancelled = mine.request.qty.lots;
        continue;
      }
      if (o.kind == OutcomeKind::kCancelled) {
        mine.cancelled += o.qty.lots;
        EXPECT_LE(mine.filled + mine.cancelled, mine.request.qty.lots) << mechanism;
        continue;
      }
      ASSERT_EQ(o.kind, OutcomeKind::kTrade);
      ASSERT_GT(o.qty.lots, 0);
      ASSERT_TRUE(rules.valid_price(o.price));
      mine.filled += o.qty.lots;
      EXPECT_EQ(o.remaining.lots, mine.request.qty.lots - mine.filled - mine.cancelled);
      auto through = [](const OrderRequest& r, Price p) {
        if (r.kind == OrderKind::kMarket) return false;
        return r.side == Side::kBuy ? p > r.limit : p < r.limit;
      };
      EXPECT_FALSE(through(mine.request, o.price)) << mechanism << " taker " << o.order.value;
      if (o.counter_order.value != 0) {
        Tracked& maker = orders.at(o.counter_order.value);
        EXPECT_NE(maker.request.side, mine.request.side);
        maker.filled += o.qty.lots;
        EXPECT_EQ(o.counter_remaining.lots,
                  maker.request.qty.lots - maker.filled - maker.cancelled);
        EXPECT_FALSE(through(maker.request, o.price)) << mechanism << " maker";
      } else {
        EXPECT_EQ(mechanism, "rfq");  // only dealer quotes trade without an order
        (o.side == Side::kBuy ? dealer_sold : dealer_bought) += o.qty.lots;
      }
      EXPECT_LE(mine.filled + mine.cancelled, mine.request.qty.lots);
    }
  };
  auto run_timers = [&](SimTime until) {
    while (auto t = mech->next_timer()) {
      if (*t > until) break;
      out.clear();
      mech->on_timer(*t, out);
      check(out);
    }
  };

  for (std::uint64_t id = 1; id <= 600; ++id) {
    now = now + SimTime{static_cast<std::int64_t>(rng.below(20'000'000))};
    run_timers(now);
    out.clear();
    if (id > 5 && rng.bernoulli(0.25)) {
      const std::uint64_t target = 1 + rng.below(id - 1);
      const AgentId owner = rng.bernoulli(0.9) ? orders.at(target).request.owner
                                               : AgentId{static_cast<std::uint32_t>(rng.below(8))};
      mech->on_cancel(now, owner, OrderId{target}, out);
      orders[id].request = OrderRequest{OrderId{id}, owner, Side::kBuy, OrderKind::kLimit,
                                        Price{500},  Qty{0}};  // ids stay dense: a cancel slot
      check(out);
      continue;
    }
    const double u = rng.uniform();
    const OrderKind kind = u < 0.6   ? OrderKind::kLimit
                           : u < 0.8 ? OrderKind::kIoc
                                     : OrderKind::kMarket;
    const Side side = rng.bernoulli(0.5) ? Side::kBuy : Side::kSell;
    const OrderRequest r{OrderId{id},
                         AgentId{static_cast<std::uint32_t>(3 + rng.below(5))},
                         side,
                         kind,
                         Price{static_cast<std::int64_t>(470 + rng.below(61))},
                         Qty{static_cast<std::int64_t>(1 + rng.below(5))}};
    orders[id].request = r;
    mech->on_order(now, r, out);
    check(out);
    for (const Outcome& o : out) {
      if (o.kind != OutcomeKind::kQuoteRequest) continue;
      std::optional<Price> q;
      if (rng.bernoulli(0.8)) q = Price{static_cast<std::int64_t>(480 + rng.below(41))};
      mech->on_quote(now, o.agent, o.order, q);
    }
  }
  run_timers(now + SimTime::from_ms(2000));
  // Every lot bought was sold by someone: order fills on both sides plus dealer fills.
  std::int64_t bought = dealer_bought;
  std::int64_t sold = dealer_sold;
  for (const auto& [id, t] : orders) (t.request.side == Side::kBuy ? bought : sold) += t.filled;
  EXPECT_EQ(bought, sold) << mechanism;
  EXPECT_GT(bought, 0) << mechanism;
  if (mechanism != "clob") {
    // Batch and RFQ mechanisms end every IOC and market order once its batch or request ends.
    for (const auto& [id, t] : orders) {
      if (t.request.kind != OrderKind::kLimit && t.request.qty.lots > 0) {
        EXPECT_EQ(t.filled + t.cancelled, t.request.qty.lots)
            << mechanism << " seed " << seed << " order " << id;
      }
    }
  }
  return hash;
}

class EveryMechanism : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryMechanism, RandomOrderStreamsConserveQuantityAndRespectLimits) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) drive(GetParam(), seed);
}

TEST_P(EveryMechanism, SameOrderStreamGivesIdenticalOutcomes) {
  EXPECT_EQ(drive(GetParam(), 3), drive(GetParam(), 3));
  EXPECT_NE(drive(GetParam(), 3), drive(GetParam(), 4));
}

using testing::field;
using testing::times_of;
using testing::VectorSink;

TEST_P(EveryMechanism, WholeRunsBalanceTheLedgerAndAreDeterministic) {
  const ScenarioSpec spec = with_mechanism(small_market(), GetParam());
  for (std::uint64_t rep = 0; rep < 6; ++rep) {
    VectorSink a, b;
    MarketSimulation sim(spec, RunKey{5, rep}, &a);
    ASSERT_NO_THROW(sim.run()) << "rep " << rep;
    EXPECT_EQ(sim.mechanism().name(), GetParam());
    const Ledger& l = sim.ledger();
    std::int64_t inventory = 0;
    for (std::uint32_t i = 0; i < l.size(); ++i) inventory += l.account(AgentId{i}).inventory_lots;
    EXPECT_EQ(inventory, 0);
    for (std::int64_t mark : {1, 500, 999}) {
      std::int64_t total = l.venue_fees().micros;
      for (std::uint32_t i = 0; i < l.size(); ++i)
        total += l.marked_pnl(AgentId{i}, Price{mark}).micros;
      EXPECT_EQ(total, 0);
    }
    const RunResult again = run_scenario(spec, RunKey{5, rep}, &b);
    ASSERT_EQ(again.status, RunStatus::kOk) << again.message;
    EXPECT_EQ(a.lines, b.lines) << "rep " << rep;
  }
}

TEST_P(EveryMechanism, TradesHappenWithMarketMakersOnBothSides) {
  VectorSink sink;
  const RunResult r = run_scenario(with_mechanism(small_market(), GetParam()), RunKey{5, 1}, &sink);
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  int mm_buys = 0;
  int mm_sells = 0;
  int informed_trades = 0;
  for (const auto& l : sink.lines) {
    if (field(l, "type") != "trade") continue;
    const bool taker_buys = field(l, "side") == "buy";
    const int taker = std::stoi(field(l, "agent"));
    const int maker = std::stoi(field(l, "counter_agent"));
    if (maker < 2) (taker_buys ? mm_sells : mm_buys) += 1;
    if (taker == 2 || maker == 2) ++informed_trades;
  }
  EXPECT_GT(mm_buys, 3);
  EXPECT_GT(mm_sells, 3);
  EXPECT_GT(informed_trades, 0);  // the informed trader also trades without a visible book
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  const std::map<std::string, std::string> names{
      {"clob", "Clob"}, {"fba", "Fba"}, {"rfq", "Rfq"}, {"dual_flow", "DualFlow"}};
  return names.at(info.param);
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, EveryMechanism, ::testing::ValuesIn(kMechanisms), test_name);

TEST(CommonRandomNumbers, LatentPathNoiseArrivalsAndDecisionTimesMatchAcrossMechanisms) {
  std::vector<std::vector<std::string>> logs;
  for (const std::string& m : kMechanisms) {
    VectorSink sink;
    const RunResult r = run_scenario(with_mechanism(small_market(), m), RunKey{3, 2}, &sink);
    ASSERT_EQ(r.status, RunStatus::kOk) << m << ": " << r.message;
    logs.push_back(std::move(sink.lines));
  }
  // Agents: 0, 1 market makers, 2 informed, 3.. noise.
  const auto latent = times_of(logs[0], "latent");
  ASSERT_GT(latent.size(), 40u);
  const auto noise0 = times_of(logs[0], "order", 3);
  const auto noise5 = times_of(logs[0], "order", 8);
  ASSERT_GT(noise0.size(), 5u);
  // The informed trader wakes only at its active decisions (activity 0.3 per 100 ms slot).
  const auto informed = times_of(logs[0], "decision", 2);
  ASSERT_GT(informed.size(), 8u);
  for (std::size_t m = 1; m < kMechanisms.size(); ++m) {
    EXPECT_EQ(times_of(logs[m], "latent"), latent) << kMechanisms[m];
    EXPECT_EQ(times_of(logs[m], "order", 3), noise0) << kMechanisms[m];
    EXPECT_EQ(times_of(logs[m], "order", 8), noise5) << kMechanisms[m];
    EXPECT_EQ(times_of(logs[m], "decision", 2), informed) << kMechanisms[m];
    EXPECT_NE(logs[m], logs[0]) << kMechanisms[m] << " ran like the CLOB";
  }
}

TEST(RfqPrivacy, OnlyTheDealersAskedSeeARequest) {
  ScenarioSpec spec = with_mechanism(small_market(), "rfq");
  spec.agents.market_maker.count = 3;
  spec.mechanism.rfq.dealers = 2;
  VectorSink sink;
  const RunResult r = run_scenario(spec, RunKey{9, 0}, &sink);
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  std::map<std::string, std::vector<int>> asked;  // request id -> dealers, in log order
  for (const auto& l : sink.lines) {
    if (field(l, "type") == "quote_request")
      asked[field(l, "order")].push_back(std::stoi(field(l, "agent")));
  }
  ASSERT_GT(asked.size(), 20u);
  int trades = 0;
  for (const auto& l : sink.lines) {
    if (field(l, "type") != "trade") continue;
    ++trades;
    const auto& dealers = asked.at(field(l, "order"));
    ASSERT_EQ(dealers.size(), 2u);
    // The counterparty is one of the dealers asked, never anyone else.
    const int maker = std::stoi(field(l, "counter_agent"));
    EXPECT_TRUE(maker == dealers[0] || maker == dealers[1]) << l;
  }
  EXPECT_GT(trades, 10);
}

}  // namespace
}  // namespace proteus::engine
