// The predecessor's behaviours as options (configs/predecessor-default.toml): the CLOB's
// self-trades and end-of-instant crossing, the good-till-cancelled market maker with its EWMA
// belief and estimators, the informed and noise traders that refer to the market maker's
// quotes, the latent step at time 0, the book delay and the drain after the horizon. Expected
// values are computed by hand in the comments.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "engine/agents/market_maker.hpp"
#include "engine/agents/traders.hpp"
#include "engine/config.hpp"
#include "engine/latent.hpp"
#include "engine/mechanisms/clob.hpp"
#include "engine/metrics_registry.hpp"
#include "engine/simulation.hpp"

namespace proteus::engine {
namespace {

// ---------------------------------------------------------------------------------------------
// CLOB

OrderRequest limit(std::uint64_t id, std::uint32_t owner, Side side, std::int64_t price,
                   std::int64_t lots) {
  return OrderRequest{OrderId{id},       AgentId{owner}, side,
                      OrderKind::kLimit, Price{price},   Qty{lots}};
}

std::vector<Outcome> trades(const Outcomes& out) {
  std::vector<Outcome> t;
  for (const Outcome& o : out) {
    if (o.kind == OutcomeKind::kTrade) t.push_back(o);
  }
  return t;
}

TEST(SelfTradeAllow, AnOwnRestingOrderTradesWithTheIncomingOne) {
  Clob book(MarketRules{}, SelfTradeRule::kAllow);
  Outcomes out;
  book.on_order(SimTime{0}, limit(1, 0, Side::kSell, 510, 2), out);
  out.clear();
  book.on_order(SimTime{0}, limit(2, 0, Side::kBuy, 520, 1), out);
  const auto t = trades(out);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].agent, AgentId{0});
  EXPECT_EQ(t[0].counter_agent, AgentId{0});
  EXPECT_EQ(t[0].price, Price{510});  // the resting order's price
  EXPECT_EQ(t[0].counter_remaining, Qty{1});
  EXPECT_EQ(book.resting_orders(), 1u);
}

TEST(EndOfInstantCrossing, EntersEveryOrderOfTheInstantThenCrossesAtTheOlderPrice) {
  Clob book(MarketRules{}, SelfTradeRule::kAllow, Crossing::kEndOfInstant);
  Outcomes out;
  // Resting before the instant: asks at 510 and 530 (agent 1).
  book.on_order(SimTime{0}, limit(1, 1, Side::kSell, 510, 1), out);
  book.on_order(SimTime{0}, limit(2, 1, Side::kSell, 530, 1), out);
  EXPECT_TRUE(book.settle_pending());
  book.on_settle(SimTime{0}, out);
  EXPECT_FALSE(book.settle_pending());
  out.clear();
  // One instant: a bid at 520 (agent 0), a bid for 2 at 600 (agent 2), an ask at 505
  // (agent 3). Nothing trades before the settle.
  book.on_order(SimTime{5}, limit(3, 0, Side::kBuy, 520, 1), out);
  book.on_order(SimTime{5}, limit(4, 2, Side::kBuy, 600, 2), out);
  book.on_order(SimTime{5}, limit(5, 3, Side::kSell, 505, 1), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(book.public_view().best_bid, std::nullopt);
  book.on_settle(SimTime{5}, out);
  // Best bid 600 (new) against best ask 505 (new, better than the resting 510): the bid is
  // older, so it is the maker and the price is 600. Its second lot then meets the resting ask
  // 510 at 510. The bid at 520 no longer crosses 530 and rests.
  const auto t = trades(out);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].agent, AgentId{3});
  EXPECT_EQ(t[0].side, Side::kSell);
  EXPECT_EQ(t[0].counter_order, OrderId{4});
  EXPECT_EQ(t[0].price, Price{600});
  EXPECT_EQ(t[0].counter_remaining, Qty{1});
  EXPECT_EQ(t[1].agent, AgentId{2});
  EXPECT_EQ(t[1].counter_order, OrderId{1});
  EXPECT_EQ(t[1].price, Price{510});
  EXPECT_EQ(t[1].remaining, Qty{0});
  const PublicView v = book.public_view();
  ASSERT_TRUE(v.best_bid && v.best_ask);
  EXPECT_EQ(v.best_bid->price, Price{520});
  EXPECT_EQ(v.best_ask->price, Price{530});
  EXPECT_EQ(v.last_price, Price{510});
}

