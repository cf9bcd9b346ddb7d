// Welford (1962) updates, Chan-Golub-LeVeque (1979) merges and the split-invariant tree.
#include "stats/moments.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "stats/error.hpp"

namespace proteus::stats {

namespace {

void require_finite_value(double x, std::uint64_t position) {
  if (!std::isfinite(x)) {
    require_finite(std::span<const double>(&x, 1), "moments: position " + std::to_string(position));
  }
}

bool are_siblings(std::uint64_t left_start, unsigned left_level, std::uint64_t right_start,
                  unsigned right_level) {
  if (left_level != right_level || left_level >= 63) return false;
  const std::uint64_t size = std::uint64_t{1} << left_level;
  return left_start % (2 * size) == 0 && right_start == left_start + size;
}

}  // namespace

void Moments::add(double x) {
  require_finite_value(x, count_);
  ++count_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (x - mean_);
}

void Moments::add(std::span<const double> xs) {
  require_finite(xs, "moments");
  for (const double x : xs) {
    ++count_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (x - mean_);
  }
}

void Moments::merge(const Moments& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  // Chan, Golub & LeVeque (1979): delta = mean_b - mean_a,
  // mean = mean_a + delta n_b / n, M2 = M2_a + M2_b + delta^2 n_a n_b / n.
  const auto na = static_cast<double>(count_);
  const auto nb = static_cast<double>(other.count_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  count_ += other.count_;
}

Moments Moments::of_value(double x) {
  require_finite_value(x, 0);
  Moments m;
  m.count_ = 1;
  m.mean_ = x;
  return m;
}

double Moments::mean() const {
  return count_ == 0 ? std::numeric_limits<double>::quiet_NaN() : mean_;
}

double Moments::variance() const {
  if (count_ < 2) return std::numeric_limits<double>::quiet_NaN();
  return m2_ / static_cast<double>(count_ - 1);
}

double Moments::sd() const {
  return std::sqrt(variance());
}

void OrderedMoments::push(const Node& node) {
  nodes_.push_back(node);
  // Combine complete sibling blocks as soon as both halves are present; each block's value is
  // then merge(left half, right half) whatever the split, which is what makes result() canonical.
  while (nodes_.size() >= 2) {
    Node& left = nodes_[nodes_.size() - 2];
    const Node& right = nodes_.back();
    if (!are_siblings(left.start, left.level, right.start, right.level)) break;
    left.moments.merge(right.moments);
    ++left.level;
    nodes_.pop_back();
  }
}

void OrderedMoments::add(double x) {
  require_finite_value(x, end_);
  push(Node{end_, 0, Moments::of_value(x)});
  ++end_;
}

void OrderedMoments::add(std::span<const double> xs) {
  require_finite(xs, "moments from position " + std::to_string(end_));
  std::size_t i = 0;
  if (!xs.empty() && end_ % 2 != 0) {
    push(Node{end_, 0, Moments(1, xs[0], 0.0)});
    ++end_;
    i = 1;
  }
  // Aligned pairs of leaves built directly with the bits Moments::merge gives for
  // merge(of_value(a), of_value(b)): mean a + (b - a) * (1 / 2), M2 0 + (b - a)^2 * (1 * 1 / 2).
  for (; i + 1 < xs.size(); i += 2) {
    const double delta = xs[i + 1] - xs[i];
    push(Node{end_, 1, Moments(2, xs[i] + delta * 0.5, delta * delta * 0.5)});
    end_ += 2;
  }
  for (; i < xs.size(); ++i) {
    push(Node{end_, 0, Moments(1, xs[i], 0.0)});
    ++end_;
  }
}

void OrderedMoments::append(const OrderedMoments& next) {
  if (next.begin_ == next.end_) return;
  if (next.begin_ != end_) {
    throw InvalidInput("ordered moments: part [" + std::to_string(next.begin_) + ", " +
                       std::to_string(next.end_) + ") does not start at position " +
                       std::to_string(end_));
  }
  for (const Node& node : next.nodes_) push(node);
  end_ = next.end_;
}

Moments OrderedMoments::result() const {
  Moments total;
  for (const Node& node : nodes_) total.merge(node.moments);
  return total;
}

Moments merge_in_repetition_order(std::span<const OrderedMoments> parts) {
  std::vector<const OrderedMoments*> sorted;
  sorted.reserve(parts.size());
  for (const OrderedMoments& part : parts) {
    if (part.begin() != part.end()) sorted.push_back(&part);
  }
  std::sort(sorted.begin(), sorted.end(), [](const OrderedMoments* a, const OrderedMoments* b) {
    return a->begin() < b->begin();
  });
  if (sorted.empty()) return Moments{};
  OrderedMoments total(sorted.front()->begin());
  for (const OrderedMoments* part : sorted) total.append(*part);
  return total.result();
}

Moments moments_of(std::span<const double> xs) {
  OrderedMoments acc;
  acc.add(xs);
  return acc.result();
}

}  // namespace proteus::stats
