// The HDF5 panel of a sweep (docs/panel-schema.md): one dataset per column, rows pre-sized
// and written at their row index, so the /runs bytes never depend on arrival order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sweep/sweep_config.hpp"

namespace proteus::sweep {

/// Version of the layout described in docs/panel-schema.md.
inline constexpr int kPanelSchemaVersion = 1;

/// Status value of a row whose run has not finished (the fill value of /runs/status).
inline constexpr std::uint8_t kStatusPending = 255;

/// The outcome of one run, as stored in one row.
struct RunRecord {
  std::uint64_t row = 0;
  std::uint8_t status = 0;  ///< engine::RunStatus value
  std::uint64_t seed = 0;
  std::uint64_t events = 0;
  double wall_time_s = 0.0;
  std::int32_t rank = 0;
  std::vector<double> metrics;
  std::string message;  ///< empty when ok
};

/// Half-open row range [first, last).
using RowRange = std::pair<std::uint64_t, std::uint64_t>;

/// Writes a panel on one process (rank 0). Records are buffered and written at their rows
/// on flush(); the file on disk changes only inside flush() and close().
class PanelWriter {
 public:
  /// Creates (truncating) `path` with every dataset sized for plan.total_runs(); the caller
  /// decides whether an existing file may be replaced. Throws PanelError on HDF5 failures.
  static PanelWriter create(const std::filesystem::path& path, const SweepPlan& plan, int ranks);

  /// Reopens a panel written for the same config text (the caller checks the SHA-256).
  static PanelWriter reopen(const std::filesystem::path& path, const SweepPlan& plan, int ranks);

  PanelWriter(PanelWriter&&) noexcept;
  PanelWriter& operator=(PanelWriter&&) noexcept;
  ~PanelWriter();  ///< closes without reporting errors; call close() to see them

  /// Rows still pending (status 255), as ascending ranges.
  std::vector<RowRange> pending_ranges() const;

  /// Buffers records; each row must be pending and given once.
  void add(std::vector<RunRecord> records);

  /// Number of records waiting for flush().
  std::size_t buffered() const;

  /// Writes buffered records (runs, timing, errors) and flushes the file to disk.
  void flush();

  /// Flushes, stamps end_time and `complete`, and closes the file. Idempotent.
  void close(bool complete);

 private:
  struct Impl;
  explicit PanelWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Whether the file at `path` exists (create() refuses it unless overwriting).
bool panel_exists(const std::filesystem::path& path);

/// The sweep config text stored in a panel's root attribute `config`.
std::string read_panel_config(const std::filesystem::path& path);

/// One stored run and what is needed to re-run it: load `scenario_toml` with
/// engine::load_scenario and call run_scenario(spec, RunKey{master_seed, rep}).
struct StoredRun {
  std::string scenario_toml;
  std::uint64_t master_seed = 0;
  std::uint64_t cell = 0;
  std::uint64_t rep = 0;
  std::uint8_t status = kStatusPending;
  std::uint64_t seed = 0;
  std::vector<std::string> metric_names;  ///< registry order
  std::vector<double> metrics;            ///< aligned with metric_names
};

/// Reads run (cell, rep) of a panel; throws PanelError when the file cannot be read and
/// SweepUsageError when cell or rep is out of range.
StoredRun read_panel_run(const std::filesystem::path& path, std::uint64_t cell, std::uint64_t rep);

}  // namespace proteus::sweep
