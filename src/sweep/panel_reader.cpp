// Reading panels: the rows of /runs for merge and resume, single columns and the cell table
// for report, one stored run for `sim --from`, and the root attributes a resume checks.
// PanelReader::open and read_panel_run verify first.
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <map>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/panel_metrics.hpp"
#include "sweep/panel_schema.hpp"

namespace proteus::sweep {
namespace {

constexpr std::size_t kReadBlockRows = 1 << 20;

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

/// Reads rows [first, first + count) of a 1-D dataset into `out`, resized to `count`.
template <class T>
void read_rows(hid_t dataset, hid_t mem_type, hsize_t first, hsize_t count, std::vector<T>& out,
               std::string_view what) {
  out.resize(count);
  if (count > 0) h5::read_rows(dataset, mem_type, first, count, out.data(), what);
}

/// Length of a 1-D dataset.
hsize_t dataset_rows(hid_t dataset, std::string_view what) {
  return h5::extent(dataset, what);
}

}  // namespace

namespace format {

std::vector<RowRange> status_ranges(hid_t status, std::uint64_t total, bool pending) {
  std::vector<RowRange> ranges;
  std::vector<std::uint8_t> block;
  for (std::uint64_t first = 0; first < total; first += kReadBlockRows) {
    const hsize_t count = std::min<std::uint64_t>(kReadBlockRows, total - first);
    read_rows(status, H5T_NATIVE_UINT8, first, count, block, schema::kRunsStatus);
    for (std::uint64_t i = 0; i < count; ++i) {
      if ((block[i] == kStatusPending) != pending) continue;
      const std::uint64_t row = first + i;
      if (!ranges.empty() && ranges.back().second == row) {
        ++ranges.back().second;
      } else {
        ranges.emplace_back(row, row + 1);
      }
    }
  }
  return ranges;
}

}  // namespace format

bool panel_exists(const std::filesystem::path& path) {
  return std::filesystem::exists(path);
}

std::string read_panel_config(const std::filesystem::path& path) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
              fmt::format("open {}", path.string()));
  return h5::read_string_attr(file.get(), schema::kConfigAttr);
}

namespace {

using h5::read_scalar_attr;

/// Reads element `index` of a 1-D dataset.
template <class T>
T read_element(hid_t file, const std::string& path, hid_t mem_type, hsize_t index) {
  Handle ds = h5::open_dataset(file, path);
  T value{};
  h5::read_rows(ds.get(), mem_type, index, 1, &value, path);
  return value;
}

}  // namespace

StoredRun read_panel_run(const std::filesystem::path& path, std::uint64_t cell, std::uint64_t rep) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  verify_panel(path);
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
              fmt::format("open {}", path.string()));
  const hid_t f = file.get();
  StoredRun run;
  run.cell = cell;
  run.rep = rep;
  run.master_seed = read_scalar_attr<std::uint64_t>(f, schema::kMasterSeedAttr, H5T_NATIVE_UINT64);
  const auto repetitions =
      read_scalar_attr<std::uint64_t>(f, schema::kRepetitionsAttr, H5T_NATIVE_UINT64);
  Handle scenarios = h5::open_dataset(f, schema::kCellsScenario);
  const std::uint64_t cells = h5::extent(scenarios.get(), schema::kCellsScenario);
  if (cell >= cells || rep >= repetitions) {
    throw SweepUsageError(
        fmt::format("{} has {} cells and {} repetitions; no run (cell {}, rep {})", path.string(),
                    cells, repetitions, cell, rep));
  }
  Handle type = vlen_string_type();
  char* text = read_element<char*>(f, schema::kCellsScenario, type.get(), cell);
  run.scenario_toml = text != nullptr ? text : "";
  H5free_memory(text);
  const hsize_t row = row_of(RunId{cell, rep}, repetitions);
  run.status = read_element<std::uint8_t>(f, schema::kRunsStatus, H5T_NATIVE_UINT8, row);
  run.seed = read_element<std::uint64_t>(f, schema::kRunsSeed, H5T_NATIVE_UINT64, row);
  for (const auto& m : read_panel_metrics(f)) {
    run.metric_names.emplace_back(m.name);
    run.metrics.push_back(
        read_element<double>(f, schema::runs_column(m.name), H5T_NATIVE_DOUBLE, row));
  }
  return run;
}

