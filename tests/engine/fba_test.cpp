// Frequent batch auction: hand-computed clears (price, volume, allocation per order) for ties,
// empty and one-sided books, rationing, pro-rata remainders and random allocation, and the
// batch mechanism's order life cycle (carry-over, IOC remainders, cancels inside a batch).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "engine/market_sim.hpp"
#include "engine/mechanisms/batch_auction.hpp"
#include "engine/mechanisms/factory.hpp"

namespace proteus::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr AgentId kA{1};
constexpr AgentId kB{2};
constexpr AgentId kC{3};
constexpr AgentId kD{4};

BatchOrder limit_order(std::uint64_t id, Side side, std::int64_t price, std::int64_t lots,
                       AgentId owner = kA) {
  return BatchOrder{OrderId{id}, owner, side, OrderKind::kLimit, Price{price}, lots, id};
}
BatchOrder market_order(std::uint64_t id, Side side, std::int64_t lots, AgentId owner = kA) {
  return BatchOrder{OrderId{id}, owner, side, OrderKind::kMarket, Price{}, lots, id};
}

Clearing clear_orders(const std::vector<BatchOrder>& buys, const std::vector<BatchOrder>& sells,
                      TieRule tie = TieRule::kImbalance, Allocation alloc = Allocation::kTime,
                      std::optional<Price> previous = std::nullopt) {
  RandomStream rng{99, StreamId::kMechanism, 0};
  return clear_uniform(buys, sells, ClearingRules{tie, alloc, 1000}, previous, rng);
}

// Buys 5@520, 3@510; sells 4@500, 4@515. Over [500, 520]: D = 8 up to 510 then 5;
// S = 4 below 515 then 8. Volume 4 on [500, 514], 5 on [515, 520] (imbalance 3 throughout).
const std::vector<BatchOrder> kCrossBuys{limit_order(1, Side::kBuy, 520, 5),
                                         limit_order(2, Side::kBuy, 510, 3)};
const std::vector<BatchOrder> kCrossSells{limit_order(3, Side::kSell, 500, 4),
                                          limit_order(4, Side::kSell, 515, 4)};

TEST(UniformClear, PicksThePriceRangeWithMostVolumeAndItsMidpointWithoutHistory) {
  const Clearing c = clear_orders(kCrossBuys, kCrossSells);
  ASSERT_TRUE(c.price.has_value());
  EXPECT_EQ(c.price->ticks, 517);  // floor((515 + 520) / 2)
  EXPECT_EQ(c.volume, 5);
  EXPECT_THAT(c.buy_fills, ElementsAre(5, 0));  // 510 is below the price
  // Sells are rationed (8 eligible for 5): the 500 seller first by price, then 1 of 4 at 515.
  EXPECT_THAT(c.sell_fills, ElementsAre(4, 1));
  ASSERT_EQ(c.matches.size(), 2u);
  EXPECT_EQ(c.matches[0].buy, 0u);
  EXPECT_EQ(c.matches[0].sell, 0u);
  EXPECT_EQ(c.matches[0].lots, 4);
  EXPECT_EQ(c.matches[1].sell, 1u);
  EXPECT_EQ(c.matches[1].lots, 1);
}

TEST(UniformClear, PreviousPriceInsideTheRangeWinsAndOutsideItTheNearestEnd) {
  EXPECT_EQ(
      clear_orders(kCrossBuys, kCrossSells, TieRule::kImbalance, Allocation::kTime, Price{518})
          .price->ticks,
      518);
  EXPECT_EQ(
      clear_orders(kCrossBuys, kCrossSells, TieRule::kImbalance, Allocation::kTime, Price{530})
          .price->ticks,
      520);
  EXPECT_EQ(
      clear_orders(kCrossBuys, kCrossSells, TieRule::kImbalance, Allocation::kTime, Price{400})
          .price->ticks,
      515);
}

