// The market event loop and the AgentContext it offers agents. Phase order inside one instant
// is in event_queue.hpp, queued events in market_events.hpp; every random draw comes from a
// stream keyed by (repetition, stream id, agent class and index).
#include "engine/market_sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>

#include "engine/agent.hpp"
#include "engine/agents/factory.hpp"
#include "engine/diagnostics.hpp"
#include "engine/event_log.hpp"
#include "engine/event_queue.hpp"
#include "engine/latency.hpp"
#include "engine/latent.hpp"
#include "engine/market_events.hpp"
#include "engine/mechanisms/factory.hpp"
#include "engine/recorder.hpp"
#include "engine/rng.hpp"
#include "engine/signal.hpp"
#include "engine/slot_pool.hpp"
#include "engine/view_history.hpp"

namespace proteus::engine {

class MarketSimulation::Impl final : public AgentContext {
 public:
  Impl(const ScenarioSpec& spec, RunKey key, EventSink* events,
       std::unique_ptr<Mechanism> mechanism)
      : rules_(market_rules(spec.market)),
        rep_key_(repetition_key(key.master_seed, key.rep)),
        horizon_(SimTime::from_ms(spec.run.duration_s * 1e3)),
        sample_period_(SimTime::from_ms(spec.metrics.sample_ms)),
        lot_size_(spec.market.lot_size),
        book_ack_(spec.run.book_delay == BookDelay::kSubmitPlusAck),
        drain_(spec.run.after_horizon == AfterHorizon::kDrain),
        quote_before_instant_(spec.metrics.mm_quote_sample == QuoteSample::kBeforeInstant),
        latent_(spec.latent, rep_key_, history_window(spec)),
        mechanism_(mechanism ? std::move(mechanism) : make_mechanism(spec, rules_, rep_key_)),
        log_(events),
        diagnostics_(spec.market.lot_size) {
    agents_ = make_agents(spec, rep_key_);
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      if (agents_[i].agent->subscribes_market_data()) {
        subscribers_.push_back(static_cast<std::uint32_t>(i));
      }
      if (agents_[i].role == Role::kMarketMaker) {
        market_makers_.push_back(static_cast<std::uint32_t>(i));
      }
    }
    std::vector<Role> roles;
    roles.reserve(agents_.size());
    for (const auto& s : agents_) roles.push_back(s.role);
    ledger_.emplace(agents_.size(), rules_,
                    Fees{Cash{spec.market.maker_fee_micros * fee_scale(spec.market)},
                         Cash{spec.market.taker_fee_micros * fee_scale(spec.market)}});
    recorder_.emplace(spec, rules_, std::move(roles));
    timed_ = mechanism_->has_timers();
    SimTime window{0};
    for (const auto& s : agents_) window = std::max(window, s.latency.market_data.max_delay());
    views_.set_window(window);
    outcomes_.reserve(64);
  }

