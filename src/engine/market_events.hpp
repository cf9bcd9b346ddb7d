// What the market event loop queues: the kinds of event, the payload of a slabbed event, a
// pending message, and how an event fits in the queue's 32-bit word.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/agent.hpp"
#include "engine/mechanisms/mechanism.hpp"
#include "engine/types.hpp"

namespace proteus::engine {

/// The kinds of event of a market run (latent steps and samples run inline, not queued).
enum class EventType : std::uint8_t {
  kLatentStep,
  kTimer,
  kOrderArrival,
  kCancelArrival,
  kMessageArrival,
  kNotice,
  kMarketData,
  kDecision,
  kSample,
  kSettle,
};

/// A queued event other than a decision or a message arrival, held in a SlotPool slot.
struct Payload {
  explicit Payload(EventType t, AgentId a = AgentId{}) : type(t), agent(a) {}
  EventType type = EventType::kLatentStep;
  AgentId agent;
  std::uint32_t aux_index = 0;  // market data: slot of the view in flight
  OrderRequest order;           // order arrival; cancel arrival uses order.id
  Notice notice;
};

/// The notice an order's owner gets for an outcome other than a trade or a quote request
/// (their entries, kFill and kAccepted, are never read: trades notify both sides as fills and
/// a quote request reaches no one).
inline Notice::Kind notice_kind(OutcomeKind k) {
  static constexpr std::array<Notice::Kind, 6> kNotice{
      Notice::Kind::kAccepted,  Notice::Kind::kRejected,       Notice::Kind::kFill,
      Notice::Kind::kCancelled, Notice::Kind::kCancelRejected, Notice::Kind::kAccepted};
  static_assert(static_cast<int>(OutcomeKind::kAccepted) == 0 &&
                static_cast<int>(OutcomeKind::kRejected) == 1 &&
                static_cast<int>(OutcomeKind::kTrade) == 2 &&
                static_cast<int>(OutcomeKind::kCancelled) == 3 &&
                static_cast<int>(OutcomeKind::kCancelRejected) == 4 &&
                static_cast<int>(OutcomeKind::kQuoteRequest) == 5);
  return kNotice[static_cast<std::size_t>(k)];
}

/// The legs of a message between send_message() and its arrival at the mechanism.
struct Message {
  std::array<MessageLeg, kMaxMessageLegs> legs{};
  std::uint8_t count = 0;
};

// A queued event is one 32-bit word, so the heap moves 24-byte entries only: a decision
// carries its agent and a message arrival its Message slot inline (tagged in the top two
// bits); every other event is the slot of its Payload.
inline constexpr std::uint32_t kDecisionTag = 1u << 30;
inline constexpr std::uint32_t kMessageTag = 2u << 30;
inline constexpr std::uint32_t kTagMask = 3u << 30;

}  // namespace proteus::engine
