// Scenario libraries: folders of complete scenario files (each runnable with `proteus sim`),
// an index (library.json) and a SHA-256 manifest (manifest_sha256.json) that is checked every
// time the library is used.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "sweep/errors.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::search {

/// The manifest's file name inside a library folder.
inline constexpr const char* kManifestFile = "manifest_sha256.json";
/// The index's file name inside a library folder.
inline constexpr const char* kIndexFile = "library.json";

/// A library that fails its manifest check (a file changed, missing or not listed): nothing in
/// it is used. A usage error of the input.
class LibraryTampered : public sweep::SweepUsageError {
 public:
  using sweep::SweepUsageError::SweepUsageError;
};

/// One scenario of a library.
struct LibraryScenario {
  std::string id;                        ///< e.g. "adv-001"
  std::string file;                      ///< file name inside the library folder
  std::vector<sweep::Setting> settings;  ///< the searched keys that make it a failure scenario
  std::string text;                      ///< the complete scenario (what `file` holds)
  std::string note;                      ///< what the search measured (kill probability, ...)
};

/// Writes `scenarios` (their `text` to `file`), the index (with `index_json`, a JSON object of
/// search facts, stored under "search") and the manifest into `dir`, replacing what was there.
void write_library(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<LibraryScenario>& scenarios, const std::string& index_json);

/// Verifies `dir` against its manifest (every listed file present with its SHA-256, every
/// *.toml and the index listed) and returns its scenarios in index order. Throws LibraryTampered
/// naming the first file that fails, engine::ConfigError for an unreadable manifest or index.
std::vector<LibraryScenario> load_library(const std::filesystem::path& dir);

}  // namespace proteus::search
