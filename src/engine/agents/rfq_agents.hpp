// The predecessor's RFQ run as agents: requesters that send requests on a shared per-step
// draw, and dealers that quote the latent value plus a half-spread and a random widening.
#pragma once

#include "engine/agent.hpp"
#include "engine/rng.hpp"
#include "engine/spec.hpp"

namespace proteus::engine {

/// One of the two requesters of agents.requester (role informed or noise). At t = 0 and every
/// interval_ms after, up to the horizon, it draws from the stream both requesters share, in a
/// fixed pattern: request?, class, side, size. It sends a market order (under RFQ: a request)
/// when a request falls to its class; so the class split is exact and at most one request
/// arrives per step, as in the predecessor (rfq_phase3_sweep.py:439-444).
class Requester final : public Agent {
 public:
  Requester(const RequesterSpec& spec, Role role, RandomStream shared)
      : spec_(spec), role_(role), shared_(shared) {}
  Role role() const override { return role_; }
  bool wants_notice(Notice::Kind /*kind*/, Reason /*reason*/) const override { return false; }
  void on_start(AgentContext& ctx) override { ctx.wake_at(SimTime{0}); }
  void on_decision(AgentContext& ctx) override;

 private:
  RequesterSpec spec_;
  Role role_;
  RandomStream shared_;
};

/// A market maker that only answers RFQ requests (agents.dealer): dealer `index` quotes its
/// signal + (half_spread - index * step + U(0, step)) to a taker buy and minus that to a taker
/// sell, to the nearest tick (rfq_phase3_sweep.py:480-488: the draw widens the quote, the
/// index shades it). It makes no decisions and quotes no book. The U draw comes from its
/// decision stream, which serves quotes only, so it shifts no other draw.
class LatentDealer final : public Agent {
 public:
  LatentDealer(const DealerSpec& spec, int index) : spec_(spec), index_(index) {}
  Role role() const override { return Role::kMarketMaker; }
  bool wants_notice(Notice::Kind /*kind*/, Reason /*reason*/) const override { return false; }
  void on_start(AgentContext& /*ctx*/) override {}
  void on_decision(AgentContext& /*ctx*/) override {}
  std::optional<Price> quote_for(AgentContext& ctx, Side taker_side, Qty qty) override;

 private:
  DealerSpec spec_;
  int index_;
};

}  // namespace proteus::engine
