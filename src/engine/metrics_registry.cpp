// The metric tables. Order is the column order of RunResult::metrics and of the panel.
#include "engine/metrics_registry.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace proteus::engine {
namespace {

constexpr std::array kMarketMetrics = {
    MetricInfo{"mm_pnl", "payoff",
               "market makers' P&L: cash + inventory marked to p_T, fees included"},
    MetricInfo{"mm_sharpe", "1", "mean / sd of the market makers' P&L increments per sample step"},
    MetricInfo{"mm_max_drawdown", "payoff", "largest peak-to-trough fall of the marked P&L path"},
    MetricInfo{"mm_inventory_var", "contracts^2",
               "variance of market-maker inventory over samples"},
    MetricInfo{"mm_final_inventory", "contracts", "market-maker inventory at the end"},
    MetricInfo{"mm_fills", "count", "fills in which a market maker took part"},
    MetricInfo{"mm_survival", "1", "1 when no market maker's kill switch latched, else 0"},
    MetricInfo{"as_loss_100ms", "payoff",
               "adverse selection sum_j q_j (p_{t_j+100ms} - price_j), maker's side"},
    MetricInfo{"as_loss_1s", "payoff", "adverse selection at a 1 s horizon"},
    MetricInfo{"as_loss_10s", "payoff", "adverse selection at a 10 s horizon"},
    MetricInfo{"exec_error", "probability",
               "mean |price - p_t| over trader (non-MM) fills, lot-weighted"},
    MetricInfo{"slippage", "probability",
               "mean signed price - mid-at-submission over trader fills, lot-weighted"},
    MetricInfo{"fill_prob", "1", "filled / submitted lots of trader orders"},
    MetricInfo{"time_to_exec", "ms", "mean delay from submission to a trader order's first fill"},
    MetricInfo{"price_rmse", "probability",
               "RMSE of the mid (or last price) against p_t over samples"},
    MetricInfo{"quoted_spread", "probability", "mean ask - bid over samples with both sides"},
    MetricInfo{"effective_spread", "probability", "mean 2 |price - mid| over trades, lot-weighted"},
    MetricInfo{"depth", "contracts", "mean lots at the best bid plus best ask over samples"},
    MetricInfo{"realized_vol", "probability/sqrt(s)",
               "sd of mid changes per sample step, per sqrt second"},
    MetricInfo{"shock_half_life", "ms", "mean time for |mid - p_t| to halve after a latent shock"},
    MetricInfo{"volume", "contracts", "traded quantity"},
    MetricInfo{"trade_count", "count", "number of trades"},
    MetricInfo{"message_count", "count", "orders and cancels that reached the mechanism"},
};

constexpr std::array kAs2008Metrics = {
    MetricInfo{"profit", "cash", "terminal P&L: cash + q_T S_T"},
    MetricInfo{"final_inventory", "shares", "q_T"},
    MetricInfo{"mean_spread", "cash", "the run's average quoted spread, bid to ask"},
};

}  // namespace

std::span<const MetricInfo> metric_registry(std::string_view environment) {
  if (environment == "market") return kMarketMetrics;
  if (environment == "as2008") return kAs2008Metrics;
  throw std::invalid_argument("unknown environment '" + std::string(environment) + "'");
}

}  // namespace proteus::engine