namespace {

std::optional<Shard> read_shard_attrs(hid_t file) {
  if (check(H5Aexists(file, schema::kShardCountAttr), schema::kShardCountAttr) == 0)
    return std::nullopt;
  Shard shard;
  shard.index = read_scalar_attr<std::uint64_t>(file, schema::kShardIndexAttr, H5T_NATIVE_UINT64);
  shard.count = read_scalar_attr<std::uint64_t>(file, schema::kShardCountAttr, H5T_NATIVE_UINT64);
  return shard;
}

}  // namespace

std::optional<Shard> read_panel_shard(const std::filesystem::path& path) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
              fmt::format("open {}", path.string()));
  return read_shard_attrs(file.get());
}

struct PanelReader::Impl {
  Handle file;
  Handle cell, rep, seed, status, events, wall_time, rank;
  std::vector<Handle> metrics;
  PanelInfo info;
  std::map<std::uint64_t, std::string> messages;  ///< /errors by row (the last one wins)
};

PanelReader::PanelReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PanelReader::PanelReader(PanelReader&&) noexcept = default;
PanelReader& PanelReader::operator=(PanelReader&&) noexcept = default;
PanelReader::~PanelReader() = default;

PanelReader PanelReader::open(const std::filesystem::path& path, bool verify) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  if (verify) verify_panel(path);
  auto impl = std::make_unique<Impl>();
  impl->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                      fmt::format("open {}", path.string()));
  const hid_t f = impl->file.get();
  auto open = [&](const std::string& name) {
    return Handle(H5Dopen2(f, name.c_str(), H5P_DEFAULT), H5Dclose,
                  fmt::format("{}: {}", path.string(), name));
  };
  PanelInfo& info = impl->info;
  const int version = read_scalar_attr<int>(f, schema::kSchemaVersionAttr, H5T_NATIVE_INT);
  if (version != kPanelSchemaVersion) {
    throw SweepUsageError(
        fmt::format("{}: unknown panel schema_version {} (this proteus reads version {})",
                    path.string(), version, kPanelSchemaVersion));
  }
  info.config_text = h5::read_string_attr(f, schema::kConfigAttr);
  info.environment = h5::read_string_attr(f, schema::kEnvironmentAttr);
  info.metrics = read_panel_metrics(f);
  info.master_seed = read_scalar_attr<std::uint64_t>(f, schema::kMasterSeedAttr, H5T_NATIVE_UINT64);
  info.repetitions =
      read_scalar_attr<std::uint64_t>(f, schema::kRepetitionsAttr, H5T_NATIVE_UINT64);
  info.ranks = read_scalar_attr<int>(f, schema::kRanksAttr, H5T_NATIVE_INT);
  info.complete = read_scalar_attr<std::uint8_t>(f, schema::kCompleteAttr, H5T_NATIVE_UINT8) == 1;
  info.shard = read_shard_attrs(f);
  impl->cell = open(schema::kRunsCell);
  impl->rep = open(schema::kRunsRep);
  impl->seed = open(schema::kRunsSeed);
  impl->status = open(schema::kRunsStatus);
  impl->events = open(schema::kRunsEvents);
  impl->wall_time = open(schema::kTimingWallTime);
  impl->rank = open(schema::kTimingRank);
  for (const auto& m : info.metrics) impl->metrics.push_back(open(schema::runs_column(m.name)));
  info.rows = dataset_rows(impl->status.get(), schema::kRunsStatus);
  Handle labels = open(schema::kCellsLabel);
  info.cells = dataset_rows(labels.get(), schema::kCellsLabel);
  Handle err_row = open(schema::kErrorsRow);
  Handle err_message = open(schema::kErrorsMessage);
  const hsize_t errors = dataset_rows(err_row.get(), schema::kErrorsRow);
  std::vector<std::uint64_t> rows;
  read_rows(err_row.get(), H5T_NATIVE_UINT64, 0, errors, rows, schema::kErrorsRow);
  std::vector<char*> texts;
  Handle type = vlen_string_type();
  read_rows(err_message.get(), type.get(), 0, errors, texts, schema::kErrorsMessage);
  for (hsize_t i = 0; i < errors; ++i) {
    impl->messages[rows[i]] = texts[i] != nullptr ? texts[i] : "";
    H5free_memory(texts[i]);
  }
  return PanelReader(std::move(impl));
}

