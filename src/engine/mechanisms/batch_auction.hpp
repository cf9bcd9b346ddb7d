// The batch mechanism: orders collected over an interval Delta and cleared at its end by
// clear_uniform (frequent batch auction, and dual-flow batch; docs/batch-auctions.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/choices.hpp"
#include "engine/mechanisms/id_index.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/mechanisms/order_check.hpp"
#include "engine/mechanisms/uniform_clearing.hpp"
#include "engine/rng.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Whether an order belongs to the maker flow of a dual-flow batch: limit orders are maker
/// flow, IOC and market orders taker flow, whoever sends them (docs/batch-auctions.md).
constexpr bool is_maker_flow(OrderKind kind) {
  return kind == OrderKind::kLimit;
}

/// Which orders meet in a batch.
enum class BatchFlow : std::uint8_t {
  kSingle = 0,  ///< all buys against all sells (frequent batch auction)
  /// Maker flow (limit orders) and taker flow (IOC and market orders) are segregated: buy
  /// takers clear against maker asks, then sell takers against maker bids; makers never meet
  /// makers and takers never meet takers (dual-flow batch).
  kDualFlow = 1,
};

/// Parameters of a batch mechanism.
struct BatchParams {
  SimTime delta{100'000'000};  ///< batch length; batches end at delta, 2 delta, ...
  TieRule tie = TieRule::kImbalance;
  Allocation allocation = Allocation::kTime;
  BatchFlow flow = BatchFlow::kSingle;
};

/// A batch mechanism (frequent batch auction or dual-flow batch), see docs/batch-auctions.md.
///
/// - Validation as in the CLOB (duplicate id, price outside (0, 1) for limit and IOC, quantity
///   outside [1, max_order_lots]) -> kRejected; a valid order is kAccepted (qty = its lots) and
///   waits for the end of the current batch.
/// - At each batch end the clear(s) run; trades are reported as pairs in which the order that
///   reached the mechanism earlier is the maker (counter side) and the later one the taker, so
///   an order carried over from an earlier batch is always the maker. Then the open lots of
///   IOC and market orders are cancelled (kNoLiquidity for a market order whose clear had no
///   opposite order, kUnfilledIoc otherwise); limit orders carry over to the next batch.
/// - Cancels as in the CLOB: own open order -> kCancelled kUserCancel; another owner's ->
///   kCancelRejected kUnknownOrder; an id that reached the mechanism and is no longer open ->
///   kTooLate; an id never seen -> kUnknownOrder.
/// - public_view() never shows a book: only the last clearing price and volume.
class BatchAuction : public Mechanism {
 public:
  /// Empty batch; `rng` is the mechanism's own stream (StreamId::kMechanism).
  BatchAuction(const MarketRules& rules, const BatchParams& params, RandomStream rng);

  std::string_view name() const override;
  void on_order(SimTime now, const OrderRequest& order, Outcomes& out) override;
  void on_cancel(SimTime now, AgentId owner, OrderId id, Outcomes& out) override;
  std::optional<SimTime> next_timer() const override { return next_clear_; }
  bool clock_timers() const override { return true; }
  void on_timer(SimTime now, Outcomes& out) override;
  PublicView public_view() const override;
  BookSnapshot snapshot() const override;

  /// The batch parameters chosen at construction.
  const BatchParams& params() const { return params_; }
  /// Open orders waiting for the next clear.
  std::size_t open_orders() const { return live_; }

 private:
  /// Clears the orders at `buys` x `sells` (indices into orders_) and reports the trades.
  void clear_group(const std::vector<std::uint32_t>& buys, const std::vector<std::uint32_t>& sells,
                   std::optional<Price> previous, Outcomes& out);
  /// The clear of a single-flow batch of limit orders: only the orders that can cross take
  /// part; returns false (nothing done) when an IOC or market order is open.
  bool clear_crossing(std::optional<Price> previous, Outcomes& out);
  /// Copies the orders at `buys` x `sells` into the clearing scratch, in that order.
  void load_group(const std::vector<std::uint32_t>& buys, const std::vector<std::uint32_t>& sells);
  /// Applies clearing_result_ (of the orders load_group copied) and reports its trades.
  void report_group(const std::vector<std::uint32_t>& buys, const std::vector<std::uint32_t>& sells,
                    Outcomes& out);
  void compact();
  /// Bookkeeping of an order whose open lots reached 0 (filled, cancelled or expired).
  void close(const BatchOrder& order);

  /// An open limit order in the price-sorted lists that clear_crossing reads.
  struct Resting {
    std::int64_t limit = 0;
    std::uint64_t seq = 0;
    std::uint32_t position = 0;  ///< in orders_ (rewritten by compact())
  };

  MarketRules rules_;
  BatchParams params_;
  ClearingRules clearing_;
  RandomStream rng_;
  SimTime next_clear_;
  std::vector<BatchOrder> orders_;  // in arrival order; open == 0 marks a dead entry
  IdIndex index_;                   // id -> position in orders_ of every open order
  SeenIds seen_;                    // every id received (duplicates, too-late cancels)
  std::size_t live_ = 0;
  std::size_t open_non_limit_ = 0;  // open IOC and market orders
  // Single flow only: open limit orders by price, best first (bids descending, asks
  // ascending), so a clear reads the crossing region directly.
  bool sorted_ = false;
  std::vector<Resting> bids_;
  std::vector<Resting> asks_;
  std::vector<std::uint32_t> moved_to_;  // compact()'s old -> new positions
  // The crossing region as (limit, open lots), best first: scratch of clear_crossing.
  std::vector<std::pair<std::int64_t, std::int64_t>> bid_levels_;
  std::vector<std::pair<std::int64_t, std::int64_t>> ask_levels_;
  std::uint64_t next_seq_ = 0;
  std::optional<Price> last_price_;
  std::int64_t last_lots_ = 0;
  // Scratch of one clear, kept to avoid allocating per batch.
  std::vector<BatchOrder> buy_scratch_;
  std::vector<BatchOrder> sell_scratch_;
  std::vector<std::uint8_t> opposite_empty_;  // per order: its clear had no opposite order
  std::array<std::vector<std::uint32_t>, 4>
      groups_;  // maker buys, maker sells, taker buys, taker sells
  Clearing clearing_result_;
  ClearingScratch scratch_;
};

}  // namespace proteus::engine
