// Exact accounting: cash in integer micro-units, inventory in lots, maker/taker fees paid to
// the venue. Every fill is checked zero-sum; check() verifies conservation and each account's
// cash two ways (trade cash minus fees).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/mechanisms/mechanism.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// An accounting or book invariant broke; the run stops with status invariant_violation.
class InvariantViolation : public std::runtime_error {
 public:
  InvariantViolation(std::uint64_t event_id, const std::string& what);
  std::uint64_t event_id() const { return event_id_; }

 private:
  std::uint64_t event_id_;
};

struct Account {
  Cash cash;
  std::int64_t inventory_lots = 0;
  Cash fees_paid;        ///< net fees (negative when rebates exceed fees)
  Cash trade_pnl_basis;  ///< sum over fills of -signed notional: the cash path without fees
  std::int64_t fills = 0;
  friend bool operator==(const Account&, const Account&) = default;
};

/// Fee schedule per lot; a negative fee is a rebate.
struct Fees {
  Cash maker_per_lot;
  Cash taker_per_lot;
};

class Ledger {
 public:
  Ledger(std::size_t agents, MarketRules rules, Fees fees);

  /// Books one trade between `buyer` and `seller`; `maker` says which one rested.
  /// Throws InvariantViolation naming `event_id` when the transfer is not zero-sum.
  void apply_trade(std::uint64_t event_id, AgentId buyer, AgentId seller, AgentId maker,
                   Price price, Qty qty);

  /// Checks conservation (inventories sum to zero, cash + venue fees sum to zero) and that
  /// each account's cash equals its trade cash minus its fees. Throws InvariantViolation.
  void check(std::uint64_t event_id) const;

  /// P&L of an agent marked at `mark`, in micro-units: cash + inventory * mark.
  Cash marked_pnl(AgentId agent, Price mark) const;

  const Account& account(AgentId agent) const { return accounts_.at(agent.value); }
  std::size_t size() const { return accounts_.size(); }
  Cash venue_fees() const { return venue_; }
  const MarketRules& rules() const { return rules_; }

 private:
  MarketRules rules_;
  Fees fees_;
  std::vector<Account> accounts_;
  Cash venue_;
};

}  // namespace proteus::engine
