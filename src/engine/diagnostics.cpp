// RunDiagnostics: trade counts by counterparty class, orders and sizes by class, RFQ quotes and
// the market makers' decisions.
#include "engine/diagnostics.hpp"

#include <array>
#include <limits>

namespace proteus::engine {
namespace {

constexpr auto kNames = std::to_array<std::string_view>({
    "n_mm_self",
    "n_mm_vs_trader",
    "n_mm_vs_inf",
    "n_mm_vs_noise",
    "n_trader_trader",
    "n_trades_after_T",
    "mm_traded_volume",
    "mm_self_volume",
    "n_mm_orders",
    "n_inf_orders",
    "n_noise_orders",
    "mm_order_size_mean",
    "inf_order_size_mean",
    "noise_order_size_mean",
    "n_rfq_quotes",
    "n_mm_decisions",
    "n_mm_one_sided_decisions",
});

std::size_t role_index(Role r) {
  return static_cast<std::size_t>(r);
}

}  // namespace

std::span<const std::string_view> diagnostic_names() {
  return kNames;
}

void RunDiagnostics::on_order(Role owner, Qty qty) {
  ++orders_[role_index(owner)];
  order_lots_[role_index(owner)] += qty.lots;
}

void RunDiagnostics::on_trade(Role buyer, Role seller, Qty qty, bool after_horizon) {
  const bool mm_buys = buyer == Role::kMarketMaker;
  const bool mm_sells = seller == Role::kMarketMaker;
  if (after_horizon) ++after_horizon_;
  if (mm_buys && mm_sells) {
    ++mm_self_;
    mm_self_lots_ += qty.lots;
  } else if (mm_buys || mm_sells) {
    ++mm_vs_trader_;
    mm_traded_lots_ += qty.lots;
    const Role other = mm_buys ? seller : buyer;
    if (other == Role::kInformed) ++mm_vs_informed_;
    if (other == Role::kNoise) ++mm_vs_noise_;
  } else {
    ++trader_trader_;
  }
}

void RunDiagnostics::on_mm_decision(bool two_sided) {
  ++mm_decisions_;
  if (!two_sided) ++mm_one_sided_;
}

std::vector<double> RunDiagnostics::values() const {
  const auto count = [](std::int64_t n) { return static_cast<double>(n); };
  const auto contracts = [this](std::int64_t lots) {
    return static_cast<double>(lots) * lot_size_;
  };
  const auto mean_size = [&](Role r) {
    const std::int64_t n = orders_[role_index(r)];
    return n == 0 ? std::numeric_limits<double>::quiet_NaN()
                  : contracts(order_lots_[role_index(r)]) / count(n);
  };
  return {count(mm_self_),
          count(mm_vs_trader_),
          count(mm_vs_informed_),
          count(mm_vs_noise_),
          count(trader_trader_),
          count(after_horizon_),
          contracts(mm_traded_lots_),
          contracts(mm_self_lots_),
          count(orders_[role_index(Role::kMarketMaker)]),
          count(orders_[role_index(Role::kInformed)]),
          count(orders_[role_index(Role::kNoise)]),
          mean_size(Role::kMarketMaker),
          mean_size(Role::kInformed),
          mean_size(Role::kNoise),
          count(rfq_quotes_),
          count(mm_decisions_),
          count(mm_one_sided_)};
}

}  // namespace proteus::engine
