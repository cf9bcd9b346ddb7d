// Liquidity takers v1: the informed trader, noise traders and the optional sniper.
#pragma once

#include <deque>
#include <utility>

#include "engine/agent.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// Size an informed trader sends at a given edge: size_min at theta + cost, growing by
/// size_per_edge per unit of extra edge, capped at size_max (contracts).
double informed_size(const InformedSpec& spec, double edge);

/// Trades when |signal - executable price| > theta + cost, with probability `activity` per
/// decision, by IOC orders at the price it saw. Where no book is published (batch auctions, RFQ)
/// the executable price is the last trade price and the IOC's limit is signal -/+ (theta + cost).
class InformedTrader final : public Agent {
 public:
  explicit InformedTrader(const InformedSpec& spec) : spec_(spec) {}
  Role role() const override { return Role::kInformed; }
  bool wants_notice(Notice::Kind /*kind*/, Reason /*reason*/) const override { return false; }
  void on_start(AgentContext& ctx) override;
  void on_decision(AgentContext& ctx) override;
  void on_market_data(AgentContext& ctx, const PublicView& view) override;
  bool subscribes_market_data() const override {
    return spec_.schedule.mode == ScheduleMode::kEvent;
  }

 private:
  /// An active decision: trade on the signal when the edge beats the threshold.
  void act(AgentContext& ctx, const PublicView& view);
  /// Interval mode: schedules the next active decision slot (if any before the horizon).
  void wake_when_active(AgentContext& ctx);
  InformedSpec spec_;
  SimTime last_decision_{-1};
};

/// Poisson arrivals with a random side; market orders, or with probability limit_fraction a
/// limit order behind the touch that is cancelled after limit_ttl_ms.
class NoiseTrader final : public Agent {
 public:
  explicit NoiseTrader(const NoiseSpec& spec)
      : spec_(spec), geometric_size_(spec_.size_dist == SizeDist::kGeometric) {}
  Role role() const override { return Role::kNoise; }
  bool wants_notice(Notice::Kind /*kind*/, Reason /*reason*/) const override { return false; }
  void on_start(AgentContext& ctx) override;
  void on_decision(AgentContext& ctx) override;

 private:
  void schedule_next(AgentContext& ctx);
  /// One arrival: its side, size, order type and price draws, and the order.
  void arrive(AgentContext& ctx);
  NoiseSpec spec_;
  bool geometric_size_;  // size distribution, read once
  struct Pending {
    OrderId id;
    SimTime expires;
  };
  std::deque<Pending> resting_;  // limit orders to cancel at expiry, in expiry order
  SimTime next_arrival_{0};
};

/// Takes stale quotes: on every public view change, an IOC against a quote that is mispriced
/// by more than theta_snipe relative to its signal.
class Sniper final : public Agent {
 public:
  explicit Sniper(const SniperSpec& spec) : spec_(spec) {}
  Role role() const override { return Role::kSniper; }
  bool wants_notice(Notice::Kind /*kind*/, Reason /*reason*/) const override { return false; }
  void on_start(AgentContext& /*ctx*/) override {}
  void on_decision(AgentContext& /*ctx*/) override {}
  void on_market_data(AgentContext& ctx, const PublicView& view) override;
  bool subscribes_market_data() const override { return true; }

 private:
  SniperSpec spec_;
};

}  // namespace proteus::engine
