// Mergeable streaming moments: Welford's update and Chan et al.'s pairwise merge, plus an
// ordered accumulator whose result does not depend on how a sequence was split into parts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace proteus::stats {

/// Count, mean and sum of squared deviations (M2) of a sample; memory O(1) in the count.
class Moments {
 public:
  /// Empty moments (count 0), the identity of merge().
  Moments() = default;

  /// Adds one value by Welford's update; throws InvalidInput for NaN or infinity.
  void add(double x);

  /// Adds every value in order; throws InvalidInput naming the index of the first non-finite one.
  void add(std::span<const double> xs);

  /// Folds `other` into this by Chan, Golub and LeVeque's pairwise formula (other comes after).
  void merge(const Moments& other);

  /// Moments of a single value, the leaf of every merge tree.
  static Moments of_value(double x);

  /// Number of values reduced.
  std::uint64_t count() const { return count_; }
  /// Arithmetic mean; NaN when empty.
  double mean() const;
  /// Sum of squared deviations from the mean (M2); 0 when empty.
  double m2() const { return m2_; }
  /// Unbiased sample variance M2 / (n - 1); NaN when n < 2.
  double variance() const;
  /// Sample standard deviation sqrt(variance()); NaN when n < 2.
  double sd() const;

 private:
  friend class OrderedMoments;
  Moments(std::uint64_t count, double mean, double m2) : count_(count), mean_(mean), m2_(m2) {}

  std::uint64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
};

/// Moments of positions [begin, end) of an indexed sequence (a column ordered by repetition),
/// reduced over a fixed binary tree of aligned power-of-two blocks, so that the bits of
/// result() depend only on the values and their positions, never on how the sequence was cut
/// into parts or the order in which parts arrived.
class OrderedMoments {
 public:
  /// An empty accumulator whose first value will sit at position `begin`.
  explicit OrderedMoments(std::uint64_t begin = 0) : begin_(begin), end_(begin) {}

  /// Adds the value at position end(); throws InvalidInput for NaN or infinity.
  void add(double x);

  /// Adds values at positions end(), end() + 1, ...; throws InvalidInput on a non-finite one.
  void add(std::span<const double> xs);

  /// Appends a part covering [next.begin(), next.end()); throws InvalidInput unless it starts at
  /// end() (an empty part is accepted anywhere).
  void append(const OrderedMoments& next);

  /// First position covered.
  std::uint64_t begin() const { return begin_; }
  /// One past the last position covered; the next add() lands here.
  std::uint64_t end() const { return end_; }

  /// The canonical moments of [begin, end): identical bits for every split of the range.
  Moments result() const;

 private:
  // A complete subtree: positions [start, start + 2^level), start a multiple of 2^level.
  struct Node {
    std::uint64_t start = 0;
    unsigned level = 0;
    Moments moments;
  };
  void push(const Node& node);

  std::uint64_t begin_;
  std::uint64_t end_;
  std::vector<Node> nodes_;  // left to right, contiguous; at most ~2 log2(n) entries
};

/// Merges parts in repetition order (sorted by begin(), whatever order they arrived in) and
/// returns the canonical moments; throws InvalidInput if the parts overlap or leave a gap.
Moments merge_in_repetition_order(std::span<const OrderedMoments> parts);

/// Canonical moments of a whole column, position 0 first (same bits as any split of it).
Moments moments_of(std::span<const double> xs);

}  // namespace proteus::stats
