// Market maker v1 quoting, inventory limits and kill switch.
#include "engine/agents/market_maker.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <tuple>

#include "engine/detmath.hpp"

namespace proteus::engine {

QuoteTarget linear_quote(const MarketMakerSpec& spec, double p_hat, double inventory,
                         double sigma_hat, double as_hat) {
  const double h = spec.h0 + spec.a * std::fabs(inventory) + spec.b * sigma_hat + spec.c * as_hat;
  return {p_hat - spec.kappa * inventory, std::max(spec.min_half_spread, h)};
}

QuoteTarget avellaneda_stoikov_quote(const MarketMakerSpec& spec, double p_hat, double inventory,
                                     double tau_seconds) {
  const double risk = spec.gamma * spec.sigma * spec.sigma * tau_seconds;
  const double h = risk / 2.0 + det_log1p(spec.gamma / spec.k) / spec.gamma;
  return {p_hat - inventory * risk, std::max(spec.min_half_spread, h)};
}

void MarketMaker::on_start(AgentContext& ctx) {
  // The reference quotes traders see before the first decision (the predecessor's initial
  // quote event: 0.49 / 0.51 around its initial belief 0.5).
  posted_.bid = to_tick_nearest(spec_.belief_init - 0.01, ctx.rules());
  posted_.ask = to_tick_nearest(spec_.belief_init + 0.01, ctx.rules());
  posted_before_ = posted_;
  ctx.wake_at(ctx.now());
}

void MarketMaker::observe_mid(double mid) {
  if (has_last_mid_) {
    sigma_hat_ =
        (1.0 - spec_.sigma_alpha) * sigma_hat_ + spec_.sigma_alpha * std::fabs(mid - last_mid_);
  }
  last_mid_ = mid;
  has_last_mid_ = true;
}

void MarketMaker::on_decision(AgentContext& ctx) {
  decide(ctx, ctx.view());
  if (!killed_) ctx.wake_at(ctx.now() + interval_);
}

void MarketMaker::on_market_data(AgentContext& ctx, const PublicView& view) {
  if (last_decision_.ns >= 0 && ctx.now() - last_decision_ < interval_) return;
  decide(ctx, view);
}

void MarketMaker::decide(AgentContext& ctx, const PublicView& view) {
  if (killed_) return;
  last_decision_ = ctx.now();
  const MarketRules& rules = ctx.rules();
  const double s = ctx.signal();
  const auto unit = static_cast<double>(rules.ticks_per_unit);
  double p_hat = 0.0;
  if (spec_.belief == BeliefRule::kSignalEwma) {
    if (belief_ < 0.0) belief_ = spec_.belief_init;
    belief_ = std::clamp((1.0 - spec_.belief_alpha) * belief_ + spec_.belief_alpha * s, 0.0, 1.0);
    p_hat = belief_;
  } else {
    const double tape = view.last_price ? static_cast<double>(view.last_price->ticks) / unit : s;
    p_hat = spec_.belief_weight * s + (1.0 - spec_.belief_weight) * tape;
  }
  if (spec_.estimators == SpreadEstimators::kQuotesAndFills) {
    // The mid of its previous quotes (the predecessor's quote event, seen before it quotes).
    observe_mid(0.5 * static_cast<double>(posted_.bid.ticks + posted_.ask.ticks) / unit);
    pending_sgn_price_ = 0.0;
    pending_sgn_ = 0.0;
    pending_fills_ = 0;
  } else if (p_hat_ >= 0.0) {
    sigma_hat_ =
        (1.0 - spec_.ewma_alpha) * sigma_hat_ + spec_.ewma_alpha * std::fabs(p_hat - p_hat_);
  }
  p_hat_ = p_hat;
  if (pending_fills_ > 0) {
    // Mean adverse move of recent fills: sgn * (price - p_hat), positive when the belief moved
    // against the fill (bought above or sold below today's value).
    const double adverse = (pending_sgn_price_ - pending_sgn_ * p_hat) / pending_fills_;
    as_hat_ = (1.0 - spec_.ewma_alpha) * as_hat_ + spec_.ewma_alpha * std::max(0.0, adverse);
    pending_sgn_price_ = 0.0;
    pending_sgn_ = 0.0;
    pending_fills_ = 0;
  }
  // Kill switch on the agent's own view of its P&L, marked at its belief; latches.
  if (cash_ + inventory_ * p_hat < -spec_.loss_limit) {
    kill(ctx);
    return;
  }
  QuoteTarget q;
  if (avellaneda_stoikov_) {
    const double tau = std::max(0.0, (ctx.horizon() - ctx.now()).seconds());
    q = avellaneda_stoikov_quote(spec_, p_hat, inventory_, tau);
  } else {
    q = linear_quote(spec_, p_hat, inventory_, sigma_hat_, as_hat_);
  }
  target_ = q;
  Price bid = to_tick_floor(q.reservation - q.half_spread, rules);
  Price ask = to_tick_ceil(q.reservation + q.half_spread, rules);
  if (ask.ticks <= bid.ticks) {
    // Both rounded into the same tick at the edge of (0, 1): keep a one-tick market.
    if (bid.ticks > 1)
      bid = Price{ask.ticks - 1};
    else
      ask = Price{bid.ticks + 1};
  }
  double size = spec_.size;
  if (spec_.size_rule == QuoteSizeRule::kInventoryScaled) {
    size *= std::max(spec_.size_floor, 1.0 - std::fabs(inventory_) / spec_.max_inventory);
    lots_ = to_lots(size, ctx.lot_size());
  }
  if (spec_.inventory_limit == InventoryLimit::kReached) {
    // At the limit, quote only the side that reduces |inventory|.
    if (inventory_ >= spec_.max_inventory) bid = kNoQuote;
    if (inventory_ <= -spec_.max_inventory) ask = kNoQuote;
  } else {
    // Stop quoting the side that would push |inventory| beyond the limit.
    if (inventory_ + size > spec_.max_inventory + 1e-9) bid = kNoQuote;
    if (inventory_ - size < -spec_.max_inventory - 1e-9) ask = kNoQuote;
  }
  spread_before_ = quoted_spread_ticks().value_or(-1);
  quoted_bid_ = bid;
  quoted_ask_ = ask;
  posted_before_ = posted_;
  posted_.at = ctx.now();
  if (bid != kNoQuote) posted_.bid = bid;
  if (ask != kNoQuote) posted_.ask = ask;
  if (spec_.quotes == QuoteLifetime::kGtc) {
    post(ctx, bid, ask);
  } else {
    requote(ctx, bid, ask);
  }
}

void MarketMaker::post(AgentContext& ctx, Price bid, Price ask) {
  const std::size_t n =
      static_cast<std::size_t>(bid != kNoQuote) + static_cast<std::size_t>(ask != kNoQuote);
  if (n == 0) return;
  if (lots_.lots == 0) lots_ = to_lots(spec_.size, ctx.lot_size());
  const std::span<MessageLeg> legs = ctx.compose(n);
  std::size_t i = 0;
  for (const auto& [side, price] : {std::pair{Side::kBuy, bid}, std::pair{Side::kSell, ask}}) {
    if (price == kNoQuote) continue;
    MessageLeg& leg = legs[i++];
    leg.enter = true;
    leg.order.side = side;
    leg.order.kind = OrderKind::kLimit;
    leg.order.limit = price;
    leg.order.qty = lots_;
  }
  ctx.send_message();
}

void MarketMaker::requote(AgentContext& ctx, Price bid, Price ask) {
  // Both sides go in one message (a two-sided quote update); each changed side is one leg that
  // cancels the live quote, if any, and enters the new one, if any.
  if (lots_.lots == 0) lots_ = to_lots(spec_.size, ctx.lot_size());
  const auto unchanged = [this](const Quote& q, Price target) {
    return q.live ? q.price == target && q.lots == lots_ : target == kNoQuote;
  };
  const bool move_bid = !unchanged(bid_, bid);
  const bool move_ask = !unchanged(ask_, ask);
  if (!move_bid && !move_ask) return;
  const std::span<MessageLeg> legs =
      ctx.compose(static_cast<std::size_t>(move_bid) + static_cast<std::size_t>(move_ask));
  std::array<Quote*, 2> quotes{};
  std::size_t n = 0;
  for (const auto& [quote, side, target, move] : {std::tuple{&bid_, Side::kBuy, bid, move_bid},
                                                  std::tuple{&ask_, Side::kSell, ask, move_ask}}) {
    if (!move) continue;
    MessageLeg& leg = legs[n];
    quotes[n++] = quote;
    if (quote->live) leg.cancel = quote->id;
    quote->live = false;
    if (target != kNoQuote) {
      leg.enter = true;
      leg.order.side = side;
      leg.order.kind = OrderKind::kLimit;
      leg.order.limit = target;
      leg.order.qty = lots_;
      quote->price = target;
      quote->lots = lots_;
    }
  }
  ctx.send_message();
  for (std::size_t i = 0; i < n; ++i) {
    if (!legs[i].enter) continue;
    quotes[i]->id = legs[i].order.id;
    quotes[i]->live = true;
  }
}

std::optional<Price> MarketMaker::quote_for(AgentContext& ctx, Side taker_side, Qty qty) {
  if (killed_ || !target_) return std::nullopt;
  const double contracts = static_cast<double>(qty.lots) * ctx.lot_size();
  const MarketRules& rules = ctx.rules();
  if (taker_side == Side::kSell) {  // the dealer buys
    if (inventory_ + contracts > spec_.max_inventory + 1e-9) return std::nullopt;
    return to_tick_floor(target_->reservation - target_->half_spread, rules);
  }
  if (inventory_ - contracts < -spec_.max_inventory - 1e-9) return std::nullopt;
  return to_tick_ceil(target_->reservation + target_->half_spread, rules);
}

void MarketMaker::kill(AgentContext& ctx) {
  killed_ = true;
  kill_time_ = ctx.now();
  requote(ctx, kNoQuote, kNoQuote);
}

void MarketMaker::on_notice(AgentContext& ctx, const Notice& n) {
  Quote& quote = n.side == Side::kBuy ? bid_ : ask_;
  const bool current = quote.live && quote.id == n.order;
  switch (n.kind) {
    case Notice::Kind::kFill: {
      const double contracts = static_cast<double>(n.qty.lots) * ctx.lot_size();
      const double price =
          static_cast<double>(n.price.ticks) / static_cast<double>(ctx.rules().ticks_per_unit);
      const auto sgn = static_cast<double>(sign(n.side));
      inventory_ += sgn * contracts;
      cash_ -= sgn * contracts * price;
      pending_sgn_price_ += sgn * price;
      pending_sgn_ += sgn;
      ++pending_fills_;
      // quotes_and_fills: one update per trade, also when it is on both sides of it.
      if (spec_.estimators == SpreadEstimators::kQuotesAndFills && !(n.self_trade && n.maker)) {
        as_hat_ = (1.0 - spec_.as_alpha) * as_hat_ + spec_.as_alpha * std::fabs(p_hat_ - price);
        observe_mid(price);
      }
      if (current && n.remaining.lots == 0) quote.live = false;
      break;
    }
    case Notice::Kind::kRejected:
    case Notice::Kind::kCancelled:
      if (current) quote.live = false;
      break;
    case Notice::Kind::kAccepted:
    case Notice::Kind::kCancelRejected:
      break;
  }
}

}  // namespace proteus::engine