TEST(EndOfInstantCrossing, ARestingOrderGoesBeforeANewOneAtTheSamePrice) {
  Clob book(MarketRules{}, SelfTradeRule::kAllow, Crossing::kEndOfInstant);
  Outcomes out;
  book.on_order(SimTime{0}, limit(1, 1, Side::kBuy, 500, 1), out);
  book.on_settle(SimTime{0}, out);
  out.clear();
  book.on_order(SimTime{1}, limit(2, 2, Side::kBuy, 500, 1), out);
  book.on_order(SimTime{1}, limit(3, 3, Side::kSell, 500, 1), out);
  book.on_settle(SimTime{1}, out);
  const auto t = trades(out);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].counter_order, OrderId{1});
  EXPECT_EQ(t[0].agent, AgentId{3});
}

TEST(EndOfInstantCrossing, CancelsAnOrderStillWaitingForTheSettle) {
  Clob book(MarketRules{}, SelfTradeRule::kAllow, Crossing::kEndOfInstant);
  Outcomes out;
  book.on_order(SimTime{0}, limit(1, 1, Side::kBuy, 500, 3), out);
  book.on_cancel(SimTime{0}, AgentId{1}, OrderId{1}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[0].qty, Qty{3});
  EXPECT_FALSE(book.settle_pending());
}

TEST(EndOfInstantCrossing, ConfigNeedsSelfTradesAllowed) {
  EXPECT_THROW(load_scenario("[market]\ncrossing = \"end_of_instant\"\n", "x.toml"), ConfigError);
  EXPECT_NO_THROW(
      load_scenario("[market]\ncrossing = \"end_of_instant\"\nself_trade = \"allow\"\n", "x.toml"));
}

// ---------------------------------------------------------------------------------------------
// Agents

