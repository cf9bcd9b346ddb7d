// The event log's JSON lines, formatted with fmt (no JSON library in the engine).
#include "engine/event_log.hpp"

#include <fmt/format.h>

namespace proteus::engine {
namespace {

std::string_view outcome_name(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::kAccepted:
      return "accepted";
    case OutcomeKind::kRejected:
      return "rejected";
    case OutcomeKind::kTrade:
      return "trade";
    case OutcomeKind::kCancelled:
      return "cancelled";
    case OutcomeKind::kCancelRejected:
      return "cancel_rejected";
    case OutcomeKind::kQuoteRequest:
      return "quote_request";
  }
  return "?";
}

std::string_view notice_name(Notice::Kind k) {
  switch (k) {
    case Notice::Kind::kAccepted:
      return "accepted";
    case Notice::Kind::kRejected:
      return "rejected";
    case Notice::Kind::kFill:
      return "fill";
    case Notice::Kind::kCancelled:
      return "cancelled";
    case Notice::Kind::kCancelRejected:
      return "cancel_rejected";
  }
  return "?";
}

}  // namespace

void EventLog::write_latent(std::uint64_t id, SimTime t, double p) {
  sink_->write(fmt::format(R"({{"id":{},"t":{},"type":"latent","p":{}}})", id, t.ns, p));
}

void EventLog::write_agent_event(std::uint64_t id, SimTime t, std::string_view type,
                                 AgentId agent) {
  sink_->write(
      fmt::format(R"({{"id":{},"t":{},"type":"{}","agent":{}}})", id, t.ns, type, agent.value));
}

void EventLog::write_order(std::uint64_t id, SimTime t, const OrderRequest& o) {
  sink_->write(fmt::format(
      R"({{"id":{},"t":{},"type":"order","agent":{},"order":{},"side":"{}","kind":"{}","price":{},"qty":{}}})",
      id, t.ns, o.owner.value, o.id.value, to_string(o.side), to_string(o.kind), o.limit.ticks,
      o.qty.lots));
}

void EventLog::write_cancel(std::uint64_t id, SimTime t, AgentId owner, OrderId order) {
  sink_->write(fmt::format(R"({{"id":{},"t":{},"type":"cancel","agent":{},"order":{}}})", id, t.ns,
                           owner.value, order.value));
}

void EventLog::write_notice(std::uint64_t id, SimTime t, AgentId agent, const Notice& n) {
  sink_->write(fmt::format(
      R"({{"id":{},"t":{},"type":"notice","agent":{},"notice":"{}","order":{},"price":{},"qty":{},"remaining":{}}})",
      id, t.ns, agent.value, notice_name(n.kind), n.order.value, n.price.ticks, n.qty.lots,
      n.remaining.lots));
}

void EventLog::write_quote(std::uint64_t id, SimTime t, const Outcome& request,
                           std::optional<Price> quote) {
  sink_->write(fmt::format(R"({{"id":{},"t":{},"type":"quote","agent":{},"order":{},"price":{}}})",
                           id, t.ns, request.agent.value, request.order.value,
                           quote ? quote->ticks : 0));
}

void EventLog::write_outcome(std::uint64_t id, SimTime t, const Outcome& o) {
  sink_->write(fmt::format(
      R"({{"id":{},"t":{},"type":"{}","agent":{},"order":{},"side":"{}","price":{},"qty":{},"remaining":{},"reason":"{}","counter_agent":{},"counter_order":{},"counter_remaining":{}}})",
      id, t.ns, outcome_name(o.kind), o.agent.value, o.order.value, to_string(o.side),
      o.price.ticks, o.qty.lots, o.remaining.lots, to_string(o.reason), o.counter_agent.value,
      o.counter_order.value, o.counter_remaining.lots));
}

}  // namespace proteus::engine
