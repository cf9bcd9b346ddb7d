// Rewrites the golden metric files (tests/engine/golden/) from the current engine: the one
// way to update them after an intended change (`make update-goldens`); the golden tests only
// compare. Commit the rewritten files with the reason for the change.
#include <cstdio>
#include <fstream>

#include "golden.hpp"

int main() {
  using namespace proteus::engine;
  for (const testing::GoldenCase& c : testing::golden_cases(PROTEUS_SOURCE_DIR)) {
    const RunResult r = run_scenario(c.spec, c.key);
    if (r.status != RunStatus::kOk) {
      std::fprintf(stderr, "error: %s: run failed: %s\n", c.name.c_str(), r.message.c_str());
      return 1;
    }
    std::ofstream out(c.path);
    out << testing::golden_text(c.spec, r);
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", c.path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", c.path.c_str());
  }
  return 0;
}