// Buys 2@516, 1@504; sells 2@500, 1@506. Every price in [500, 516] matches 2 lots; the
// imbalance |D - S| is 1 on [500, 504], 0 at 505 and 1 on [506, 516].
const std::vector<BatchOrder> kTieBuys{limit_order(1, Side::kBuy, 516, 2),
                                       limit_order(2, Side::kBuy, 504, 1)};
const std::vector<BatchOrder> kTieSells{limit_order(3, Side::kSell, 500, 2),
                                        limit_order(4, Side::kSell, 506, 1)};

TEST(UniformClear, ImbalanceRuleBeatsThePreviousPrice) {
  const Clearing c =
      clear_orders(kTieBuys, kTieSells, TieRule::kImbalance, Allocation::kTime, Price{512});
  EXPECT_EQ(c.price->ticks, 505);
  EXPECT_EQ(c.volume, 2);
  EXPECT_THAT(c.buy_fills, ElementsAre(2, 0));
  EXPECT_THAT(c.sell_fills, ElementsAre(2, 0));
}

TEST(UniformClear, PreviousRuleIgnoresImbalance) {
  const Clearing c =
      clear_orders(kTieBuys, kTieSells, TieRule::kPrevious, Allocation::kTime, Price{512});
  EXPECT_EQ(c.price->ticks, 512);
  EXPECT_EQ(c.volume, 2);
  // At 512 both sells are eligible (3 lots for 2): the 500 seller by price priority.
  EXPECT_THAT(c.sell_fills, ElementsAre(2, 0));
}

TEST(UniformClear, MidpointRuleIgnoresImbalanceAndHistory) {
  const Clearing c =
      clear_orders(kTieBuys, kTieSells, TieRule::kMidpoint, Allocation::kTime, Price{512});
  EXPECT_EQ(c.price->ticks, 508);  // floor((500 + 516) / 2)
}

TEST(UniformClear, PreviousRuleWithoutHistoryFallsBackToMidpoint) {
  EXPECT_EQ(clear_orders(kTieBuys, kTieSells, TieRule::kPrevious).price->ticks, 508);
}

TEST(UniformClear, EmptySideOrUncrossedBookTradesNothing) {
  const Clearing no_sells = clear_orders({limit_order(1, Side::kBuy, 500, 3)}, {});
  EXPECT_FALSE(no_sells.price.has_value());
  EXPECT_EQ(no_sells.volume, 0);
  EXPECT_THAT(no_sells.buy_fills, ElementsAre(0));
  const Clearing apart =
      clear_orders({limit_order(1, Side::kBuy, 490, 3)}, {limit_order(2, Side::kSell, 510, 3)});
  EXPECT_FALSE(apart.price.has_value());
  EXPECT_TRUE(apart.matches.empty());
}

TEST(UniformClear, MarketOrdersAloneNeedAPreviousPrice) {
  const std::vector<BatchOrder> buys{market_order(1, Side::kBuy, 2, kA)};
  const std::vector<BatchOrder> sells{market_order(2, Side::kSell, 1, kB)};
  EXPECT_FALSE(clear_orders(buys, sells).price.has_value());
  const Clearing c = clear_orders(buys, sells, TieRule::kImbalance, Allocation::kTime, Price{480});
  EXPECT_EQ(c.price->ticks, 480);
  EXPECT_EQ(c.volume, 1);
  EXPECT_THAT(c.buy_fills, ElementsAre(1));
}

TEST(UniformClear, MarketBuyAgainstAsksClearsInsideTheLimitRange) {
  // Market buy 1 vs asks 1@520, 1@530: volume 1 everywhere in [520, 530]; imbalance 0 on
  // [520, 529] and 1 at 530; midpoint floor((520 + 529) / 2) = 524. Only the 520 ask sells.
  const Clearing c =
      clear_orders({market_order(1, Side::kBuy, 1)},
                   {limit_order(2, Side::kSell, 520, 1), limit_order(3, Side::kSell, 530, 1)});
  EXPECT_EQ(c.price->ticks, 524);
  EXPECT_THAT(c.sell_fills, ElementsAre(1, 0));
}

