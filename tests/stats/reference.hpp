// Test helper: reads the vectors written by scipy_reference.py ("name v1 v2 ..." per line).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace proteus::stats::testing {

/// Reference vectors by name; loading a missing or empty file throws (the test then fails).
class Reference {
 public:
  /// Parses `path`; throws std::runtime_error if it cannot be read or holds no vectors.
  explicit Reference(const std::string& path);

  /// The vector called `name`; throws std::out_of_range naming it if absent.
  const std::vector<double>& at(const std::string& name) const;

  /// at(name)[index], bounds-checked.
  double value(const std::string& name, std::size_t index = 0) const;

 private:
  std::map<std::string, std::vector<double>> vectors_;
};

/// The reference written by the ctest fixture of this directory.
const Reference& scipy_reference();

}  // namespace proteus::stats::testing
