// The JSONL event log of a market run: one JSON object per processed event or mechanism
// outcome, written to an optional EventSink (docs/architecture.md lists the fields).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/agent.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/simulation.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// Writers of the event log lines. Each is a no-op without a sink: the check is inline, so a
/// run without a log pays one predictable branch per call and never formats. `id` and `t`
/// are the id and time of the event being processed.
class EventLog {
 public:
  /// `sink` may be null (no log); it is not owned and must outlive the log.
  explicit EventLog(EventSink* sink) : sink_(sink) {}

  void latent(std::uint64_t id, SimTime t, double p) {
    if (sink_ != nullptr) write_latent(id, t, p);
  }
  /// An event that only names its agent: `type` is "decision" or "market_data".
  void agent_event(std::uint64_t id, SimTime t, std::string_view type, AgentId agent) {
    if (sink_ != nullptr) write_agent_event(id, t, type, agent);
  }
  void order(std::uint64_t id, SimTime t, const OrderRequest& o) {
    if (sink_ != nullptr) write_order(id, t, o);
  }
  void cancel(std::uint64_t id, SimTime t, AgentId owner, OrderId order) {
    if (sink_ != nullptr) write_cancel(id, t, owner, order);
  }
  void notice(std::uint64_t id, SimTime t, AgentId agent, const Notice& n) {
    if (sink_ != nullptr) write_notice(id, t, agent, n);
  }
  /// A dealer's answer to a quote request; a declined quote is written as price 0.
  void quote(std::uint64_t id, SimTime t, const Outcome& request, std::optional<Price> quote) {
    if (sink_ != nullptr) write_quote(id, t, request, quote);
  }
  void outcome(std::uint64_t id, SimTime t, const Outcome& o) {
    if (sink_ != nullptr) write_outcome(id, t, o);
  }

 private:
  void write_latent(std::uint64_t id, SimTime t, double p);
  void write_agent_event(std::uint64_t id, SimTime t, std::string_view type, AgentId agent);
  void write_order(std::uint64_t id, SimTime t, const OrderRequest& o);
  void write_cancel(std::uint64_t id, SimTime t, AgentId owner, OrderId order);
  void write_notice(std::uint64_t id, SimTime t, AgentId agent, const Notice& n);
  void write_quote(std::uint64_t id, SimTime t, const Outcome& request, std::optional<Price> quote);
  void write_outcome(std::uint64_t id, SimTime t, const Outcome& o);

  EventSink* sink_;
};

}  // namespace proteus::engine