TEST(UniformClear, MarketOrdersHavePriorityOverLimitsOnTheRationedSide) {
  // Buys: limit 2@510 first, then market 2; sell 3@505. At 505..510 D = 4, S = 3.
  const Clearing c =
      clear_orders({limit_order(1, Side::kBuy, 510, 2), market_order(2, Side::kBuy, 2)},
                   {limit_order(3, Side::kSell, 505, 3)});
  EXPECT_EQ(c.volume, 3);
  EXPECT_EQ(c.price->ticks, 507);  // imbalance 1 on all of [505, 510]: floor(1015 / 2)
  EXPECT_THAT(c.buy_fills, ElementsAre(1, 2));
}

// Sells 3, 5, 2 lots at 500 (arrival order), one buy of 7 at 500: the level is rationed.
const std::vector<BatchOrder> kLevelSells{limit_order(2, Side::kSell, 500, 3, kB),
                                          limit_order(3, Side::kSell, 500, 5, kC),
                                          limit_order(4, Side::kSell, 500, 2, kD)};

TEST(Allocation, TimePriorityFillsEarliestArrivalsFirst) {
  const Clearing c = clear_orders({limit_order(1, Side::kBuy, 500, 7)}, kLevelSells);
  EXPECT_EQ(c.price->ticks, 500);
  EXPECT_THAT(c.sell_fills, ElementsAre(3, 4, 0));
}

TEST(Allocation, ProRataGivesFloorsThenLargestRemainders) {
  // 7 * (3, 5, 2) / 10 = (2.1, 3.5, 1.4): floors (2, 3, 1) = 6; the one lot left goes to the
  // largest remainder 0.5.
  const Clearing c = clear_orders({limit_order(1, Side::kBuy, 500, 7)}, kLevelSells,
                                  TieRule::kImbalance, Allocation::kProRata);
  EXPECT_THAT(c.sell_fills, ElementsAre(2, 4, 1));
}

TEST(Allocation, ProRataEqualRemaindersGoToEarlierArrivals) {
  // 2 * (1, 1, 1) / 3: floors 0, remainders equal; the two lots go to the first two.
  const Clearing c = clear_orders(
      {limit_order(1, Side::kBuy, 500, 2)},
      {limit_order(2, Side::kSell, 500, 1, kB), limit_order(3, Side::kSell, 500, 1, kC),
       limit_order(4, Side::kSell, 500, 1, kD)},
      TieRule::kImbalance, Allocation::kProRata);
  EXPECT_THAT(c.sell_fills, ElementsAre(1, 1, 0));
}

TEST(Allocation, RationingAppliesOnlyAtTheMarginalLevel) {
  // Sells 2@490 (better) and 4 + 4 at 500; buy 6@500. The 490 seller fills in full, the 4
  // lots left are shared pro rata 2 / 2 at 500.
  const Clearing c = clear_orders(
      {limit_order(1, Side::kBuy, 500, 6)},
      {limit_order(2, Side::kSell, 500, 4, kB), limit_order(3, Side::kSell, 490, 2, kC),
       limit_order(4, Side::kSell, 500, 4, kD)},
      TieRule::kImbalance, Allocation::kProRata);
  EXPECT_EQ(c.price->ticks, 500);
  EXPECT_THAT(c.sell_fills, ElementsAre(2, 2, 2));
}

TEST(Allocation, RandomPriorityIsAFisherYatesShuffleOfTheMechanismStream) {
  // Two 1-lot sells at one level for one lot: the shuffle draws below(2) once; draw 1 keeps
  // the order, draw 0 swaps it. Reproduced here from a stream with the same key.
  const std::vector<BatchOrder> sells{limit_order(2, Side::kSell, 500, 1, kB),
                                      limit_order(3, Side::kSell, 500, 1, kC)};
  int first_wins = 0;
  for (std::uint64_t key = 0; key < 2000; ++key) {
    RandomStream rng{key, StreamId::kMechanism, 0};
    RandomStream oracle{key, StreamId::kMechanism, 0};
    const Clearing c = clear_uniform(std::vector{limit_order(1, Side::kBuy, 500, 1)}, sells,
                                     ClearingRules{TieRule::kImbalance, Allocation::kRandom, 1000},
                                     std::nullopt, rng);
    const bool keep = oracle.below(2) == 1;
    EXPECT_THAT(c.sell_fills, ElementsAre(keep ? 1 : 0, keep ? 0 : 1)) << "key " << key;
    EXPECT_EQ(rng.draws(), oracle.draws());
    first_wins += keep ? 1 : 0;
  }
  // Fair: 1000 expected, sd sqrt(2000 / 4) = 22.4; 4.5 sd either side.
  EXPECT_NEAR(first_wins, 1000, 100);
}

