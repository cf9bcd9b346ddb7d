// Sweep files: a scenario plus [sweep] and [grid] (docs/sweep-config.md). Expands the grid
// into cells, resolves each cell through the engine's loader and checks treatment parity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "engine/spec.hpp"

namespace proteus::sweep {

/// One value of an axis as written in the sweep file (TOML bool, integer, float or string).
using AxisValue = std::variant<bool, std::int64_t, double, std::string>;

/// Canonical text of a value: strings bare, numbers in shortest round-trip form.
std::string to_text(const AxisValue& value);

/// A position in the sweep file (1-based; 0 when unknown).
struct SourcePos {
  int line = 0;
  int column = 0;
};

/// A swept dimension: one key, or several keys varied together (a zip group).
/// points[i][k] is the value of keys[k] at point i.
struct Axis {
  std::vector<std::string> keys;
  std::vector<std::vector<AxisValue>> points;
  std::string mechanism;   ///< non-empty: applies only to cells of this mechanism
  bool treatment = false;  ///< one of its keys is listed in sweep.treatment
  SourcePos pos;
};

/// A dotted key set to a value.
struct Setting {
  std::string key;
  AxisValue value;
};

/// The scenario key of the mechanism: a treatment key like any other, but mechanism-specific
/// axes ([grid.per_mechanism.<name>]) follow it.
inline constexpr std::string_view kMechanismKey = "run.mechanism";

/// Marks an axis that does not apply to a cell (a mechanism-specific axis of another mechanism).
inline constexpr std::size_t kNotApplicable = static_cast<std::size_t>(-1);

/// One grid cell: its axis settings and, once resolved, its scenario.
struct Cell {
  std::vector<Setting> settings;   ///< in axis order, only the axes that apply
  std::vector<std::size_t> point;  ///< point index per axis, kNotApplicable when absent
  std::string label;               ///< "key=value, ..." with the shortest unambiguous key names
  std::string mechanism;           ///< the cell's run.mechanism
  std::string scenario_toml;       ///< resolved scenario text (empty before resolve_cells)
  engine::ScenarioSpec spec;       ///< valid after resolve_cells
  /// Panel column (index into SweepPlan::metrics) of each of this cell's metrics, in
  /// engine::metric_registry(spec) order; set by resolve_cells.
  std::vector<std::size_t> metric_columns;
};

/// Largest sweep.repetitions: /runs/rep is a uint32 column of the panel.
inline constexpr std::uint64_t kMaxRepetitions = 0xFFFF'FFFF;

/// Largest number of grid cells: /runs/cell is a uint32 column of the panel.
inline constexpr std::uint64_t kMaxCells = 0xFFFF'FFFF;

/// Largest estimated memory of a sweep's resolved cells, which every rank holds: 1 GiB.
inline constexpr std::uint64_t kMaxGridBytes = std::uint64_t{1} << 30;

/// A whole sweep: settings from [sweep], axes from [grid], cells in row-major order
/// (the last axis varies fastest; mechanism-specific axes are innermost).
struct SweepPlan {
  std::string source;       ///< file name used in messages
  std::string config_text;  ///< the sweep file exactly as read
  std::string name;
  std::uint64_t master_seed = 0;
  std::uint64_t repetitions = 0;
  std::vector<std::string> treatment;
  std::vector<Setting> baseline;  ///< one value per treatment key
  std::vector<Axis> axes;
  std::vector<Cell> cells;
  std::string environment;       ///< shared by every cell (after resolve_cells)
  std::uint64_t grid_bytes = 0;  ///< estimated memory of the resolved cells on every rank
  /// Union of the cells' metrics.as_horizons_ms, ascending (after resolve_cells).
  std::vector<double> as_horizons_ms;
  /// The panel's metric columns: every cell's metrics (after resolve_cells).
  engine::MetricRegistry metrics;

  /// cells * repetitions; parse_sweep refuses a plan where this does not fit in 64 bits.
  std::uint64_t total_runs() const { return cells.size() * repetitions; }
};

/// Parses [sweep] and [grid] and expands the grid; does not call the engine's loader.
/// Throws engine::ConfigError naming the file, line, column and key of the problem; a grid
/// above kMaxCells cells or kMaxGridBytes, more than kMaxRepetitions repetitions or an unknown
/// mechanism name are refused before any cell is built.
SweepPlan parse_sweep(std::string_view text, std::string_view source);

/// Builds each cell's scenario (the file minus [sweep]/[grid], with run.seed = master_seed
/// and the cell's settings applied) and validates it with engine::load_scenario.
/// Errors point at the axis value's position in the sweep file.
void resolve_cells(SweepPlan& plan);

/// Sets plan.as_horizons_ms, plan.metrics and every cell's metric_columns from the resolved
/// cells (called by resolve_cells).
void set_plan_metrics(SweepPlan& plan);

/// parse_sweep followed by resolve_cells.
SweepPlan load_sweep(std::string_view text, std::string_view source);

/// Reads `path` and calls load_sweep; an unreadable file is an engine::ConfigError.
SweepPlan load_sweep_file(const std::filesystem::path& path);

/// Whether a cell carries every [sweep] baseline setting; false when the plan has no baseline.
bool is_baseline_cell(const SweepPlan& plan, const Cell& cell);

/// Cells that differ only on treatment axes (mechanism-specific axes count as treatment when
/// the mechanism is treated): the cells a report contrasts with each other.
struct ContrastGroup {
  std::vector<std::size_t> members;       ///< cell indices, ascending
  std::size_t baseline = kNotApplicable;  ///< the member matching [sweep] baseline, if any
};

/// Partitions the cells into contrast groups, ordered by their non-treatment grid points.
/// Needs only a parsed plan (parse_sweep), not resolved cells.
std::vector<ContrastGroup> contrast_groups(const SweepPlan& plan);

/// Two cells that the reduction contrasts but whose resolved keys differ outside the treatment.
struct ParityViolation {
  std::size_t reference_cell = 0;
  std::size_t cell = 0;
  std::string key;
  std::string reference_value;
  std::string value;
};

/// Compares every cell with its contrast group's reference (the baseline cell, else the
/// first cell of the group) on every resolved key that the treatment does not own.
/// Requires resolved cells. Empty when parity holds.
std::vector<ParityViolation> check_parity(const SweepPlan& plan);

/// One line per violation: "cell 1 (label) vs cell 0 (label): key = a vs b".
std::vector<std::string> describe(const SweepPlan& plan,
                                  const std::vector<ParityViolation>& violations);

/// Keys that differ between two sweep files as "key: old -> new" lines, sorted by key: every
/// key written in either file by its TOML value, then the base scenario's engine
/// resolved_keys (which also catches changed defaults). Unparsable text counts as one line.
std::vector<std::string> config_differences(std::string_view old_text, std::string_view new_text);

/// Position of a run in the panel: row = cell * repetitions + rep.
struct RunId {
  std::uint64_t cell = 0;
  std::uint64_t rep = 0;
  friend bool operator==(const RunId&, const RunId&) = default;
};

/// Row index of a run; rows are fixed before any run starts.
constexpr std::uint64_t row_of(RunId id, std::uint64_t repetitions) {
  return id.cell * repetitions + id.rep;
}

/// The run stored at `row`.
constexpr RunId run_of(std::uint64_t row, std::uint64_t repetitions) {
  return RunId{row / repetitions, row % repetitions};
}

}  // namespace proteus::sweep
