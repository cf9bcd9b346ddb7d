// The names and codes of the panel layout (docs/panel-schema.md) in one place: dataset paths,
// root attributes and /runs/status values. Free of HDF5, so public headers may include it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/simulation.hpp"

namespace proteus::sweep::schema {

/// Version of the layout described in docs/panel-schema.md.
inline constexpr int kVersion = 1;

/// /runs/status of a run that finished normally (engine::RunStatus::kOk).
inline constexpr std::uint8_t kStatusOk = static_cast<std::uint8_t>(engine::RunStatus::kOk);
/// /runs/status of a row whose run has not finished (the fill value of the column).
inline constexpr std::uint8_t kStatusPending = 255;

/// Whether `status` is a value /runs/status may hold: an engine::RunStatus or pending.
constexpr bool is_known_status(std::uint8_t status) {
  return status <= static_cast<std::uint8_t>(engine::RunStatus::kError) || status == kStatusPending;
}

/// Whether `status` is a finished run that failed (it has an /errors row).
constexpr bool is_failure(std::uint8_t status) {
  return status != kStatusOk && status != kStatusPending;
}

// Groups.
inline constexpr const char* kRunsGroup = "runs";
inline constexpr const char* kCellsGroup = "cells";
inline constexpr const char* kTimingGroup = "timing";
inline constexpr const char* kErrorsGroup = "errors";
inline constexpr const char* kSummaryGroup = "summary";
inline constexpr const char* kContrastsGroup = "contrasts";

// /runs: one row per run (metric columns are runs_column(name)).
inline constexpr const char* kRunsCell = "runs/cell";
inline constexpr const char* kRunsRep = "runs/rep";
inline constexpr const char* kRunsSeed = "runs/seed";
inline constexpr const char* kRunsStatus = "runs/status";
inline constexpr const char* kRunsEvents = "runs/events";

// /timing: one row per run, not deterministic.
inline constexpr const char* kTimingWallTime = "timing/wall_time_s";
inline constexpr const char* kTimingRank = "timing/rank";

// /errors: one row per failed run.
inline constexpr const char* kErrorsRow = "errors/row";
inline constexpr const char* kErrorsCell = "errors/cell";
inline constexpr const char* kErrorsRep = "errors/rep";
inline constexpr const char* kErrorsStatus = "errors/status";
inline constexpr const char* kErrorsMessage = "errors/message";

// /cells: one row per cell, plus one column per swept key (cells_column(key)).
inline constexpr const char* kCellsLabel = "cells/label";
inline constexpr const char* kCellsMechanism = "cells/mechanism";
inline constexpr const char* kCellsScenario = "cells/scenario";
/// Contrast group of each cell (uint32, groups numbered in sweep_config contrast_groups order).
inline constexpr const char* kCellsContrastGroup = "cells/contrast_group";
/// 1 for the cell that is its group's [sweep] baseline, else 0 (uint8).
inline constexpr const char* kCellsIsBaseline = "cells/is_baseline";

// Root attributes (docs/panel-schema.md "Root attributes").
inline constexpr const char* kSchemaVersionAttr = "schema_version";
inline constexpr const char* kSweepNameAttr = "sweep_name";
inline constexpr const char* kConfigAttr = "config";
inline constexpr const char* kConfigSha256Attr = "config_sha256";
inline constexpr const char* kProteusVersionAttr = "proteus_version";
inline constexpr const char* kGitCommitAttr = "git_commit";
inline constexpr const char* kEnvironmentAttr = "environment";
inline constexpr const char* kMasterSeedAttr = "master_seed";
inline constexpr const char* kRepetitionsAttr = "repetitions";
inline constexpr const char* kRanksAttr = "ranks";
inline constexpr const char* kStartTimeAttr = "start_time";
inline constexpr const char* kEndTimeAttr = "end_time";
inline constexpr const char* kResumedTimeAttr = "resumed_time";
inline constexpr const char* kCompleteAttr = "complete";
inline constexpr const char* kAsHorizonsAttr = "as_horizons_ms";
inline constexpr const char* kShardIndexAttr = "shard_index";
inline constexpr const char* kShardCountAttr = "shard_count";
inline constexpr const char* kTotalRunsAttr = "total_runs";
/// Root attribute: the [sweep] baseline as "key=value, ..." (what `report` prints).
inline constexpr const char* kBaselineAttr = "baseline";

// Attributes of every metric and report column.
inline constexpr const char* kUnitsAttr = "units";
inline constexpr const char* kDescriptionAttr = "description";

/// Path of the /runs column of metric `name`.
inline std::string runs_column(std::string_view name) {
  return std::string(kRunsGroup) + "/" + std::string(name);
}

/// Path of the /cells column `key`.
inline std::string cells_column(std::string_view key) {
  return std::string(kCellsGroup) + "/" + std::string(key);
}

/// Name within /cells of a dataset path given above ("cells/label" -> "label").
constexpr std::string_view leaf(std::string_view path) {
  return path.substr(path.rfind('/') + 1);
}

}  // namespace proteus::sweep::schema
