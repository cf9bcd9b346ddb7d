// Golden metric files of small end-to-end runs (PT-019): which runs, where their files live
// and their text. Shared by the golden tests, which only compare, and by update_goldens,
// the one command that rewrites the files.
#pragma once

#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "engine/spec.hpp"

namespace proteus::engine::testing {

/// The four mechanisms every mechanism-wide test runs.
extern const std::vector<std::string> kMechanisms;

/// `s` with run.mechanism set (and the dual-flow acknowledgement gate on).
ScenarioSpec with_mechanism(ScenarioSpec s, const std::string& mechanism);

/// A small market every mechanism can run in a few milliseconds: two market makers, six noise
/// traders, informed flow and jumps.
ScenarioSpec small_market();

/// One golden run: its scenario, key and file.
struct GoldenCase {
  std::string name;  ///< for messages
  ScenarioSpec spec;
  RunKey key;
  std::string path;  ///< absolute path of the golden file in the source tree
};

/// Version of the mechanism golden files' scenario: bump it when small_market() changes.
inline constexpr int kGoldenVersion = 1;

/// configs/quickstart.toml repetition 0, then small_market() under each mechanism.
std::vector<GoldenCase> golden_cases(const std::string& source_dir);

/// "name value" lines, one per metric in registry order, values as %.17g.
std::string golden_text(const ScenarioSpec& spec, const RunResult& result);

}  // namespace proteus::engine::testing