TEST(Allocation, RandomDrawsNothingWhenNoLevelIsRationed) {
  RandomStream rng{5, StreamId::kMechanism, 0};
  const Clearing c = clear_uniform(
      std::vector{limit_order(1, Side::kBuy, 500, 3)},
      std::vector{limit_order(2, Side::kSell, 500, 1, kB), limit_order(3, Side::kSell, 499, 2, kC)},
      ClearingRules{TieRule::kImbalance, Allocation::kRandom, 1000}, std::nullopt, rng);
  EXPECT_EQ(c.volume, 3);
  EXPECT_EQ(rng.draws(), 0u);
}

// ---------------------------------------------------------------------------------------------
// The mechanism: batches, carry-over and cancels.

const MarketRules kRules{};
constexpr SimTime kDelta = SimTime::from_ms(100);

OrderRequest request(std::uint64_t id, AgentId owner, Side side, OrderKind kind, std::int64_t price,
                     std::int64_t lots) {
  return OrderRequest{OrderId{id}, owner, side, kind, Price{price}, Qty{lots}};
}

std::vector<Outcome> outcomes_of(const Outcomes& out, OutcomeKind kind) {
  std::vector<Outcome> v;
  for (const Outcome& o : out) {
    if (o.kind == kind) v.push_back(o);
  }
  return v;
}

class BatchMechanism : public ::testing::Test {
 protected:
  BatchAuction fba{kRules, BatchParams{kDelta, TieRule::kImbalance, Allocation::kTime},
                   RandomStream{1, StreamId::kMechanism, 0}};
  Outcomes out;
};

TEST_F(BatchMechanism, AcceptsOrdersAndTradesOnlyAtTheBatchEnd) {
  EXPECT_EQ(fba.next_timer(), kDelta);
  fba.on_order(SimTime::from_ms(10), request(1, kA, Side::kSell, OrderKind::kLimit, 500, 3), out);
  fba.on_order(SimTime::from_ms(20), request(2, kB, Side::kBuy, OrderKind::kIoc, 510, 5), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kAccepted);
  EXPECT_EQ(out[0].qty.lots, 3);
  EXPECT_EQ(out[1].kind, OutcomeKind::kAccepted);
  EXPECT_EQ(fba.public_view(),
            (PublicView{std::nullopt, std::nullopt, std::nullopt, Qty{}, false}));
  out.clear();
  fba.on_timer(kDelta, out);
  EXPECT_EQ(fba.next_timer(), SimTime::from_ms(200));
  // Range [500, 510], D = 5, S = 3: volume 3, imbalance 2 everywhere -> floor(1010 / 2).
  ASSERT_EQ(out.size(), 2u);
  const Outcome& t = out[0];
  EXPECT_EQ(t.kind, OutcomeKind::kTrade);
  EXPECT_EQ(t.price.ticks, 505);
  EXPECT_EQ(t.qty.lots, 3);
  // The sell arrived first: it is the maker.
  EXPECT_EQ(t.agent, kB);
  EXPECT_EQ(t.order.value, 2u);
  EXPECT_EQ(t.side, Side::kBuy);
  EXPECT_EQ(t.remaining.lots, 2);
  EXPECT_EQ(t.counter_agent, kA);
  EXPECT_EQ(t.counter_order.value, 1u);
  EXPECT_EQ(t.counter_remaining.lots, 0);
  EXPECT_EQ(out[1].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[1].reason, Reason::kUnfilledIoc);
  EXPECT_EQ(out[1].qty.lots, 2);
  const PublicView v = fba.public_view();
  EXPECT_FALSE(v.best_bid.has_value());
  EXPECT_FALSE(v.best_ask.has_value());
  EXPECT_EQ(v.last_price, Price{505});
  EXPECT_EQ(v.last_qty.lots, 3);
  EXPECT_EQ(fba.open_orders(), 0u);
}

