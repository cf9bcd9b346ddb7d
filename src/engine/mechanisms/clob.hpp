// The continuous limit order book: price-time priority matching of limit, market and IOC
// orders over integer ticks, with cancels, self-trade prevention and bounded memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/choices.hpp"
#include "engine/mechanisms/id_index.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/mechanisms/occupancy.hpp"
#include "engine/slot_pool.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Continuous limit order book with price-time priority (docs/clob.md).
///
/// Rules, in the order they are applied to an incoming order:
/// - Duplicate id -> kRejected kDuplicateOrderId; then a limit or IOC price outside
///   (0, ticks_per_unit) -> kPriceOutOfRange (a market order's price is ignored); then a
///   quantity outside [1, max_order_lots] -> kBadQuantity.
/// - Matching takes the best opposite price first and, within a price, the oldest order
///   first. Every match is one kTrade at the resting order's price.
/// - Limit: the remainder rests (one kAccepted, qty = resting lots, after the trades).
///   IOC: the remainder is cancelled with kUnfilledIoc. Market: matches at any price; the
///   remainder is cancelled with kNoLiquidity if the opposite side was empty on arrival,
///   kUnfilledIoc otherwise. Cancel outcomes of market orders carry price 0.
/// - Cancels: the open lots of an own live order -> kCancelled kUserCancel. A live order of
///   another owner -> kCancelRejected kUnknownOrder. For ids that are not live, the book keeps
///   a window of the last kIdWindow ids below the highest id it has received: an id in that
///   window that reached the book (filled, cancelled, expired or rejected) -> kTooLate; an id
///   in the window that never reached it, or above the highest id -> kUnknownOrder; an id
///   older than the window -> kTooLate (the book no longer remembers it; OrderIds are
///   assigned in increasing order, so such an id was almost surely sent).
/// - Ids may arrive out of order (latency jitter); an id older than the window that is not
///   live is accepted as new, since the book cannot tell it from a late arrival.
///
/// Memory is bounded by the live book: a level array of ticks_per_unit entries, a pool of
/// resting orders, an id index sized to the live orders and a fixed id window.
class Clob final : public Mechanism {
 public:
  /// Ids below the highest id received for which "too late" and "unknown" are told apart.
  static constexpr std::uint64_t kIdWindow = std::uint64_t{1} << 16;

  /// Empty book for `rules`; ticks_per_unit must lie in [2, 2^31). With
  /// Crossing::kEndOfInstant, limit orders wait for on_settle (self_trade must be kAllow).
  explicit Clob(const MarketRules& rules, SelfTradeRule self_trade = SelfTradeRule::kCancelResting,
                Crossing crossing = Crossing::kOnArrival);

  std::string_view name() const override { return "clob"; }
  bool has_timers() const override { return false; }
  void on_order(SimTime now, const OrderRequest& order, Outcomes& out) override;
  void on_cancel(SimTime now, AgentId owner, OrderId id, Outcomes& out) override;
  PublicView public_view() const override;
  BookSnapshot snapshot() const override;
  bool settle_pending() const override { return !pending_.empty(); }
  /// Crossing::kEndOfInstant: the limit orders received since the last settle, with the book,
  /// are crossed best bid against best ask (an order already resting before any new one at
  /// the same price); each match trades at the price of the older order, the newer one being
  /// the taker; what is left rests in arrival order (docs/clob.md).
  void on_settle(SimTime now, Outcomes& out) override;

  /// Pre-sizes the order pool and id index for `orders` resting orders, so that the hot path
  /// does not allocate until the book holds more.
  void reserve(std::size_t orders);
  /// Number of resting orders on both sides.
  std::size_t resting_orders() const { return live_orders_; }
  /// The self-trade rule chosen at construction.
  SelfTradeRule self_trade_rule() const { return self_trade_; }

 private:
  static constexpr std::uint32_t kNil = IdIndex::kNil;
  /// Grids of at most this many prices index their levels directly (at most 1 MiB of levels).
  static constexpr std::int64_t kDenseLevels = std::int64_t{1} << 16;
  /// Resting orders (and sparse levels) a new book has room for before its first reallocation.
  static constexpr std::size_t kInitialOrders = 256;

