// Internal to src/sweep (include only from .cpp files): the integrity features every panel
// writer uses and the verifier checks (docs/panel-schema.md "Integrity").
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sweep/hdf5_util.hpp"
#include "sweep/shard.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep::format {

/// Root attribute (uint8, 1) present in panels written with checksums; panels without it were
/// written before checksums existed and are checked for sizes only.
inline constexpr const char* kChecksumsAttr = "checksums";

/// Attribute of every string dataset: SHA-256 (hex) over its strings, each preceded by its
/// length as 8 little-endian bytes. Fletcher32 covers only the heap references of
/// variable-length strings, not their text.
inline constexpr const char* kDigestAttr = "sha256";

/// Longest string a reader accepts from a panel (a scenario TOML is a few kB).
inline constexpr std::size_t kMaxStringBytes = 64u << 20;

/// File access properties of a written panel: format bounds 1.10, so the superblock, object
/// headers and chunk indices carry checksums.
h5::Handle file_access();

/// Rows whose /runs/status (the open dataset `status`, `total` rows) is pending, or with
/// `pending` false finished, as ascending ranges; reads in blocks so memory stays flat.
std::vector<RowRange> status_ranges(hid_t status, std::uint64_t total, bool pending);

/// The current UTC time as ISO 8601 ("2026-01-31T12:00:00Z").
std::string utc_now();

/// Writes the root attributes, /cells and the empty, pre-sized /runs, /timing and /errors
/// datasets of a new panel into the open file `file`.
void create_layout(hid_t file, const SweepPlan& plan, int ranks, const std::optional<Shard>& shard,
                   const std::string& start_time);

/// Called with the name of each part of a panel before check_panel() reads it.
using ProgressFn = void (*)(std::string_view step);

/// Reads every part of the panel at `path` (what verify_panel() runs in a child process),
/// calling `progress` before each step. Throws PanelDamagedError naming the damaged part,
/// SweepUsageError when the file is not a panel, PanelError when it cannot be read.
void check_panel(const std::filesystem::path& path, ProgressFn progress);

/// The digest kDigestAttr holds for `values`.
std::string strings_digest(const std::vector<std::string>& values);

}  // namespace proteus::sweep::format
