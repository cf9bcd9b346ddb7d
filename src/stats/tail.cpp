// Quantiles, VaR/CVaR and max drawdown.
#include "stats/tail.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "stats/error.hpp"

namespace proteus::stats {

namespace {

void require_probability(double q) {
  if (!(q >= 0.0 && q <= 1.0)) {
    throw InvalidInput("quantile: probability must lie in [0, 1], got " + std::to_string(q));
  }
}

std::vector<double> sorted_copy(std::span<const double> xs, const char* what) {
  require_size(xs, 1, what);
  require_finite(xs, what);
  std::vector<double> sorted(xs.begin(), xs.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

}  // namespace

double quantile_sorted(std::span<const double> sorted, double q) {
  require_size(sorted, 1, "quantile");
  require_probability(q);
  const std::size_t n = sorted.size();
  const double h = static_cast<double>(n - 1) * q;
  if (h >= static_cast<double>(n - 1)) return sorted[n - 1];
  const double lo_index = std::floor(h);
  const auto lo = static_cast<std::size_t>(lo_index);
  const double a = sorted[lo];
  const double b = sorted[lo + 1];
  const double t = h - lo_index;
  // NumPy's _lerp: interpolate from the nearer end, so t = 1 returns b exactly.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

double quantile(std::span<const double> xs, double q) {
  require_probability(q);
  const std::vector<double> sorted = sorted_copy(xs, "quantile");
  return quantile_sorted(sorted, q);
}

std::vector<double> quantiles(std::span<const double> xs, std::span<const double> qs) {
  for (const double q : qs) require_probability(q);
  const std::vector<double> sorted = sorted_copy(xs, "quantiles");
  std::vector<double> out;
  out.reserve(qs.size());
  for (const double q : qs) out.push_back(quantile_sorted(sorted, q));
  return out;
}

TailRisk tail_risk(std::span<const double> pnl, double level) {
  require_level(level);
  require_size(pnl, 1, "tail risk");
  require_finite(pnl, "tail risk");
  std::vector<double> losses(pnl.size());
  std::transform(pnl.begin(), pnl.end(), losses.begin(), [](double x) { return -x; });
  std::sort(losses.begin(), losses.end());
  TailRisk r;
  r.level = level;
  r.var = quantile_sorted(losses, level);
  // The tail is never empty: the largest loss is >= any quantile of the losses.
  const auto tail_begin = std::lower_bound(losses.begin(), losses.end(), r.var);
  double sum = 0.0;
  for (auto it = tail_begin; it != losses.end(); ++it) sum += *it;
  r.cvar = sum / static_cast<double>(losses.end() - tail_begin);
  return r;
}

double max_drawdown(std::span<const double> path) {
  require_size(path, 1, "max drawdown");
  require_finite(path, "max drawdown");
  double peak = path[0];
  double worst = 0.0;
  for (const double x : path) {
    peak = std::max(peak, x);
    worst = std::max(worst, peak - x);
  }
  return worst;
}

}  // namespace proteus::stats
