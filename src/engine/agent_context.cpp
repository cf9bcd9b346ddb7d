// The AgentContext half of a market run: what the agent being called reads (time, its signal,
// the view one market-data delay ago, its streams) and does (orders, cancels and messages that
// reach the mechanism after its submission delay, wake-ups). The event loop is market_sim.cpp.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>

#include "engine/market_sim_impl.hpp"

namespace proteus::engine {

SimTime MarketSimulation::Impl::now() const {
  return now_;
}
SimTime MarketSimulation::Impl::horizon() const {
  return horizon_;
}
double MarketSimulation::Impl::signal() {
  return agents_[current_].signal.observe(latent_, now_);
}
const PublicView& MarketSimulation::Impl::view() {
  return views_.at(now_ - agents_[current_].latency.market_data.sample());
}
const MarketRules& MarketSimulation::Impl::rules() const {
  return rules_;
}
double MarketSimulation::Impl::lot_size() const {
  return lot_size_;
}
RandomStream& MarketSimulation::Impl::rng() {
  return agents_[current_].decision;
}
RandomStream& MarketSimulation::Impl::arrival_rng() {
  return agents_[current_].arrival;
}

OrderId MarketSimulation::Impl::submit(Side side, OrderKind kind, Price limit, Qty qty) {
  AgentSlot& slot = agents_[current_];
  const OrderRequest order{OrderId{next_order_id_++}, AgentId{current_}, side, kind, limit, qty};
  if (slot.role != Role::kMarketMaker) recorder_->on_submit(order, now_, true_mid());
  schedule(now_ + to_book(slot), Phase::kArrival, EventType::kOrderArrival, AgentId{current_})
      .order = order;
  return order.id;
}

void MarketSimulation::Impl::cancel(OrderId id) {
  Payload& p = schedule(now_ + to_book(agents_[current_]), Phase::kArrival,
                        EventType::kCancelArrival, AgentId{current_});
  p.order.id = id;
  p.order.owner = AgentId{current_};
}

std::span<MessageLeg> MarketSimulation::Impl::compose(std::size_t count) {
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

void MarketSimulation::Impl::send_message() {
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

void MarketSimulation::Impl::wake_at(SimTime t) {
  queue_.push(t < now_ ? now_ : t, Phase::kDecision, kDecisionTag | current_);
}

std::optional<QuotePair> MarketSimulation::Impl::market_maker_quotes() {
  if (market_makers_.empty()) return std::nullopt;
  return agents_[market_makers_.front()].agent->quotes_before(now_);
}

}  // namespace proteus::engine
