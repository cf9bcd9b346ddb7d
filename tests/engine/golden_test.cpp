// Golden metrics of small end-to-end runs (PT-019): configs/quickstart.toml rep 0 and one small
// run per mechanism, pinned so that an unintended change shows up as the metric that moved.
// After an intended change, rewrite them with `make update-goldens` (tests/engine/
// update_goldens.cpp) and commit the files with the reason; this test never writes them.
#include "golden.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace proteus::engine {
namespace {

std::map<std::string, std::string> parse(std::istream& in) {
  std::map<std::string, std::string> values;
  std::string name, value;
  while (in >> name >> value) values[name] = value;
  return values;
}

TEST(Golden, EveryGoldenRunMatchesItsFileMetricByMetric) {
  // The old update path made this test pass by writing what it compared against.
  ASSERT_EQ(std::getenv("PROTEUS_UPDATE_GOLDEN"), nullptr)
      << "PROTEUS_UPDATE_GOLDEN is set: goldens are rewritten by `make update-goldens`, and "
         "this test only compares";
  for (const testing::GoldenCase& c : testing::golden_cases(PROTEUS_SOURCE_DIR)) {
    const RunResult r = run_scenario(c.spec, c.key);
    ASSERT_EQ(r.status, RunStatus::kOk) << c.name << ": " << r.message;
    std::ifstream file(c.path);
    ASSERT_TRUE(file) << "missing golden file " << c.path;
    const std::map<std::string, std::string> want = parse(file);
    std::istringstream text(testing::golden_text(c.spec, r));
    const std::map<std::string, std::string> got = parse(text);
    for (const auto& [name, value] : got) {
      const auto it = want.find(name);
      ASSERT_NE(it, want.end()) << c.name << ": metric " << name << " missing from " << c.path;
      EXPECT_EQ(value, it->second) << c.name << ": metric " << name << " changed";
    }
    EXPECT_EQ(want.size(), got.size()) << c.name << ": " << c.path << " has other metrics";
  }
}

}  // namespace
}  // namespace proteus::engine
