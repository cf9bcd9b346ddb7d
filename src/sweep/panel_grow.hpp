// Growing a panel in place to more repetitions per cell (adaptive precision, `--resume` with
// a larger sweep.repetitions): the runs already done are kept at their new rows.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sweep/sweep_config.hpp"

namespace proteus::sweep {

/// `text` with the value of sweep.repetitions replaced by `repetitions`, every other byte kept.
/// Throws engine::ConfigError (naming `source`) when the text does not parse or has no
/// integer sweep.repetitions.
std::string with_repetitions(std::string_view text, std::string_view source,
                             std::uint64_t repetitions);

/// The repetitions of `stored` when it differs from `text` in sweep.repetitions only (the
/// texts are otherwise byte-identical), else nullopt.
std::optional<std::uint64_t> repetitions_only_change(std::string_view stored,
                                                     std::string_view text);

/// Grows the panel at `path`, written for the same sweep with fewer repetitions, to
/// plan.repetitions: brings it up to date from its journal, copies its finished runs (a run
/// is a pure function of cell, master seed and repetition, so they stay valid) to their rows
/// under the new layout in a fresh panel written beside it, and renames that over `path`.
/// The old panel stays intact until the rename, so an interrupted growth is simply redone.
/// Runs of the new repetitions are left pending for `--resume`. Throws SweepUsageError when
/// the panel is a shard or holds more repetitions than the plan.
void grow_panel(const std::filesystem::path& path, const SweepPlan& plan, int ranks);

}  // namespace proteus::sweep