TEST_F(BatchMechanism, UnfilledLimitOrdersCarryAndAreMakersInTheNextBatch) {
  fba.on_order(SimTime::from_ms(10), request(1, kA, Side::kBuy, OrderKind::kLimit, 490, 2), out);
  fba.on_order(SimTime::from_ms(10), request(2, kB, Side::kSell, OrderKind::kLimit, 510, 2), out);
  out.clear();
  fba.on_timer(kDelta, out);
  EXPECT_TRUE(out.empty());
  const BookSnapshot snap = fba.snapshot();
  ASSERT_EQ(snap.bids.size(), 1u);
  EXPECT_EQ(snap.bids[0].qty.lots, 2);
  ASSERT_EQ(snap.asks.size(), 1u);
  // Next batch: a market sell of 3 meets the carried bid (price range [490, 510]).
  fba.on_order(SimTime::from_ms(150), request(3, kC, Side::kSell, OrderKind::kMarket, 0, 3), out);
  out.clear();
  fba.on_timer(SimTime::from_ms(200), out);
  const auto trades = outcomes_of(out, OutcomeKind::kTrade);
  ASSERT_EQ(trades.size(), 1u);
  // D = 2 up to 490, 0 above; S = 3 below 510 and 5 at 510: volume 2 only at 490.
  EXPECT_EQ(trades[0].price.ticks, 490);
  EXPECT_EQ(trades[0].agent, kC);
  EXPECT_EQ(trades[0].counter_agent, kA);
  const auto cancels = outcomes_of(out, OutcomeKind::kCancelled);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].reason, Reason::kUnfilledIoc);
  EXPECT_EQ(cancels[0].qty.lots, 1);
  EXPECT_EQ(fba.open_orders(), 1u);  // the ask at 510 still waits
}

TEST_F(BatchMechanism, MarketOrderAgainstAnEmptySideEndsWithNoLiquidity) {
  fba.on_order(SimTime::from_ms(1), request(1, kA, Side::kBuy, OrderKind::kMarket, 0, 1), out);
  out.clear();
  fba.on_timer(kDelta, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[0].reason, Reason::kNoLiquidity);
  EXPECT_EQ(out[0].price.ticks, 0);
}

TEST_F(BatchMechanism, CancelInsideTheBatchRemovesTheOrderBeforeTheClear) {
  fba.on_order(SimTime::from_ms(1), request(1, kA, Side::kSell, OrderKind::kLimit, 500, 2), out);
  fba.on_order(SimTime::from_ms(2), request(2, kB, Side::kBuy, OrderKind::kLimit, 505, 2), out);
  out.clear();
  fba.on_cancel(SimTime::from_ms(3), kB, OrderId{1}, out);  // not B's order
  fba.on_cancel(SimTime::from_ms(3), kA, OrderId{1}, out);
  fba.on_cancel(SimTime::from_ms(4), kA, OrderId{1}, out);  // already cancelled
  fba.on_cancel(SimTime::from_ms(4), kA, OrderId{77}, out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].kind, OutcomeKind::kCancelRejected);
  EXPECT_EQ(out[0].reason, Reason::kUnknownOrder);
  EXPECT_EQ(out[1].kind, OutcomeKind::kCancelled);
  EXPECT_EQ(out[1].reason, Reason::kUserCancel);
  EXPECT_EQ(out[1].qty.lots, 2);
  EXPECT_EQ(out[2].reason, Reason::kTooLate);
  EXPECT_EQ(out[3].reason, Reason::kUnknownOrder);
  out.clear();
  fba.on_timer(kDelta, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(fba.open_orders(), 1u);
}