const PanelInfo& PanelReader::info() const {
  return impl_->info;
}

std::vector<RowRange> PanelReader::finished_ranges() const {
  return format::status_ranges(impl_->status.get(), impl_->info.rows, false);
}

std::vector<RunRecord> PanelReader::read(std::uint64_t first, std::uint64_t count) const {
  const Impl& p = *impl_;
  std::vector<std::uint8_t> status;
  std::vector<std::uint64_t> seed;
  std::vector<std::uint64_t> events;
  std::vector<double> wall_time;
  std::vector<std::int32_t> rank;
  read_rows(p.status.get(), H5T_NATIVE_UINT8, first, count, status, schema::kRunsStatus);
  read_rows(p.seed.get(), H5T_NATIVE_UINT64, first, count, seed, schema::kRunsSeed);
  read_rows(p.events.get(), H5T_NATIVE_UINT64, first, count, events, schema::kRunsEvents);
  read_rows(p.wall_time.get(), H5T_NATIVE_DOUBLE, first, count, wall_time, schema::kTimingWallTime);
  read_rows(p.rank.get(), H5T_NATIVE_INT32, first, count, rank, schema::kTimingRank);
  std::vector<RunRecord> records(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    RunRecord& r = records[i];
    r.row = first + i;
    r.status = status[i];
    r.seed = seed[i];
    r.events = events[i];
    r.wall_time_s = wall_time[i];
    r.rank = rank[i];
    r.metrics.reserve(p.metrics.size());
    if (schema::is_failure(r.status)) {
      const auto it = p.messages.find(r.row);
      if (it != p.messages.end()) r.message = it->second;
    }
  }
  std::vector<double> column;
  for (const auto& metric : p.metrics) {
    read_rows(metric.get(), H5T_NATIVE_DOUBLE, first, count, column, "runs metric");
    for (std::uint64_t i = 0; i < count; ++i) records[i].metrics.push_back(column[i]);
  }
  return records;
}

void PanelReader::read_metric(std::size_t metric, std::uint64_t first, std::uint64_t count,
                              std::vector<double>& out) const {
  const std::string name = schema::runs_column(impl_->info.metrics[metric].name);
  read_rows(impl_->metrics.at(metric).get(), H5T_NATIVE_DOUBLE, first, count, out, name);
}

void PanelReader::read_status(std::uint64_t first, std::uint64_t count,
                              std::vector<std::uint8_t>& out) const {
  read_rows(impl_->status.get(), H5T_NATIVE_UINT8, first, count, out, schema::kRunsStatus);
}

std::vector<std::string> PanelReader::cell_labels() const {
  return h5::read_strings(impl_->file.get(), schema::kCellsLabel);
}

std::vector<std::string> PanelReader::cell_column_names() const {
  Handle group(H5Gopen2(impl_->file.get(), schema::kCellsGroup, H5P_DEFAULT), H5Gclose, "/cells");
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Literate(
            group.get(), H5_INDEX_NAME, H5_ITER_INC, &index,
            [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
              static_cast<std::vector<std::string>*>(data)->emplace_back(name);
              return 0;
            },
            &names),
        "list /cells");
  return names;
}

