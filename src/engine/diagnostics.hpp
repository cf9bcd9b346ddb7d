// Per-run counts of who traded with whom and who sent what, for comparing runs with another
// simulator (docs/metrics.md, "Diagnostics"); filled by the market event loop.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/agent.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Names of the diagnostic counts, in the order of RunDiagnostics::values().
std::span<const std::string_view> diagnostic_names();

/// Counters of one market run. Roles are those of the agents involved; sizes are in
/// contracts (lots times the lot size).
class RunDiagnostics {
 public:
  explicit RunDiagnostics(double lot_size) : lot_size_(lot_size) {}

  /// An order (or an order leg of a message) reached the mechanism.
  void on_order(Role owner, Qty qty);
  /// A trade between `buyer` and `seller`; `after_horizon` when it happened after the run's end.
  void on_trade(Role buyer, Role seller, Qty qty, bool after_horizon);
  /// A dealer answered an RFQ request with a price.
  void on_quote() { ++rfq_quotes_; }
  /// A market maker's decision; `two_sided` when it then quotes both sides.
  void on_mm_decision(bool two_sided);

  /// The counts in diagnostic_names() order (a mean over no orders is NaN).
  std::vector<double> values() const;

 private:
  double lot_size_;
  std::int64_t mm_self_ = 0;
  std::int64_t mm_vs_trader_ = 0;
  std::int64_t mm_vs_informed_ = 0;
  std::int64_t mm_vs_noise_ = 0;
  std::int64_t trader_trader_ = 0;
  std::int64_t after_horizon_ = 0;
  std::int64_t mm_traded_lots_ = 0;
  std::int64_t mm_self_lots_ = 0;
  std::array<std::int64_t, 4> orders_{};      // per Role
  std::array<std::int64_t, 4> order_lots_{};  // per Role
  std::int64_t rfq_quotes_ = 0;
  std::int64_t mm_decisions_ = 0;
  std::int64_t mm_one_sided_ = 0;
};

}  // namespace proteus::engine
