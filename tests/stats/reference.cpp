// Parser for the SciPy reference file produced at test time by scipy_reference.py.
#include "reference.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace proteus::stats::testing {

Reference::Reference(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path +
                             " (it is written by the ctest fixture running scipy_reference.py)");
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    std::vector<double> values;
    std::string token;
    while (fields >> token) values.push_back(std::strtod(token.c_str(), nullptr));
    vectors_[name] = std::move(values);
  }
  if (vectors_.empty()) throw std::runtime_error(path + " holds no reference vectors");
}

const std::vector<double>& Reference::at(const std::string& name) const {
  const auto it = vectors_.find(name);
  if (it == vectors_.end()) throw std::out_of_range("no reference vector named " + name);
  return it->second;
}

double Reference::value(const std::string& name, std::size_t index) const {
  return at(name).at(index);
}

const Reference& scipy_reference() {
  static const Reference kReference(PROTEUS_STATS_REFERENCE);
  return kReference;
}

}  // namespace proteus::stats::testing
