// The HDF5 panel of a sweep (docs/panel-schema.md): one dataset per column, rows pre-sized
// and written at their row index, so the /runs bytes never depend on arrival order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/shard.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {

/// Version of the layout described in docs/panel-schema.md (schema::kVersion).
inline constexpr int kPanelSchemaVersion = schema::kVersion;

/// Status value of a row whose run has not finished (schema::kStatusPending).
inline constexpr std::uint8_t kStatusPending = schema::kStatusPending;

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

/// Writes a panel on one process (rank 0), holding its write lock (`<panel>.lock`) and its
/// journal (`<panel>.journal`) for the whole session. Records are buffered; flush() appends
/// them to the journal (synced) and then writes them at their rows. After any write failure
/// the writer is poisoned: every later call throws the first failure and the HDF5 file is
/// never touched again (docs/panel-schema.md "Crash consistency").
class PanelWriter {
 public:
  /// Takes the write lock (SweepUsageError naming the holder when a live process has it),
  /// then creates the journal and (truncating) `path` with every dataset sized for
  /// plan.total_runs(); the caller decides whether an existing file may be replaced. With a
  /// shard, the root attributes shard_index, shard_count and total_runs say which rows the
  /// file is meant to hold. Throws PanelError (path and cause on one line) on write failures.
  static PanelWriter create(const std::filesystem::path& path, const SweepPlan& plan, int ranks,
                            const std::optional<Shard>& shard = std::nullopt);

  /// Takes the write lock and reopens a panel for `--resume`. A panel that verifies is
  /// checked against the config and shard (SweepUsageError naming the differences), and
  /// journaled rows it lost are written into it; without a usable journal one is started
  /// from its finished rows. A panel that is missing, unreadable or fails verification is
  /// rebuilt from its journal (same config required); without one, PanelDamagedError says so.
  static PanelWriter resume(const std::filesystem::path& path, const SweepPlan& plan, int ranks,
                            const std::optional<Shard>& shard);

  PanelWriter(PanelWriter&&) noexcept;
  PanelWriter& operator=(PanelWriter&&) noexcept;
  ~PanelWriter();  ///< closes without reporting errors; call close() to see them

  /// What resume() repaired (a rebuild from the journal, journaled runs written in, a new
  /// journal, a torn tail dropped), as one sentence; empty when nothing was needed.
  const std::string& recovery() const;

  /// Rows still pending (status 255), as ascending ranges.
  std::vector<RowRange> pending_ranges() const;

  /// Buffers records; each row must be pending and given once.
  void add(std::vector<RunRecord> records);

  /// Number of records waiting for flush().
  std::size_t buffered() const;

  /// Writes buffered records (runs, timing, errors) and flushes the file to disk.
  void flush();

  /// Flushes, stamps end_time and `complete`, closes and syncs the file; with `complete`,
  /// then deletes the journal. Releases the lock. Idempotent.
  void close(bool complete);

  struct Impl;

 private:
  static std::unique_ptr<Impl> create_file(const std::filesystem::path& path, const SweepPlan& plan,
                                           int ranks, const std::optional<Shard>& shard,
                                           const std::string& start_time);
  explicit PanelWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Checks a panel before anything reads it: not being written by a live sweep (unless
/// `check_lock` is false: the caller holds the lock), readable as HDF5, root attributes
/// present and `config` matching `config_sha256`, every /cells, /runs, /timing and /errors
/// dataset of the expected length and read in full, so Fletcher32 checksums and the SHA-256
/// digests of string datasets are verified, with bounded memory and string sizes. Throws
/// PanelDamagedError naming the dataset, SweepUsageError when the file is missing, not a
/// panel or locked, PanelError on I/O errors.
void verify_panel(const std::filesystem::path& path, bool check_lock = true);

/// The HDF5 library's version, "major.minor.release".
std::string hdf5_library_version();

/// Whether the file at `path` exists (create() refuses it unless overwriting).
bool panel_exists(const std::filesystem::path& path);

/// The sweep config text stored in a panel's root attribute `config`.
std::string read_panel_config(const std::filesystem::path& path);

/// The shard a panel was written for (root attributes shard_index/shard_count), or nullopt
/// for a whole-sweep panel.
std::optional<Shard> read_panel_shard(const std::filesystem::path& path);

/// Throws SweepUsageError when `path` does not exist or is not an HDF5 file (what a command
/// that expects a panel says before verifying it).
void require_panel_file(const std::filesystem::path& path);

/// What a panel's root attributes and /runs say about it.
struct PanelInfo {
  std::string config_text;
  std::string environment;
  engine::MetricRegistry metrics;  ///< the /runs metric columns, from environment and horizons
  std::uint64_t master_seed = 0;
  std::uint64_t repetitions = 0;
  std::uint64_t cells = 0;  ///< length of the /cells datasets
  std::uint64_t rows = 0;   ///< length of the /runs datasets (every row of the sweep)
  int ranks = 0;
  bool complete = false;  ///< root attribute `complete` is 1
  std::optional<Shard> shard;
};

/// One /cells column: text for string columns, else numbers (booleans as 0/1, 255 where the
/// key does not apply to the cell; NaN for absent numbers).
struct CellColumn {
  std::string name;
  bool is_string = false;
  bool is_boolean = false;  ///< stored as uint8
  std::vector<std::string> strings;
  std::vector<double> numbers;
};

/// The contrast groups stored in /cells at creation (schema::kCellsContrastGroup and
/// kCellsIsBaseline) and the root attribute `baseline` that describes them.
struct StoredGroups {
  std::vector<ContrastGroup> groups;
  std::string baseline;  ///< "key=value, ..." of the [sweep] baseline
};

/// Reads an existing panel (a shard, or a whole panel): rows for `proteus merge` and resume,
/// cells and single columns for `proteus report`.
class PanelReader {
 public:
  /// Opens `path` read-only after verify_panel() (unless `verify` is false: the caller did);
  /// throws SweepUsageError when its schema_version is not kPanelSchemaVersion, PanelError
  /// when it is not a readable panel.
  static PanelReader open(const std::filesystem::path& path, bool verify = true);

  PanelReader(PanelReader&&) noexcept;
  PanelReader& operator=(PanelReader&&) noexcept;
  ~PanelReader();

  const PanelInfo& info() const;

  /// Rows whose status is not pending, as ascending ranges.
  std::vector<RowRange> finished_ranges() const;

  /// Rows [first, first + count) as records: status, seed, events, metrics (registry order),
  /// timing and, for failed rows, the /errors message.
  std::vector<RunRecord> read(std::uint64_t first, std::uint64_t count) const;

  /// Rows [first, first + count) of the metric column at `metric` (registry order) into `out`.
  void read_metric(std::size_t metric, std::uint64_t first, std::uint64_t count,
                   std::vector<double>& out) const;

  /// Rows [first, first + count) of /runs/status into `out`.
  void read_status(std::uint64_t first, std::uint64_t count, std::vector<std::uint8_t>& out) const;

  /// /cells/label, one per cell.
  std::vector<std::string> cell_labels() const;

  /// Names of the /cells datasets, in HDF5's name order.
  std::vector<std::string> cell_column_names() const;

  /// The /cells dataset `name` (one of cell_column_names()).
  CellColumn cell_column(const std::string& name) const;

  /// The contrast groups stored at creation, or nullopt for panels written before they were
  /// (the caller derives them from info().config_text). Throws PanelDamagedError when the
  /// stored groups are inconsistent (a group with two baselines, a group index out of range).
  std::optional<StoredGroups> stored_groups() const;

 private:
  struct Impl;
  explicit PanelReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

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
