// Request for quote: a taker's IOC or market order becomes a private request to N dealers,
// who answer with firm quotes valid for a TTL; the engine enforces response latency and TTL.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/mechanisms/mechanism.hpp"
#include "engine/mechanisms/order_check.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Parameters of the RFQ mechanism.
struct RfqParams {
  std::vector<AgentId> dealers;  ///< who may be asked, in round-robin order
  int competition = 1;           ///< dealers asked per request (all when >= dealers.size())
  SimTime response{5'000'000};   ///< request -> quotes at the taker
  SimTime ttl{50'000'000};       ///< a quote is firm from the request for this long (exclusive)
};

/// RFQ mechanism (docs/rfq.md).
///
/// - Limit orders -> kRejected kUnsupportedOrder (there is no book). IOC and market orders are
///   validated as in the CLOB and become requests; with no dealers at all the request is
///   cancelled at once with kNoLiquidity.
/// - At arrival time t0 request k (k = 0, 1, ... in arrival order) goes to `competition`
///   dealers starting at dealers[k mod D] and wrapping around: one kQuoteRequest outcome each,
///   in that order; only those dealers learn of it. Each answers at t0 (on_quote) with a firm
///   price for the whole size or declines.
/// - At t0 + response the quotes reach the taker, who takes the best one (lowest for a buy,
///   highest for a sell, earlier in the dealer order on equal prices) if it is still firm
///   (t0 + response < t0 + ttl) and within its limit (any price for a market order): one
///   kTrade with the dealer as maker (counter_order 0: a quote is not an order). Otherwise the
///   request is cancelled with kExpired.
/// - The taker may cancel a pending request (kUserCancel); other cancels follow the CLOB rules
///   (kTooLate for ids that reached the mechanism, kUnknownOrder otherwise).
/// - public_view(): no book, the last published trade only.
class Rfq final : public Mechanism {
 public:
  Rfq(const MarketRules& rules, RfqParams params);

  std::string_view name() const override { return "rfq"; }
  void on_order(SimTime now, const OrderRequest& order, Outcomes& out) override;
  void on_cancel(SimTime now, AgentId owner, OrderId id, Outcomes& out) override;
  std::optional<SimTime> next_timer() const override;
  void on_timer(SimTime now, Outcomes& out) override;
  void on_quote(SimTime now, AgentId dealer, OrderId request, std::optional<Price> quote) override;
  PublicView public_view() const override;
  BookSnapshot snapshot() const override { return {}; }

  /// Requests waiting for their quotes.
  std::size_t pending_requests() const { return index_.size(); }

 private:
  struct Quote {
    AgentId dealer;
    std::optional<Price> price;
    SimTime issued;
  };
  struct Request {
    OrderRequest order;
    SimTime arrived;
    SimTime decide;
    std::vector<Quote> quotes;  // in dealer order
    bool live = true;
  };

  MarketRules rules_;
  RfqParams params_;
  std::deque<Request> requests_;  // by decision time (arrival + constant response)
  std::unordered_map<std::uint64_t, std::size_t> index_;  // id -> position + popped_
  std::size_t popped_ = 0;
  SeenIds seen_;  // every id received (duplicates, too-late cancels)
  std::uint64_t request_count_ = 0;
  std::optional<Price> last_price_;
  std::int64_t last_lots_ = 0;
};

}  // namespace proteus::engine