/// A context with a settable time, signal and market maker quotes that records the orders.
class ScriptedContext final : public AgentContext {
 public:
  struct Sent {
    Side side;
    OrderKind kind;
    Price limit;
    Qty qty;
    SimTime at;
  };
  SimTime now() const override { return now_; }
  SimTime horizon() const override { return SimTime::from_ms(20'000); }
  double signal() override { return signal_; }
  const PublicView& view() override { return view_; }
  const MarketRules& rules() const override { return rules_; }
  double lot_size() const override { return 1e-6; }
  RandomStream& rng() override { return rng_; }
  RandomStream& arrival_rng() override { return arrival_; }
  OrderId submit(Side side, OrderKind kind, Price limit, Qty qty) override {
    sent.push_back({side, kind, limit, qty, now_});
    return OrderId{sent.size()};
  }
  void cancel(OrderId) override { ++cancels; }
  std::span<MessageLeg> compose(std::size_t count) override {
    legs_ = {};
    count_ = count;
    return {legs_.data(), count};
  }
  void send_message() override {
    for (std::size_t i = 0; i < count_; ++i) {
      MessageLeg& leg = legs_[i];
      if (leg.cancel.value != 0) ++cancels;
      if (leg.enter)
        leg.order.id = submit(leg.order.side, leg.order.kind, leg.order.limit, leg.order.qty);
    }
  }
  void wake_at(SimTime t) override { wakes.push_back(t); }
  std::optional<QuotePair> market_maker_quotes() override { return quotes; }

  SimTime now_{0};
  double signal_ = 0.5;
  std::optional<QuotePair> quotes;
  PublicView view_;
  std::vector<Sent> sent;
  std::vector<SimTime> wakes;
  int cancels = 0;

 private:
  MarketRules rules_{1'000'000, 1, 1'000'000'000, 1'000'000'000'000};
  std::array<MessageLeg, kMaxMessageLegs> legs_{};
  std::size_t count_ = 0;
  RandomStream rng_{1, StreamId::kDecision, 0};
  RandomStream arrival_{1, StreamId::kArrival, 0};
};

MarketMakerSpec predecessor_mm() {
  MarketMakerSpec s;
  s.h0 = 0.02;
  s.kappa = 0.01;
  s.a = 0.002;
  s.b = 0.5;
  s.c = 0.5;
  s.min_half_spread = 0.004;
  s.quotes = QuoteLifetime::kGtc;
  s.belief = BeliefRule::kSignalEwma;
  s.estimators = SpreadEstimators::kQuotesAndFills;
  s.size_rule = QuoteSizeRule::kInventoryScaled;
  s.inventory_limit = InventoryLimit::kReached;
  s.loss_limit = 1e12;
  return s;
}

Notice fill(Side side, std::int64_t price, std::int64_t lots, bool self, bool maker) {
  Notice n;
  n.kind = Notice::Kind::kFill;
  n.side = side;
  n.price = Price{price};
  n.qty = Qty{lots};
  n.self_trade = self;
  n.maker = maker;
  return n;
}

TEST(PredecessorMarketMaker, PostsNewGtcQuotesEveryDecisionFromAnEwmaBelief) {
  MarketMaker mm(predecessor_mm());
  ScriptedContext ctx;
  mm.on_start(ctx);
  // Before any decision traders see 0.5 -/+ 0.01.
  EXPECT_EQ(mm.quotes_before(SimTime{0})->bid, Price{490'000});
  EXPECT_EQ(mm.quotes_before(SimTime{0})->ask, Price{510'000});
  ctx.signal_ = 0.6;
  mm.on_decision(ctx);
  // belief = 0.65 * 0.5 + 0.35 * 0.6 = 0.535; sigma_hat = AS_hat = 0 (first mid 0.5 only
  // starts the series): h = 0.02, quotes 0.515 / 0.555 of 1 contract (no inventory).
  ASSERT_EQ(ctx.sent.size(), 2u);
  EXPECT_EQ(ctx.sent[0].side, Side::kBuy);
  EXPECT_EQ(ctx.sent[0].kind, OrderKind::kLimit);
  EXPECT_NEAR(static_cast<double>(ctx.sent[0].limit.ticks), 515'000, 1);
  EXPECT_NEAR(static_cast<double>(ctx.sent[1].limit.ticks), 555'000, 1);
  EXPECT_EQ(ctx.sent[0].qty, Qty{1'000'000});
  // Traders at the same instant still see the initial quotes; later ones see these.
  EXPECT_EQ(mm.quotes_before(SimTime{0})->bid, Price{490'000});
  EXPECT_EQ(mm.quotes_before(SimTime{1})->bid, ctx.sent[0].limit);

  // A buy fill of 0.4 at 0.555 - 0.04 = 0.515 (own bid): AS sample |0.535 - 0.515| = 0.02,
  // AS_hat = 0.2 * 0.02 = 0.004; mid series 0.5 -> 0.515: sigma_hat = 0.25 * 0.015.
  ctx.now_ = SimTime::from_ms(3);
  mm.on_notice(ctx, fill(Side::kBuy, 515'000, 400'000, false, false));
  EXPECT_DOUBLE_EQ(mm.inventory(), 0.4);
  // A self-trade reaches it as two notices; the estimators count it once.
  mm.on_notice(ctx, fill(Side::kBuy, 540'000, 100'000, true, false));
  mm.on_notice(ctx, fill(Side::kSell, 540'000, 100'000, true, true));
  EXPECT_NEAR(mm.inventory(), 0.4, 1e-12);

  ctx.now_ = SimTime::from_ms(100);
  ctx.signal_ = 0.535;
  mm.on_decision(ctx);
  // No cancels, ever: two more orders.
  EXPECT_EQ(ctx.cancels, 0);
  ASSERT_EQ(ctx.sent.size(), 4u);
  // By hand: AS_hat = 0.8 * 0.004 + 0.2 * |0.535 - 0.54| = 0.0042. Mid series 0.5, 0.515,
  // 0.54, then the previous quotes' mid 0.535: sigma_hat = 0.25 * 0.015 = 0.00375, then
  // 0.75 * 0.00375 + 0.25 * 0.025 = 0.0090625, then 0.75 * 0.0090625 + 0.25 * 0.005 =
  // 0.008046875. belief stays 0.535; r = 0.535 - 0.01 * 0.4 = 0.531;
  // h = 0.02 + 0.002 * 0.4 + 0.5 * 0.008046875 + 0.5 * 0.0042 = 0.0269234375;
  // size = max(0.2, 1 - 0.4 / 20) = 0.98.
  const double h = 0.0269234375;
  EXPECT_NEAR(static_cast<double>(ctx.sent[2].limit.ticks), (0.531 - h) * 1e6, 1.0);
  EXPECT_NEAR(static_cast<double>(ctx.sent[3].limit.ticks), (0.531 + h) * 1e6, 1.0);
  EXPECT_EQ(ctx.sent[2].qty, Qty{980'000});
  ASSERT_TRUE(mm.quoted_spread_ticks().has_value());
  EXPECT_NEAR(static_cast<double>(*mm.quoted_spread_ticks()), 2 * h * 1e6, 2.0);
}

TEST(PredecessorMarketMaker, QuotesOnlyTheReducingSideOnceAtTheLimit) {
  MarketMakerSpec spec = predecessor_mm();
  spec.max_inventory = 1.0;
  MarketMaker mm(spec);
  ScriptedContext ctx;
  mm.on_start(ctx);
  mm.on_notice(ctx, fill(Side::kBuy, 500'000, 1'000'000, false, true));  // inventory 1
  mm.on_decision(ctx);
  ASSERT_EQ(ctx.sent.size(), 1u);
  EXPECT_EQ(ctx.sent[0].side, Side::kSell);
  EXPECT_EQ(ctx.sent[0].qty, Qty{200'000});  // max(0.2, 1 - 1/1) of 1 contract
  EXPECT_FALSE(mm.quoted_spread_ticks().has_value());
  // The withheld bid keeps its earlier price for traders.
  EXPECT_EQ(mm.quotes_before(SimTime{1})->bid, Price{490'000});
}

TEST(PredecessorInformed, RestsALimitOrderAtTheMarketMakersQuote) {
  InformedSpec spec;
  spec.activity = 1.0;
  spec.size_per_edge = 20.0;
  spec.order = TakerOrder::kLimit;
  spec.reference = PriceReference::kMmQuotes;
  spec.activity_draw = ActivityDraw::kPerDecision;
  InformedTrader trader(spec);
  ScriptedContext ctx;
  ctx.quotes = QuotePair{Price{480'000}, Price{520'000}};
  trader.on_start(ctx);
  ASSERT_EQ(ctx.wakes.size(), 1u);
  EXPECT_EQ(ctx.wakes[0], SimTime{0});  // decides from time 0
  ctx.signal_ = 0.55;                   // buy edge 0.03: 0.5 + 20 * (0.03 - 0.01) = 0.9
  trader.on_decision(ctx);
  ASSERT_EQ(ctx.sent.size(), 1u);
  EXPECT_EQ(ctx.sent[0].side, Side::kBuy);
  EXPECT_EQ(ctx.sent[0].kind, OrderKind::kLimit);
  EXPECT_EQ(ctx.sent[0].limit, Price{520'000});
  EXPECT_NEAR(static_cast<double>(ctx.sent[0].qty.lots), 900'000, 1);
  EXPECT_EQ(ctx.wakes.back(), SimTime::from_ms(100));
  ctx.signal_ = 0.465;  // sell edge 0.015: 0.5 + 20 * 0.005 = 0.6
  trader.on_decision(ctx);
  ASSERT_EQ(ctx.sent.size(), 2u);
  EXPECT_EQ(ctx.sent[1].side, Side::kSell);
  EXPECT_EQ(ctx.sent[1].limit, Price{480'000});
  EXPECT_NEAR(static_cast<double>(ctx.sent[1].qty.lots), 600'000, 1);
  ctx.signal_ = 0.5;  // no edge
  trader.on_decision(ctx);
  EXPECT_EQ(ctx.sent.size(), 2u);
}

TEST(PredecessorNoise, SendsAPoissonCountOfGtcLimitOrdersAroundTheQuoteMidEveryStep) {
  NoiseSpec spec;
  spec.count = 1;
  spec.rate = 18.0;  // 1.8 per 100 ms step
  spec.arrivals = NoiseArrivals::kPerStep;
  spec.size_min = 0.25;
  spec.size_max = 2.0;
  spec.limit_fraction = 1.0;
  spec.limit_price = NoiseLimitPrice::kAroundMid;
  spec.limit_offset_max = 0.05;
  spec.limit_gtc = true;
  spec.reference = PriceReference::kMmQuotes;
  NoiseTrader trader(spec);
  ScriptedContext ctx;
  ctx.quotes = QuotePair{Price{580'000}, Price{620'000}};  // mid 0.6
  trader.on_start(ctx);
  ASSERT_EQ(ctx.wakes.size(), 1u);
  EXPECT_EQ(ctx.wakes[0], SimTime{0});
  for (int step = 0; step < 200; ++step) {
    ctx.now_ = SimTime::from_ms(100 * step);
    trader.on_decision(ctx);
    EXPECT_EQ(ctx.wakes.back(), SimTime::from_ms(100 * (step + 1)));
  }
  // 200 steps of Poisson(1.8): 360 orders expected, sd 19.
  EXPECT_NEAR(static_cast<double>(ctx.sent.size()), 360.0, 4 * 19.0);
  double size_sum = 0.0;
  for (const auto& s : ctx.sent) {
    EXPECT_EQ(s.kind, OrderKind::kLimit);
    EXPECT_GE(s.limit.ticks, 550'000);
    EXPECT_LE(s.limit.ticks, 650'000);
    EXPECT_GE(s.qty.lots, 250'000);
    EXPECT_LE(s.qty.lots, 2'000'000);
    size_sum += static_cast<double>(s.qty.lots) * 1e-6;
  }
  EXPECT_NEAR(size_sum / static_cast<double>(ctx.sent.size()), 1.125, 0.1);
  EXPECT_EQ(ctx.cancels, 0);
}

// ---------------------------------------------------------------------------------------------
// The event loop

TEST(LatentFirstStep, AtZeroTakesOneMoreStepAndReadsOneStepAhead) {
  LatentSpec spec;
  spec.first_step = LatentStart::kAtZero;
  LatentProcess at_zero(spec, 42, SimTime::from_ms(1000));
  LatentProcess after_dt(LatentSpec{}, 42, SimTime::from_ms(1000));
  EXPECT_EQ(at_zero.first_step_time(), SimTime{0});
  EXPECT_EQ(after_dt.first_step_time(), SimTime::from_ms(100));
  at_zero.advance();  // the step at t = 0
  after_dt.advance();
  EXPECT_EQ(at_zero.time(), SimTime{0});
  EXPECT_EQ(after_dt.time(), SimTime::from_ms(100));
  EXPECT_EQ(at_zero.p(), after_dt.p());  // the same draws
  EXPECT_EQ(at_zero.p_at(SimTime::from_ms(50)), at_zero.p());
  EXPECT_EQ(after_dt.p_at(SimTime::from_ms(50)), after_dt.p_initial());
}

/// Keeps the event log's lines.
class Lines final : public EventSink {
 public:
  void write(std::string_view json_line) override { lines.emplace_back(json_line); }
  std::vector<std::string> lines;
};

ScenarioSpec predecessor() {
  return load_scenario_file(std::string(PROTEUS_SOURCE_DIR) + "/configs/predecessor-default.toml");
}

double metric(const ScenarioSpec& spec, const RunResult& r, std::string_view name) {
  const MetricRegistry reg = metric_registry(spec);
  for (std::size_t i = 0; i < reg.size(); ++i) {
    if (reg[i].name == name) return r.metrics.at(i);
  }
  ADD_FAILURE() << "no metric " << name;
  return 0.0;
}

TEST(PredecessorRun, OrdersReachTheBookTwoMillisecondsAfterEachDecision) {
  const ScenarioSpec spec = predecessor();
  Lines events;
  run_scenario(spec, RunKey{7, 0}, &events);
  int orders = 0;
  for (const std::string& line : events.lines) {
    if (line.find(R"("type":"order")") == std::string::npos) continue;
    ++orders;
    const auto t = std::stoll(line.substr(line.find("\"t\":") + 4));
    EXPECT_EQ(t % 100'000'000, 2'000'000) << line;  // decision + 1 ms submit + 1 ms ack
  }
  EXPECT_GE(orders, 402);  // two quotes at each of the 201 decisions, plus traders
}

TEST(PredecessorRun, DrainingAfterTheHorizonAddsTradesButLeavesPnlAtTheHorizon) {
  ScenarioSpec drain = predecessor();
  ScenarioSpec stop = drain;
  stop.run.after_horizon = AfterHorizon::kStop;
  double extra_trades = 0.0;
  for (std::uint64_t rep = 0; rep < 20; ++rep) {
    const RunResult a = run_scenario(drain, RunKey{11, rep});
    const RunResult b = run_scenario(stop, RunKey{11, rep});
    ASSERT_EQ(a.status, RunStatus::kOk);
    EXPECT_EQ(metric(drain, a, "mm_pnl"), metric(stop, b, "mm_pnl"));
    EXPECT_EQ(metric(drain, a, "mm_final_inventory"), metric(stop, b, "mm_final_inventory"));
    EXPECT_EQ(metric(drain, a, "mm_max_drawdown"), metric(stop, b, "mm_max_drawdown"));
    const double d = metric(drain, a, "trade_count") - metric(stop, b, "trade_count");
    EXPECT_GE(d, 0.0);
    extra_trades += d;
  }
  // The t = T decision's orders arrive at T + 2 ms: about 0.9 trades per run (S1 data).
  EXPECT_GT(extra_trades, 0.0);
}

TEST(PredecessorRun, SelfTradesHappenAndTheLedgerNetsThem) {
  const ScenarioSpec spec = predecessor();
  Lines events;
  const RunResult r = run_scenario(spec, RunKey{7, 0}, &events);
  ASSERT_EQ(r.status, RunStatus::kOk);  // ledger invariants hold
  int self = 0;
  for (const std::string& line : events.lines) {
    if (line.find(R"("type":"trade","agent":0,)") != std::string::npos &&
        line.find("\"counter_agent\":0,") != std::string::npos)
      ++self;
  }
  EXPECT_GT(self, 10);  // the predecessor has 88 +/- 38 per run
}

}  // namespace
}  // namespace proteus::engine