TEST_F(BatchMechanism, RejectsLikeTheClob) {
  fba.on_order(SimTime{}, request(1, kA, Side::kBuy, OrderKind::kLimit, 500, 1), out);
  fba.on_order(SimTime{}, request(1, kA, Side::kBuy, OrderKind::kLimit, 500, 1), out);
  fba.on_order(SimTime{}, request(2, kA, Side::kBuy, OrderKind::kIoc, 1000, 1), out);
  fba.on_order(SimTime{}, request(3, kA, Side::kBuy, OrderKind::kLimit, 500, 0), out);
  fba.on_order(SimTime{}, request(4, kA, Side::kBuy, OrderKind::kMarket, 0, 1001), out);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[1].reason, Reason::kDuplicateOrderId);
  EXPECT_EQ(out[2].reason, Reason::kPriceOutOfRange);
  EXPECT_EQ(out[3].reason, Reason::kBadQuantity);
  EXPECT_EQ(out[4].reason, Reason::kBadQuantity);
  EXPECT_EQ(fba.open_orders(), 1u);
}

TEST_F(BatchMechanism, OrderArrivingAfterTheClearWaitsForTheNextBatch) {
  fba.on_order(SimTime::from_ms(50), request(1, kA, Side::kSell, OrderKind::kLimit, 500, 1), out);
  out.clear();
  fba.on_timer(kDelta, out);
  // Phase order puts arrivals at exactly the batch end after the clear.
  fba.on_order(kDelta, request(2, kB, Side::kBuy, OrderKind::kLimit, 500, 1), out);
  EXPECT_EQ(outcomes_of(out, OutcomeKind::kTrade).size(), 0u);
  out.clear();
  fba.on_timer(SimTime::from_ms(200), out);
  ASSERT_EQ(outcomes_of(out, OutcomeKind::kTrade).size(), 1u);
  EXPECT_EQ(out[0].price.ticks, 500);
}

TEST_F(BatchMechanism, TimerBeforeTheBatchEndDoesNothing) {
  fba.on_order(SimTime::from_ms(1), request(1, kA, Side::kSell, OrderKind::kLimit, 500, 1), out);
  fba.on_order(SimTime::from_ms(2), request(2, kB, Side::kBuy, OrderKind::kLimit, 500, 1), out);
  out.clear();
  fba.on_timer(SimTime::from_ms(60), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(fba.next_timer(), kDelta);
}

TEST(FbaConfig, TableKeysReachTheMechanism) {
  const ScenarioSpec spec = load_scenario(
      "[run]\nmechanism = \"fba\"\n[mechanism.fba]\ndelta_ms = 250\ntie_rule = \"midpoint\"\n"
      "allocation = \"random\"\n",
      "fba.toml");
  const auto mech = make_mechanism(spec, MarketRules{}, 1);
  const auto* fba = dynamic_cast<const BatchAuction*>(mech.get());
  ASSERT_NE(fba, nullptr);
  EXPECT_EQ(fba->name(), "fba");
  EXPECT_EQ(fba->params().delta, SimTime::from_ms(250));
  EXPECT_EQ(fba->params().tie, TieRule::kMidpoint);
  EXPECT_EQ(fba->params().allocation, Allocation::kRandom);
  EXPECT_EQ(fba->next_timer(), SimTime::from_ms(250));
}

TEST(FbaConfig, BadValuesNameTheKeyAndTheAllowedValues) {
  try {
    load_scenario("[mechanism.fba]\ndelta_ms = 0\n", "d.toml");
    FAIL() << "delta_ms = 0 loaded";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("d.toml:2:12: mechanism.fba.delta_ms = 0.0 is out of range"));
  }
  try {
    load_scenario("[mechanism.fba]\ntie_rule = \"imbalanse\"\n", "t.toml");
    FAIL() << "tie_rule = imbalanse loaded";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("imbalance, previous, midpoint, imbalance_midpoint (did you mean "
                          "\"imbalance\"?)"));
  }
}

}  // namespace
}  // namespace proteus::engine
