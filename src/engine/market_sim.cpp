// The market event loop: it runs latent steps, queued events and metric samples in (time,
// phase, id) order, hands intents to the mechanism and its outcomes to the ledger, the recorder
// and the agents. Phase order inside one instant is in event_queue.hpp, queued events in
// market_events.hpp, the state and the AgentContext half in market_sim_impl.hpp; every random
// draw comes from a stream keyed by (repetition, stream id, agent class and index).
#include "engine/market_sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>

#include "engine/market_sim_impl.hpp"
#include "engine/mechanisms/factory.hpp"
#include "engine/rng.hpp"

namespace proteus::engine {

namespace {

/// A recurring event run inline by run(): its next time, its phase and its reserved id.
struct Periodic {
  SimTime time;
  Phase phase;
  std::uint64_t id;
  /// Whether this comes before an event at (t, p); ids break no ties because phases differ.
  bool before(SimTime t, Phase p) const { return time < t || (time == t && phase < p); }
};

/// Cash units per micro-unit of payoff (fees are configured in micro-units; the config
/// check makes cash_per_unit a multiple of 10^6 whenever a fee is set).
std::int64_t fee_scale(const MarketSpec& m) {
  return std::max<std::int64_t>(1, m.cash_per_unit / kCashPerUnit);
}

}  // namespace

MarketSimulation::Impl::Impl(const ScenarioSpec& spec, RunKey key, EventSink* events,
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

void MarketSimulation::Impl::run() {
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
      sample_metrics();
      sample.time = now_ + sample_period_;
      sample.id = queue_.reserve_id();
    }
  }
  // Everything left in the queue lies after the horizon.
  if (drain_) drain();
  now_ = horizon_;
  ledger_->check(event_id_);
  metrics_ = recorder_->finish(latent_.p(), horizon_ledger_ ? *horizon_ledger_ : *ledger_,
                               first_kill(), horizon_);
}

/// run.after_horizon = "drain": arrivals, settles, timers and notices still queued run to
/// the end, decisions and market data do not (agents no longer act); the P&L and inventory
/// metrics read the ledger as it was at the horizon.
void MarketSimulation::Impl::drain() {
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

// The loop's steps below are defined `inline`, as they were inside the class: GCC gives inline
// functions a larger inlining budget, and without it the event loop ran 7% more instructions
// (used only in this file, so defining them here is enough).
inline SimTime MarketSimulation::Impl::history_window(const ScenarioSpec& spec) {
  double max_delay =
      std::max({spec.agents.market_maker.signal.delay_ms, spec.agents.informed.signal.delay_ms,
                spec.agents.sniper.signal.delay_ms});
  // Signals read p up to their delay back. Adverse-selection horizons of any length are
  // resolved at the first latent step after they fall due, which reads p at most one step
  // back, so they need no longer window (a 10^9 ms horizon must not keep 10^7 steps).
  return SimTime::from_ms(max_delay + 2.0 * spec.latent.dt_ms + 1.0);
}

inline void MarketSimulation::Impl::step_latent() {
  const double before = latent_.p();
  latent_.advance();
  log_.latent(event_id_, now_, latent_.p());
  recorder_->on_latent_step(latent_, before, views_.latest());
}

inline void MarketSimulation::Impl::sample_metrics() {
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
  recorder_->on_sample(now_, views_.latest(), latent_.p(), *ledger_, mm_spread_ticks, mm_quoting);
}

/// The earliest time any market maker's kill switch latched, if one did.
inline std::optional<SimTime> MarketSimulation::Impl::first_kill() const {
  std::optional<SimTime> first;
  for (const std::uint32_t mm : market_makers_) {
    if (const std::optional<SimTime> at = agents_[mm].agent->killed_at()) {
      if (!first || *at < *first) first = at;
    }
  }
  return first;
}

/// Runs one mechanism call, `call(outcomes_)`, and handles its outcomes.
template <class Call>
inline void MarketSimulation::Impl::call_mechanism(Call&& call) {
  const std::int64_t before = bid_plus_ask();
  outcomes_.clear();
  call(outcomes_);
  handle_outcomes(before);
  if (mechanism_->settle_pending() && settle_at_ != now_) {
    settle_at_ = now_;
    schedule(now_, Phase::kSettle, EventType::kSettle);
  }
}

inline void MarketSimulation::Impl::dispatch(std::uint32_t word) {
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
inline void MarketSimulation::Impl::arrive_message(std::uint32_t index) {
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

inline void MarketSimulation::Impl::dispatch(const Payload& p) {
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
inline void MarketSimulation::Impl::arm_timer() {
  if (!timed_) return;
  const auto t = mechanism_->next_timer();
  if (!t) return;
  const SimTime at = *t < now_ ? now_ : *t;
  if (!timers_.insert(at.ns).second) return;
  schedule(at, Phase::kMechanismTimer, EventType::kTimer);
}

/// Asks each dealer of this call's kQuoteRequest outcomes for its firm quote, at once and
/// from its own state, and hands the answers to the mechanism (RFQ).
inline void MarketSimulation::Impl::answer_quote_requests() {
  for (const Outcome& o : outcomes_) {
    if (o.kind != OutcomeKind::kQuoteRequest) continue;
    current_ = o.agent.value;
    const std::optional<Price> quote = agents_[current_].agent->quote_for(*this, o.side, o.qty);
    log_.quote(event_id_, now_, o, quote);
    if (quote) diagnostics_.on_quote();
    mechanism_->on_quote(now_, o.agent, o.order, quote);
  }
}

inline void MarketSimulation::Impl::handle_outcomes(std::int64_t bid_plus_ask_before) {
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
      notify(o.counter_agent, true, Notice::Kind::kFill, o.counter_order, opposite(o.side), o.price,
             o.qty, o.counter_remaining, Reason::kNone, true, self);
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
inline void MarketSimulation::Impl::notify(AgentId agent, bool fill, Notice::Kind kind,
                                           OrderId order, Side side, Price price, Qty qty,
                                           Qty remaining, Reason reason, bool maker,
                                           bool self_trade) {
  AgentSlot& slot = agents_[agent.value];
  if ((slot.notice_mask[static_cast<std::size_t>(kind)] & (1u << static_cast<unsigned>(reason))) ==
      0) {
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

inline void MarketSimulation::Impl::notify_subscribers(const PublicView& view) {
  for (std::uint32_t s : subscribers_) {
    const std::uint32_t slot = view_slab_.acquire(view);
    view_slab_[slot] = view;
    schedule(now_ + agents_[s].latency.market_data.sample(), Phase::kMarketData,
             EventType::kMarketData, AgentId{s})
        .aux_index = slot;
  }
}

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
