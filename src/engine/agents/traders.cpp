// Informed, noise and sniper decision rules.
#include "engine/agents/traders.hpp"

#include <algorithm>
#include <cmath>

namespace proteus::engine {
namespace {

double to_prob(Price p, const MarketRules& rules) {
  return static_cast<double>(p.ticks) / static_cast<double>(rules.ticks_per_unit);
}

}  // namespace

Price to_tick_floor(double p, const MarketRules& rules) {
  const auto t =
      static_cast<std::int64_t>(std::floor(p * static_cast<double>(rules.ticks_per_unit) + 1e-9));
  return Price{std::clamp<std::int64_t>(t, 1, rules.ticks_per_unit - 1)};
}

Price to_tick_ceil(double p, const MarketRules& rules) {
  const auto t =
      static_cast<std::int64_t>(std::ceil(p * static_cast<double>(rules.ticks_per_unit) - 1e-9));
  return Price{std::clamp<std::int64_t>(t, 1, rules.ticks_per_unit - 1)};
}

Price to_tick_nearest(double p, const MarketRules& rules) {
  const std::int64_t t = std::llround(p * static_cast<double>(rules.ticks_per_unit));
  return Price{std::clamp<std::int64_t>(t, 1, rules.ticks_per_unit - 1)};
}

Qty to_lots(double contracts, double lot_size) {
  return Qty{std::max<std::int64_t>(1, std::llround(contracts / lot_size))};
}

std::optional<double> reference_price(const PublicView& view, const MarketRules& rules) {
  if (view.best_bid && view.best_ask) {
    return 0.5 * (to_prob(view.best_bid->price, rules) + to_prob(view.best_ask->price, rules));
  }
  if (view.last_price) return to_prob(*view.last_price, rules);
  return std::nullopt;
}

double informed_size(const InformedSpec& spec, double edge) {
  const double extra = std::max(0.0, edge - spec.theta - spec.cost);
  return std::min(spec.size_max, spec.size_min + spec.size_per_edge * extra);
}

void InformedTrader::on_start(AgentContext& ctx) {
  if (spec_.schedule.mode != ScheduleMode::kInterval) return;
  if (spec_.activity_draw == ActivityDraw::kPerDecision) {
    ctx.wake_at(ctx.now());
  } else {
    wake_when_active(ctx);
  }
}

void InformedTrader::on_decision(AgentContext& ctx) {
  if (spec_.activity_draw == ActivityDraw::kPerDecision) {
    // The activity draw comes first and always (common random numbers across mechanisms).
    if (ctx.rng().bernoulli(spec_.activity)) act(ctx, ctx.view());
    const SimTime next = ctx.now() + SimTime::from_ms(spec_.schedule.interval_ms);
    if (next <= ctx.horizon()) ctx.wake_at(next);
    return;
  }
  act(ctx, ctx.view());
  wake_when_active(ctx);
}

void InformedTrader::wake_when_active(AgentContext& ctx) {
  // Decision slots fall every interval and each is active with probability `activity`,
  // independently: the inactive slots before the next active one are one geometric draw, so
  // the trader wakes only when it acts. The draw comes first and always after an active slot,
  // so the stream advances identically whatever the book looks like (common random numbers
  // across mechanisms).
  const SimTime interval = SimTime::from_ms(spec_.schedule.interval_ms);
  const std::int64_t skipped = ctx.rng().geometric(spec_.activity);
  const std::int64_t slots_left =
      (ctx.horizon() - ctx.now()).ns / std::max<std::int64_t>(1, interval.ns);
  if (skipped >= slots_left) return;  // no active slot before the end of the run
  ctx.wake_at(ctx.now() + SimTime{(skipped + 1) * interval.ns});
}

void InformedTrader::on_market_data(AgentContext& ctx, const PublicView& view) {
  if (last_decision_.ns >= 0 &&
      ctx.now() - last_decision_ < SimTime::from_ms(spec_.schedule.interval_ms))
    return;
  last_decision_ = ctx.now();
  // Event-driven: every decision draws its own activity, first and always.
  if (ctx.rng().bernoulli(spec_.activity)) act(ctx, view);
}

void InformedTrader::act(AgentContext& ctx, const PublicView& view) {
  const double s = ctx.signal();
  const MarketRules& rules = ctx.rules();
  const double threshold = spec_.theta + spec_.cost;
  const OrderKind kind = spec_.order == TakerOrder::kLimit ? OrderKind::kLimit : OrderKind::kIoc;
  if (spec_.reference == PriceReference::kMmQuotes) {
    // The market maker's last quotes stand in for the market; the larger edge decides.
    const std::optional<QuotePair> q = ctx.market_maker_quotes();
    if (!q) return;
    const double buy_edge = s - to_prob(q->ask, rules);
    const double sell_edge = to_prob(q->bid, rules) - s;
    if (buy_edge <= threshold && sell_edge <= threshold) return;
    if (buy_edge >= sell_edge) {
      ctx.submit(Side::kBuy, kind, q->ask, to_lots(informed_size(spec_, buy_edge), ctx.lot_size()));
    } else {
      ctx.submit(Side::kSell, kind, q->bid,
                 to_lots(informed_size(spec_, sell_edge), ctx.lot_size()));
    }
    return;
  }
  if (!view.shows_book) {
    // No visible book (batch auctions, RFQ): the last trade price stands in for the executable
    // price, and the limit is the worst price that still leaves the required edge.
    if (!view.last_price) return;
    const double last = to_prob(*view.last_price, rules);
    if (s - last > threshold) {
      ctx.submit(Side::kBuy, kind, to_tick_floor(s - threshold, rules),
                 to_lots(informed_size(spec_, s - last), ctx.lot_size()));
    } else if (last - s > threshold) {
      ctx.submit(Side::kSell, kind, to_tick_ceil(s + threshold, rules),
                 to_lots(informed_size(spec_, last - s), ctx.lot_size()));
    }
    return;
  }
  if (view.best_ask) {
    const double edge = s - to_prob(view.best_ask->price, rules);
    if (edge > threshold) {
      ctx.submit(Side::kBuy, kind, view.best_ask->price,
                 to_lots(informed_size(spec_, edge), ctx.lot_size()));
      return;
    }
  }
  if (view.best_bid) {
    const double edge = to_prob(view.best_bid->price, rules) - s;
    if (edge > threshold) {
      ctx.submit(Side::kSell, kind, view.best_bid->price,
                 to_lots(informed_size(spec_, edge), ctx.lot_size()));
    }
  }
}

void NoiseTrader::on_start(AgentContext& ctx) {
  if (spec_.arrivals == NoiseArrivals::kPerStep) {
    ctx.wake_at(ctx.now());
  } else {
    schedule_next(ctx);
  }
}

void NoiseTrader::schedule_next(AgentContext& ctx) {
  if (spec_.rate <= 0.0) return;
  next_arrival_ = next_arrival_ + SimTime::from_ms(1e3 * ctx.arrival_rng().exponential(spec_.rate));
  SimTime wake = next_arrival_;
  if (!resting_.empty() && resting_.front().expires < wake) wake = resting_.front().expires;
  ctx.wake_at(wake);
}

void NoiseTrader::on_decision(AgentContext& ctx) {
  // Expired limit orders first; a wake-up may be for expiry only.
  while (!resting_.empty() && resting_.front().expires <= ctx.now()) {
    ctx.cancel(resting_.front().id);
    resting_.pop_front();
  }
  if (spec_.arrivals == NoiseArrivals::kPerStep) {
    // All of a step's arrivals at once: a Poisson count, then each order's draws.
    const SimTime step = SimTime::from_ms(spec_.step_ms);
    const std::int64_t n = ctx.arrival_rng().poisson(spec_.rate * step.seconds());
    for (std::int64_t i = 0; i < n; ++i) arrive(ctx);
    SimTime wake = ctx.now() + step;
    if (!resting_.empty() && resting_.front().expires < wake) wake = resting_.front().expires;
    if (wake <= ctx.horizon()) ctx.wake_at(wake);
    return;
  }
  if (ctx.now() < next_arrival_) {
    SimTime wake = next_arrival_;
    if (!resting_.empty() && resting_.front().expires < wake) wake = resting_.front().expires;
    ctx.wake_at(wake);
    return;
  }
  arrive(ctx);
  schedule_next(ctx);
}

void NoiseTrader::arrive(AgentContext& ctx) {
  RandomStream& rng = ctx.rng();
  // Fixed draw pattern per arrival: side, size, order type, offset.
  const Side side = rng.bernoulli(0.5) ? Side::kBuy : Side::kSell;
  const double contracts =
      geometric_size_
          ? 1.0 + static_cast<double>(rng.geometric(1.0 / std::max(1.0, spec_.size_mean)))
          : rng.uniform(spec_.size_min, std::nextafter(spec_.size_max, 1e300));
  const bool limit = rng.bernoulli(spec_.limit_fraction);
  const bool around_mid = spec_.limit_price == NoiseLimitPrice::kAroundMid;
  const double offset = around_mid ? rng.uniform(-spec_.limit_offset_max, spec_.limit_offset_max)
                                   : rng.uniform(0.0, spec_.limit_offset_max);
  const Qty qty = to_lots(contracts, ctx.lot_size());
  if (!limit) {
    ctx.submit(side, OrderKind::kMarket, Price{}, qty);
    return;
  }
  const MarketRules& rules = ctx.rules();
  Price price;
  if (spec_.reference == PriceReference::kMmQuotes) {
    const std::optional<QuotePair> q = ctx.market_maker_quotes();
    if (!q) return;
    const double bid = to_prob(q->bid, rules);
    const double ask = to_prob(q->ask, rules);
    const double p = around_mid ? 0.5 * (bid + ask) + offset
                                : (side == Side::kBuy ? bid - offset : ask + offset);
    price = to_tick_nearest(p, rules);
  } else {
    const PublicView& view = ctx.view();
    const auto ref = reference_price(view, rules);
    if (!ref) return;
    if (around_mid) {
      price = to_tick_nearest(*ref + offset, rules);
    } else {
      // Rest behind the touch on the own side: below the mid for buys, above for sells.
      const double half =
          (view.best_bid && view.best_ask)
              ? 0.5 * (to_prob(view.best_ask->price, rules) - to_prob(view.best_bid->price, rules))
              : 0.0;
      const double p = side == Side::kBuy ? *ref - half - offset : *ref + half + offset;
      price = side == Side::kBuy ? to_tick_floor(p, rules) : to_tick_ceil(p, rules);
    }
  }
  const OrderId id = ctx.submit(side, OrderKind::kLimit, price, qty);
  if (!spec_.limit_gtc) resting_.push_back({id, ctx.now() + SimTime::from_ms(spec_.limit_ttl_ms)});
}

void Sniper::on_market_data(AgentContext& ctx, const PublicView& view) {
  const MarketRules& rules = ctx.rules();
  const double s = ctx.signal();
  if (view.best_ask && s - to_prob(view.best_ask->price, rules) > spec_.theta_snipe) {
    ctx.submit(Side::kBuy, OrderKind::kIoc, view.best_ask->price,
               to_lots(spec_.size, ctx.lot_size()));
  } else if (view.best_bid && to_prob(view.best_bid->price, rules) - s > spec_.theta_snipe) {
    ctx.submit(Side::kSell, OrderKind::kIoc, view.best_bid->price,
               to_lots(spec_.size, ctx.lot_size()));
  }
}

}  // namespace proteus::engine
