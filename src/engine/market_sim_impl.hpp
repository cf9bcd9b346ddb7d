// The state of one market run, shared by its two halves: the event loop (market_sim.cpp) and
// the AgentContext it offers agents (agent_context.cpp). Internal to those two files.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "engine/agent.hpp"
#include "engine/agents/factory.hpp"
#include "engine/diagnostics.hpp"
#include "engine/event_log.hpp"
#include "engine/event_queue.hpp"
#include "engine/latent.hpp"
#include "engine/ledger.hpp"
#include "engine/market_events.hpp"
#include "engine/market_sim.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/recorder.hpp"
#include "engine/slot_pool.hpp"
#include "engine/view_history.hpp"

namespace proteus::engine {

class MarketSimulation::Impl final : public AgentContext {
 public:
  Impl(const ScenarioSpec& spec, RunKey key, EventSink* events,
       std::unique_ptr<Mechanism> mechanism);

  /// The event loop, to the horizon; then the final checks and metrics (market_sim.cpp).
  void run();

  // AgentContext (agent_context.cpp): what the agent being called (current_) reads and does.
  SimTime now() const override;
  SimTime horizon() const override;
  double signal() override;
  const PublicView& view() override;
  const MarketRules& rules() const override;
  double lot_size() const override;
  RandomStream& rng() override;
  RandomStream& arrival_rng() override;
  OrderId submit(Side side, OrderKind kind, Price limit, Qty qty) override;
  void cancel(OrderId id) override;
  std::span<MessageLeg> compose(std::size_t count) override;
  void send_message() override;
  void wake_at(SimTime t) override;
  std::optional<QuotePair> market_maker_quotes() override;

  const Ledger& ledger() const { return *ledger_; }
  const Mechanism& mechanism() const { return *mechanism_; }
  std::uint64_t processed() const { return processed_; }
  const std::vector<double>& metrics() const { return metrics_; }
  std::vector<double> diagnostics() const { return diagnostics_.values(); }
  std::size_t agent_count() const { return agents_.size(); }

 private:
  static SimTime history_window(const ScenarioSpec& spec);
  /// Delay from an agent to the mechanism (run.book_delay).
  SimTime to_book(AgentSlot& slot) {
    const SimTime submit = slot.latency.submit.sample();
    return book_ack_ ? submit + slot.latency.ack.sample() : submit;
  }

  /// Queues an event and returns its payload, built in place in the slab, for the caller to
  /// fill (valid until the next schedule call).
  Payload& schedule(SimTime time, Phase phase, EventType type, AgentId agent = AgentId{}) {
    const std::uint32_t slot = slab_.acquire(type, agent);
    slab_[slot].type = type;
    slab_[slot].agent = agent;
    assert(slot < kDecisionTag && "event slab overflows the queue word");
    queue_.push(time, phase, slot);
    return slab_[slot];
  }

  // The latest published view always equals the mechanism's current view: it is refreshed
  // after every mechanism call.
  std::optional<double> true_mid() const { return mid_of(bid_plus_ask()); }
  /// Best bid plus best ask of the current view in ticks (exact), kNoMid without both sides:
  /// taken before every mechanism call, turned into a mid only if a trade needs it.
  static constexpr std::int64_t kNoMid = -1;
  std::int64_t bid_plus_ask() const {
    const PublicView& v = views_.latest();
    if (!v.best_bid || !v.best_ask) return kNoMid;
    return v.best_bid->price.ticks + v.best_ask->price.ticks;
  }
  std::optional<double> mid_of(std::int64_t bid_plus_ask) const {
    if (bid_plus_ask == kNoMid) return std::nullopt;
    return 0.5 * static_cast<double>(bid_plus_ask) / static_cast<double>(rules_.ticks_per_unit);
  }

  // The event loop's steps (market_sim.cpp).
  void step_latent();
  void drain();
  void sample_metrics();
  std::optional<SimTime> first_kill() const;
  template <class Call>
  void call_mechanism(Call&& call);
  void dispatch(std::uint32_t word);
  void arrive_message(std::uint32_t index);
  void dispatch(const Payload& p);
  void arm_timer();
  void answer_quote_requests();
  void handle_outcomes(std::int64_t bid_plus_ask_before);
  void notify(AgentId agent, bool fill, Notice::Kind kind, OrderId order, Side side, Price price,
              Qty qty, Qty remaining, Reason reason, bool maker, bool self_trade = false);
  void notify_subscribers(const PublicView& view);

  MarketRules rules_;
  std::uint64_t rep_key_;
  SimTime horizon_;
  SimTime sample_period_;
  double lot_size_;
  bool book_ack_;                         // run.book_delay = "submit_plus_ack"
  bool drain_;                            // run.after_horizon = "drain"
  bool quote_before_instant_;             // metrics.mm_quote_sample = "before_instant"
  std::optional<Ledger> horizon_ledger_;  // the ledger at the horizon, when drained after it
  SimTime settle_at_{-1};                 // instant of the last settle scheduled
  LatentProcess latent_;
  std::unique_ptr<Mechanism> mechanism_;
  EventLog log_;
  RunDiagnostics diagnostics_;
  std::vector<AgentSlot> agents_;
  std::vector<std::uint32_t> market_makers_;  // slots of the market makers, ascending
  std::vector<std::uint32_t> subscribers_;
  std::optional<Ledger> ledger_;
  std::optional<Recorder> recorder_;
  EventQueue<std::uint32_t> queue_;  // queue words (market_events.hpp)
  SlotPool<Payload> slab_;
  SlotPool<Message> messages_;   // legs of pending message arrivals
  std::uint32_t composing_ = 0;  // the message between compose() and send_message()
  Outcomes outcomes_;
  ViewHistory views_;
  SlotPool<PublicView> view_slab_;  // views in flight to subscribers (Payload::aux_index)
  std::vector<double> metrics_;
  std::set<std::int64_t> timers_;  // times of pending timer events
  bool timed_ = true;              // whether the mechanism ever sets timers
  SimTime now_{0};
  std::uint64_t event_id_ = 0;
  std::uint64_t processed_ = 0;
  std::uint64_t next_order_id_ = 1;
  std::uint32_t current_ = 0;
};

}  // namespace proteus::engine