  // A resting order, linked into its price level's FIFO list.
  struct Slot {
    std::uint64_t id = 0;
    std::int64_t price = 0;
    std::int64_t lots = 0;
    std::uint32_t prev = kNil;
    std::uint32_t next = kNil;  // also the free-list link of a free slot
    AgentId owner;
    Side side = Side::kBuy;
  };
  // One price; it holds orders of at most one side because the book is never crossed. Only
  // levels in occupied_ are meaningful: rest() sets every field of a level it occupies,
  // so the array is never initialised (no per-run pass over every price of the grid).
  struct PriceLevel {
    std::int64_t lots;
    std::uint32_t head;
    std::uint32_t tail;
  };

  template <Side kTaker>
  void execute(const OrderRequest& order, Outcomes& out);
  template <Side kTaker>
  std::int64_t match(const OrderRequest& order, std::int64_t limit, std::int64_t open,
                     bool& self_trade_stop, Outcomes& out);

  std::uint32_t rest(const OrderRequest& order, std::int64_t lots);
  /// Trades `lots` of the order at the head of the best level of side `maker` against `taker`.
  void fill_resting(Side maker, const OrderRequest& taker, std::int64_t lots, std::int64_t open,
                    Outcomes& out);
  void unlink(std::uint32_t slot);
  std::int64_t next_worse(Side side, std::int64_t price) const;
  std::int64_t no_price(Side side) const { return side == Side::kBuy ? 0 : ticks_per_unit_; }

  // Not SeenIds (order_check.hpp): the book keeps memory bounded, so it remembers only the
  // last kIdWindow ids; an older id counts as seen (ids increase), and as a duplicate only
  // while it still rests.
  bool id_in_window(std::uint64_t id) const;
  bool id_seen(std::uint64_t id) const;
  void mark_seen(std::uint64_t id);

  MarketRules rules_;
  SelfTradeRule self_trade_;
  Crossing crossing_;
  std::vector<OrderRequest> pending_;       // end_of_instant: limit orders waiting for on_settle
  std::vector<std::int64_t> settle_open_;   // on_settle scratch: open lots per held order
  std::vector<std::uint32_t> settle_bids_;  // on_settle scratch: held bids, best first
  std::vector<std::uint32_t> settle_asks_;  // on_settle scratch: held asks, best first
  std::int64_t ticks_per_unit_;

  // Price levels. Dense (an array indexed by price) when the grid has at most kDenseLevels
  // prices; otherwise sparse: a pool of the levels in use, found by price through an IdIndex,
  // so that a fine tick does not spread the few hundred levels of a book over a
  // million-entry array (one cache miss per access). level() is the one way in.
  PriceLevel& level(std::int64_t price) {
    return dense_ ? levels_[static_cast<std::size_t>(price)]
                  : level_pool_[level_of_.find(static_cast<std::uint64_t>(price))];
  }
  const PriceLevel& level(std::int64_t price) const {
    return dense_ ? levels_[static_cast<std::size_t>(price)]
                  : level_pool_[level_of_.find(static_cast<std::uint64_t>(price))];
  }
  /// The level of a price that held no orders until now (its fields are stale: set them all).
  PriceLevel& open_level(std::int64_t price);
  /// Forgets the level of a price that holds no orders any more.
  void close_level(std::int64_t price);

  bool dense_;
  std::unique_ptr<PriceLevel[]> levels_;      // dense: indexed by price in ticks; see PriceLevel
  IdIndex level_of_;                          // sparse: price -> index into level_pool_
  SlotPool<PriceLevel> level_pool_;           // sparse: levels in use and free ones
  Occupancy occupied_;                        // the prices whose level holds orders
  std::array<std::int64_t, 2> best_;          // best bid (0 if none), best ask (tpu if none)
  std::array<std::size_t, 2> side_orders_{};  // resting orders per side
  std::size_t live_orders_ = 0;

  std::vector<Slot> slots_;
  std::uint32_t free_ = kNil;

  IdIndex index_;  // id -> slot of every resting order

  std::vector<std::uint64_t> seen_;  // ring of kIdWindow bits, bit (id mod kIdWindow)
  std::uint64_t id_horizon_ = 0;     // one above the highest id received (0: none yet)

  std::int64_t last_price_ = 0;  // 0: no trade yet
  std::int64_t last_lots_ = 0;
};

}  // namespace proteus::engine