  void run() {
    // The latent step (first phase of its instant) and the metric sample (last phase) recur at
    // fixed periods; they run inline at their (time, phase) place instead of through the heap,
    // with ids reserved exactly when they would have been queued, so the order and the event
    // ids are the same as queueing them.
    Periodic latent{latent_.first_step_time(), Phase::kLatent, queue_.reserve_id()};
    Periodic sample{sample_period_, Phase::kSample, queue_.reserve_id()};
    arm_timer();
    views_.publish_if_changed(SimTime{0}, [this] { return mechanism_->public_view(); });
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      current_ = static_cast<std::uint32_t>(i);
      agents_[i].agent->on_start(*this);
    }
    for (;;) {
      const bool queued = !queue_.empty();
      const SimTime tq = queued ? queue_.top_time() : SimTime{INT64_MAX};
      const Phase pq = queued ? queue_.top_phase() : Phase::kSample;
      if (latent.before(tq, pq) && latent.before(sample.time, sample.phase)) {
        if (latent.time > horizon_) break;
        now_ = latent.time;
        event_id_ = latent.id;
        ++processed_;
        step_latent();
        latent.time = now_ + latent_.dt();
        latent.id = queue_.reserve_id();
      } else if (queued && !sample.before(tq, pq)) {
        if (tq > horizon_) break;
        const auto ev = queue_.pop();
        now_ = ev.time;
        event_id_ = ev.seq;
        ++processed_;
        dispatch(ev.payload);
      } else {
        if (sample.time > horizon_) break;
        now_ = sample.time;
        event_id_ = sample.id;
        ++processed_;
        std::int64_t mm_spread_ticks = 0;
        std::int64_t mm_quoting = 0;
        for (const std::uint32_t mm : market_makers_) {
          const Agent& agent = *agents_[mm].agent;
          if (const auto ticks = quote_before_instant_ ? agent.quoted_spread_ticks_before(now_)
                                                       : agent.quoted_spread_ticks()) {
            mm_spread_ticks += *ticks;
            ++mm_quoting;
          }
        }
        recorder_->on_sample(now_, views_.latest(), latent_.p(), *ledger_, mm_spread_ticks,
                             mm_quoting);
        sample.time = now_ + sample_period_;
        sample.id = queue_.reserve_id();
      }
    }
    // Everything left in the queue lies after the horizon.
    if (drain_) drain();
    now_ = horizon_;
    ledger_->check(event_id_);
    std::optional<SimTime> first_kill;  // of any market maker
    for (const auto& s : agents_) {
      if (s.role != Role::kMarketMaker) continue;
      if (const std::optional<SimTime> at = s.agent->killed_at()) {
        if (!first_kill || *at < *first_kill) first_kill = at;
      }
    }
    metrics_ = recorder_->finish(latent_.p(), horizon_ledger_ ? *horizon_ledger_ : *ledger_,
                                 first_kill, horizon_);
  }

  // AgentContext.
  SimTime now() const override { return now_; }
  SimTime horizon() const override { return horizon_; }
  double signal() override { return agents_[current_].signal.observe(latent_, now_); }
  const PublicView& view() override {
    return views_.at(now_ - agents_[current_].latency.market_data.sample());
  }
  const MarketRules& rules() const override { return rules_; }
  double lot_size() const override { return lot_size_; }
  RandomStream& rng() override { return agents_[current_].decision; }
  RandomStream& arrival_rng() override { return agents_[current_].arrival; }
  OrderId submit(Side side, OrderKind kind, Price limit, Qty qty) override {
    AgentSlot& slot = agents_[current_];
    const OrderRequest order{OrderId{next_order_id_++}, AgentId{current_}, side, kind, limit, qty};
    if (slot.role != Role::kMarketMaker) recorder_->on_submit(order, now_, true_mid());
    schedule(now_ + to_book(slot), Phase::kArrival, EventType::kOrderArrival, AgentId{current_})
        .order = order;
    return order.id;
  }
  void cancel(OrderId id) override {
    Payload& p = schedule(now_ + to_book(agents_[current_]), Phase::kArrival,
                          EventType::kCancelArrival, AgentId{current_});
    p.order.id = id;
    p.order.owner = AgentId{current_};
  }
  std::span<MessageLeg> compose(std::size_t count) override {
    if (count < 1 || count > kMaxMessageLegs) {
      throw std::invalid_argument(
          fmt::format("a message carries 1 to {} legs, got {}", kMaxMessageLegs, count));
    }
    composing_ = messages_.acquire();
    Message& msg = messages_[composing_];
    msg.count = static_cast<std::uint8_t>(count);
    for (std::size_t i = 0; i < count; ++i) msg.legs[i] = MessageLeg{};
    return {msg.legs.data(), count};
  }
  void send_message() override {
    AgentSlot& slot = agents_[current_];
    Message& msg = messages_[composing_];
    for (std::size_t i = 0; i < msg.count; ++i) {
      MessageLeg& leg = msg.legs[i];
      leg.order.owner = AgentId{current_};
      if (leg.enter) {
        leg.order.id = OrderId{next_order_id_++};
        if (slot.role != Role::kMarketMaker) recorder_->on_submit(leg.order, now_, true_mid());
      }
    }
    queue_.push(now_ + to_book(slot), Phase::kArrival, kMessageTag | composing_);
  }
  void wake_at(SimTime t) override {
    queue_.push(t < now_ ? now_ : t, Phase::kDecision, kDecisionTag | current_);
  }
  std::optional<QuotePair> market_maker_quotes() override {
    if (market_makers_.empty()) return std::nullopt;
    return agents_[market_makers_.front()].agent->quotes_before(now_);
  }

  const Ledger& ledger() const { return *ledger_; }
  const Mechanism& mechanism() const { return *mechanism_; }
  std::uint64_t processed() const { return processed_; }
  const std::vector<double>& metrics() const { return metrics_; }
  std::vector<double> diagnostics() const { return diagnostics_.values(); }
  std::size_t agent_count() const { return agents_.size(); }

 private:
  /// Delay from an agent to the mechanism (run.book_delay).
  SimTime to_book(AgentSlot& slot) {
    const SimTime submit = slot.latency.submit.sample();
    return book_ack_ ? submit + slot.latency.ack.sample() : submit;
  }

  /// run.after_horizon = "drain": arrivals, settles, timers and notices still queued run to
  /// the end, decisions and market data do not (agents no longer act); the P&L and inventory
  /// metrics read the ledger as it was at the horizon.
  void drain() {
    horizon_ledger_ = *ledger_;
    while (!queue_.empty()) {
      const auto ev = queue_.pop();
      const std::uint32_t word = ev.payload;
      if ((word & kTagMask) == kDecisionTag) continue;
      if ((word & kTagMask) == 0 && slab_[word].type == EventType::kMarketData) {
        view_slab_.release(slab_[word].aux_index);
        slab_.release(word);
        continue;
      }
      // Batch ends are a clock, not work in flight: no clear after the horizon (the
      // predecessor clears a batch only at a later event, and none follows).
      if ((word & kTagMask) == 0 && slab_[word].type == EventType::kTimer &&
          mechanism_->clock_timers()) {
        slab_.release(word);
        continue;
      }
      now_ = ev.time;
      event_id_ = ev.seq;
      ++processed_;
      dispatch(word);
    }
  }

  /// Cash units per micro-unit of payoff (fees are configured in micro-units; the config
  /// check makes cash_per_unit a multiple of 10^6 whenever a fee is set).
  static std::int64_t fee_scale(const MarketSpec& m) {
    return std::max<std::int64_t>(1, m.cash_per_unit / kCashPerUnit);
  }
  static SimTime history_window(const ScenarioSpec& spec) {
    double max_delay =
        std::max({spec.agents.market_maker.signal.delay_ms, spec.agents.informed.signal.delay_ms,
                  spec.agents.sniper.signal.delay_ms});
    // Signals read p up to their delay back. Adverse-selection horizons of any length are
    // resolved at the first latent step after they fall due, which reads p at most one step
    // back, so they need no longer window (a 10^9 ms horizon must not keep 10^7 steps).
    return SimTime::from_ms(max_delay + 2.0 * spec.latent.dt_ms + 1.0);
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

  /// A recurring event run inline by run(): its next time, its phase and its reserved id.
  struct Periodic {
    SimTime time;
    Phase phase;
    std::uint64_t id;
    /// Whether this comes before an event at (t, p); ids break no ties because phases differ.
    bool before(SimTime t, Phase p) const { return time < t || (time == t && phase < p); }
  };

  void step_latent() {
    const double before = latent_.p();
    latent_.advance();
    log_.latent(event_id_, now_, latent_.p());
    recorder_->on_latent_step(latent_, before, views_.latest());
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

  /// Runs one mechanism call, `call(outcomes_)`, and handles its outcomes.
  template <class Call>
  void call_mechanism(Call&& call) {
    const std::int64_t before = bid_plus_ask();
    outcomes_.clear();
    call(outcomes_);
    handle_outcomes(before);
    if (mechanism_->settle_pending() && settle_at_ != now_) {
      settle_at_ = now_;
      schedule(now_, Phase::kSettle, EventType::kSettle);
    }
  }

  void dispatch(std::uint32_t word) {
    const std::uint32_t index = word & ~kTagMask;
    switch (word & kTagMask) {
      case kDecisionTag:
        current_ = index;
        log_.agent_event(event_id_, now_, "decision", AgentId{index});
        agents_[current_].agent->on_decision(*this);
        if (agents_[current_].role == Role::kMarketMaker) {
          diagnostics_.on_mm_decision(agents_[current_].agent->quoted_spread_ticks().has_value());
        }
        return;
      case kMessageTag:
        arrive_message(index);
        return;
      default: {
        // Copy out: handling may schedule events and grow the slab.
        const Payload payload = slab_[index];
        slab_.release(index);
        dispatch(payload);
      }
    }
  }

  /// The legs of message `index` reach the mechanism. Each leg is logged as its cancel line
  /// and its order line under the one event id, and counts as a cancel and an order in the
  /// message metrics.
  void arrive_message(std::uint32_t index) {
    // No agent code runs before the mechanism has read the legs, so messages_ cannot grow
    // under this reference; the slot is freed once they are applied.
    const Message& msg = messages_[index];
    const std::span<const MessageLeg> legs(msg.legs.data(), msg.count);
    for (const MessageLeg& leg : legs) {
      if (leg.cancel.value != 0) {
        log_.cancel(event_id_, now_, leg.order.owner, leg.cancel);
        recorder_->on_message();
      }
      if (leg.enter) {
        log_.order(event_id_, now_, leg.order);
        recorder_->on_message();
        diagnostics_.on_order(agents_[leg.order.owner.value].role, leg.order.qty);
      }
    }
    call_mechanism([&](Outcomes& out) { mechanism_->on_message(now_, legs, out); });
    messages_.release(index);
  }

  void dispatch(const Payload& p) {
    switch (p.type) {
      case EventType::kLatentStep:
      case EventType::kSample:
      case EventType::kMessageArrival:
      case EventType::kDecision:
        assert(false && "latent steps and samples run inline, decisions and messages unslabbed");
        break;
      case EventType::kSettle:
        call_mechanism([&](Outcomes& out) { mechanism_->on_settle(now_, out); });
        break;
      case EventType::kTimer:
        timers_.erase(now_.ns);
        call_mechanism([&](Outcomes& out) { mechanism_->on_timer(now_, out); });
        break;
      case EventType::kOrderArrival:
        log_.order(event_id_, now_, p.order);
        recorder_->on_message();
        diagnostics_.on_order(agents_[p.order.owner.value].role, p.order.qty);
        call_mechanism([&](Outcomes& out) { mechanism_->on_order(now_, p.order, out); });
        break;
      case EventType::kCancelArrival:
        log_.cancel(event_id_, now_, p.order.owner, p.order.id);
        recorder_->on_message();
        call_mechanism(
            [&](Outcomes& out) { mechanism_->on_cancel(now_, p.order.owner, p.order.id, out); });
        break;
      case EventType::kNotice:
        current_ = p.agent.value;
        log_.notice(event_id_, now_, p.agent, p.notice);
        agents_[current_].agent->on_notice(*this, p.notice);
        break;
      case EventType::kMarketData:
        current_ = p.agent.value;
        log_.agent_event(event_id_, now_, "market_data", p.agent);
        agents_[current_].agent->on_market_data(*this, view_slab_[p.aux_index]);
        view_slab_.release(p.aux_index);
        break;
    }
  }

  /// Schedules a timer event for the mechanism's next timer unless one is pending for it.
  /// Mechanisms tolerate on_timer calls at times when nothing is due.
  void arm_timer() {
    if (!timed_) return;
    const auto t = mechanism_->next_timer();
    if (!t) return;
    const SimTime at = *t < now_ ? now_ : *t;
    if (!timers_.insert(at.ns).second) return;
    schedule(at, Phase::kMechanismTimer, EventType::kTimer);
  }

  /// Asks each dealer of this call's kQuoteRequest outcomes for its firm quote, at once and
  /// from its own state, and hands the answers to the mechanism (RFQ).
  void answer_quote_requests() {
    for (const Outcome& o : outcomes_) {
      if (o.kind != OutcomeKind::kQuoteRequest) continue;
      current_ = o.agent.value;
      const std::optional<Price> quote = agents_[current_].agent->quote_for(*this, o.side, o.qty);
      log_.quote(event_id_, now_, o, quote);
      if (quote) diagnostics_.on_quote();
      mechanism_->on_quote(now_, o.agent, o.order, quote);
    }
  }

  void handle_outcomes(std::int64_t bid_plus_ask_before) {
    const double p_now = latent_.p();
    for (const Outcome& o : outcomes_) {
      log_.outcome(event_id_, now_, o);
      // Two predictable branches instead of a jump table per outcome (and another in the
      // recorder): trades, requests, and the rest, whose notice kind is a table lookup.
      if (o.kind == OutcomeKind::kTrade) {
        recorder_->on_trade(o, now_, mid_of(bid_plus_ask_before), p_now);
        const AgentId buyer = o.side == Side::kBuy ? o.agent : o.counter_agent;
        const AgentId seller = o.side == Side::kBuy ? o.counter_agent : o.agent;
        ledger_->apply_trade(event_id_, buyer, seller, o.counter_agent, o.price, o.qty);
        diagnostics_.on_trade(agents_[buyer.value].role, agents_[seller.value].role, o.qty,
                              now_ > horizon_);
        const bool self = o.agent == o.counter_agent;
        notify(o.agent, true, Notice::Kind::kFill, o.order, o.side, o.price, o.qty, o.remaining,
               Reason::kNone, false, self);
        notify(o.counter_agent, true, Notice::Kind::kFill, o.counter_order, opposite(o.side),
               o.price, o.qty, o.counter_remaining, Reason::kNone, true, self);
      } else if (o.kind != OutcomeKind::kQuoteRequest) {
        // Answered after this loop, a quote request reaches no one else.
        if (o.kind == OutcomeKind::kCancelled || o.kind == OutcomeKind::kRejected) {
          recorder_->on_order_closed(o);
        }
        notify(o.agent, false, notice_kind(o.kind), o.order, o.side, o.price, o.qty, o.remaining,
               o.reason, false);
      }
    }
    answer_quote_requests();
    arm_timer();
    if (!views_.publish_if_changed(now_, [this] { return mechanism_->public_view(); })) return;
    // A new view: it must not be crossed (an unchanged one was checked when it was new).
    const PublicView& view = views_.latest();
    if (view.best_bid && view.best_ask && view.best_bid->price >= view.best_ask->price) {
      throw InvariantViolation(
          event_id_, fmt::format("book crossed: bid {} >= ask {}", view.best_bid->price.ticks,
                                 view.best_ask->price.ticks));
    }
    notify_subscribers(view);
  }

  // Fields are written one by one into the slab: building a Notice on the stack and copying
  // it costs a store-forwarding stall per notice.
  void notify(AgentId agent, bool fill, Notice::Kind kind, OrderId order, Side side, Price price,
              Qty qty, Qty remaining, Reason reason, bool maker, bool self_trade = false) {
    AgentSlot& slot = agents_[agent.value];
    if ((slot.notice_mask[static_cast<std::size_t>(kind)] &
         (1u << static_cast<unsigned>(reason))) == 0) {
      return;
    }
    AgentLatency& lat = slot.latency;
    const SimTime delay = fill ? lat.fill.sample() : lat.ack.sample();
    Notice& n = schedule(now_ + delay, Phase::kNotification, EventType::kNotice, agent).notice;
    n.kind = kind;
    n.order = order;
    n.side = side;
    n.price = price;
    n.qty = qty;
    n.remaining = remaining;
    n.reason = reason;
    n.maker = maker;
    n.self_trade = self_trade;
  }

  void notify_subscribers(const PublicView& view) {
    for (std::uint32_t s : subscribers_) {
      const std::uint32_t slot = view_slab_.acquire(view);
      view_slab_[slot] = view;
      schedule(now_ + agents_[s].latency.market_data.sample(), Phase::kMarketData,
               EventType::kMarketData, AgentId{s})
          .aux_index = slot;
    }
  }

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

MarketSimulation::MarketSimulation(const ScenarioSpec& spec, RunKey key, EventSink* events,
                                   std::unique_ptr<Mechanism> mechanism)
    : impl_(std::make_unique<Impl>(spec, key, events, std::move(mechanism))) {}
MarketSimulation::~MarketSimulation() = default;
void MarketSimulation::run() {
  impl_->run();
}
std::vector<double> MarketSimulation::metrics() const {
  return impl_->metrics();
}
std::vector<double> MarketSimulation::diagnostics() const {
  return impl_->diagnostics();
}
std::uint64_t MarketSimulation::events_processed() const {
  return impl_->processed();
}
const Ledger& MarketSimulation::ledger() const {
  return impl_->ledger();
}
const Mechanism& MarketSimulation::mechanism() const {
  return impl_->mechanism();
}
std::size_t MarketSimulation::agent_count() const {
  return impl_->agent_count();
}

}  // namespace proteus::engine
