// Tail risk for P&L-like metrics: quantiles (NumPy's default "linear" method, Hyndman-Fan
// type 7), value at risk and conditional value at risk with losses positive, max drawdown.
#pragma once

#include <span>
#include <vector>

namespace proteus::stats {

/// Type-7 quantile of an ascending sample: h = (n - 1) q, linear between the order statistics
/// around h, as numpy.quantile(x, q) by default; throws InvalidInput if empty or q not in [0, 1].
double quantile_sorted(std::span<const double> sorted, double q);

/// Type-7 quantile of an unsorted sample (sorted copy); throws InvalidInput on NaN/inf or empty.
double quantile(std::span<const double> xs, double q);

/// Type-7 quantiles at every probability in qs, sorting xs once.
std::vector<double> quantiles(std::span<const double> xs, std::span<const double> qs);

/// VaR and CVaR of a P&L sample at `level` (e.g. 0.95), both expressed as positive losses.
struct TailRisk {
  double level = 0.95;
  double var = 0.0;   ///< type-7 quantile at `level` of the losses L = -pnl
  double cvar = 0.0;  ///< mean of the losses L_i >= var (expected shortfall of the sample)
};

/// Tail risk of P&L values (gains positive); throws InvalidInput on NaN/inf, empty input or a
/// level outside (0, 1).
TailRisk tail_risk(std::span<const double> pnl, double level = 0.95);

/// Largest peak-to-trough fall max_t (max_{s<=t} path_s - path_t) of a cumulative path (e.g.
/// equity or cumulative P&L), a non-negative amount in the path's units; 0 for one point.
/// Throws InvalidInput on NaN/inf or an empty path.
double max_drawdown(std::span<const double> path);

}  // namespace proteus::stats