CellColumn PanelReader::cell_column(const std::string& name) const {
  const hid_t f = impl_->file.get();
  const std::string path = schema::cells_column(name);
  CellColumn column;
  column.name = name;
  Handle ds = h5::open_dataset(f, path);
  Handle type(H5Dget_type(ds.get()), H5Tclose, path);
  if (H5Tget_class(type.get()) == H5T_STRING) {
    column.is_string = true;
    column.strings = h5::read_strings(f, path);
    return column;
  }
  read_rows(ds.get(), H5T_NATIVE_DOUBLE, 0, dataset_rows(ds.get(), path), column.numbers, path);
  column.is_boolean = H5Tget_class(type.get()) == H5T_INTEGER && H5Tget_size(type.get()) == 1;
  return column;
}

std::optional<StoredGroups> PanelReader::stored_groups() const {
  const hid_t f = impl_->file.get();
  if (check(H5Lexists(f, schema::kCellsContrastGroup, H5P_DEFAULT), schema::kCellsContrastGroup) <=
          0 ||
      !h5::has_attr(f, schema::kBaselineAttr)) {
    return std::nullopt;
  }
  const std::uint64_t cells = impl_->info.cells;
  std::vector<std::uint32_t> group_of;
  std::vector<std::uint8_t> is_baseline;
  Handle group_ds = h5::open_dataset(f, schema::kCellsContrastGroup);
  Handle baseline_ds = h5::open_dataset(f, schema::kCellsIsBaseline);
  read_rows(group_ds.get(), H5T_NATIVE_UINT32, 0, cells, group_of, schema::kCellsContrastGroup);
  read_rows(baseline_ds.get(), H5T_NATIVE_UINT8, 0, cells, is_baseline, schema::kCellsIsBaseline);
  StoredGroups stored;
  stored.baseline = h5::read_string_attr(f, schema::kBaselineAttr);
  // Group numbers follow contrast_groups() order (which decides the order of report notes);
  // members come out ascending because cells are visited in order.
  std::uint32_t count = 0;
  for (std::uint32_t g : group_of) count = std::max(count, g + 1);
  if (count > cells) {
    throw PanelDamagedError(fmt::format("{} numbers {} groups for {} cells",
                                        schema::kCellsContrastGroup, count, cells));
  }
  stored.groups.resize(count);
  for (std::uint64_t c = 0; c < cells; ++c) {
    ContrastGroup& group = stored.groups[group_of[c]];
    group.members.push_back(c);
    if (is_baseline[c] == 0) continue;
    if (group.baseline != kNotApplicable) {
      throw PanelDamagedError(fmt::format("{}: cells {} and {} are baselines of one group",
                                          schema::kCellsIsBaseline, group.baseline, c));
    }
    group.baseline = c;
  }
  for (const auto& group : stored.groups) {
    if (group.members.empty()) {
      throw PanelDamagedError(fmt::format("{} skips a group number", schema::kCellsContrastGroup));
    }
  }
  return stored;
}

void require_panel_file(const std::filesystem::path& path) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  if (!std::filesystem::exists(path)) {
    throw SweepUsageError(fmt::format("{}: no such file", path.string()));
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw SweepUsageError(fmt::format("{}: not a panel (not an HDF5 file)", path.string()));
  }
}

engine::MetricRegistry read_panel_metrics(hid_t file) {
  const std::string environment = h5::read_string_attr(file, schema::kEnvironmentAttr);
  if (!h5::has_attr(file, schema::kAsHorizonsAttr)) {
    return engine::metric_registry(environment, kLegacyHorizonsMs);
  }
  // A registry has one column per horizon: a count beyond any config's is damage.
  constexpr std::size_t kMaxHorizons = 4096;
  return engine::metric_registry(
      environment, h5::read_doubles_attr(file, schema::kAsHorizonsAttr, kMaxHorizons));
}

std::string hdf5_library_version() {
  unsigned major = 0;
  unsigned minor = 0;
  unsigned release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return fmt::format("{}.{}.{}", major, minor, release);
}

}  // namespace proteus::sweep
