// Reading panels: the rows of /runs for merge and resume, one stored run for `sim --from`,
// and the root attributes a resume checks. PanelReader::open and read_panel_run verify first.
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

namespace proteus::sweep {
namespace {

constexpr std::size_t kReadBlockRows = 1 << 20;

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

/// Reads rows [first, first + count) of a 1-D dataset into `out`.
template <class T>
void read_rows(hid_t dataset, hid_t mem_type, hsize_t first, hsize_t count, std::vector<T>& out,
               std::string_view what) {
  out.resize(count);
  if (count == 0) return;
  Handle file_space(H5Dget_space(dataset), H5Sclose, what);
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr),
        what);
  Handle mem_space(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  check(H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()),
        what);
}

/// Length of a 1-D dataset.
hsize_t dataset_rows(hid_t dataset, std::string_view what) {
  Handle space(H5Dget_space(dataset), H5Sclose, what);
  hsize_t size = 0;
  check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), what);
  return size;
}

}  // namespace

namespace format {

std::vector<RowRange> status_ranges(hid_t status, std::uint64_t total, bool pending) {
  std::vector<RowRange> ranges;
  std::vector<std::uint8_t> block;
  for (std::uint64_t first = 0; first < total; first += kReadBlockRows) {
    const hsize_t count = std::min<std::uint64_t>(kReadBlockRows, total - first);
    block.resize(count);
    Handle file_space(H5Dget_space(status), H5Sclose, "runs/status");
    const hsize_t start = first;
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
          "runs/status");
    Handle mem_space(H5Screate_simple(1, &count, nullptr), H5Sclose, "runs/status");
    check(H5Dread(status, H5T_NATIVE_UINT8, mem_space.get(), file_space.get(), H5P_DEFAULT,
                  block.data()),
          "read runs/status");
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
  return h5::read_string_attr(file.get(), "config");
}

namespace {

template <class T>
T read_scalar_attr(hid_t obj, const char* name, hid_t type) {
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, name);
  T value{};
  check(H5Aread(attr.get(), type, &value), name);
  return value;
}

/// Reads element `index` of a 1-D dataset.
template <class T>
T read_element(hid_t file, const std::string& path, hid_t mem_type, hsize_t index) {
  Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, path);
  Handle space(H5Dget_space(ds.get()), H5Sclose, path);
  const hsize_t one = 1;
  check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &index, nullptr, &one, nullptr), path);
  Handle mem(H5Screate_simple(1, &one, nullptr), H5Sclose, path);
  T value{};
  check(H5Dread(ds.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, &value), path);
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
  run.master_seed = read_scalar_attr<std::uint64_t>(f, "master_seed", H5T_NATIVE_UINT64);
  const auto repetitions = read_scalar_attr<std::uint64_t>(f, "repetitions", H5T_NATIVE_UINT64);
  Handle scenarios(H5Dopen2(f, "cells/scenario", H5P_DEFAULT), H5Dclose, "cells/scenario");
  Handle space(H5Dget_space(scenarios.get()), H5Sclose, "cells/scenario");
  hsize_t cells = 0;
  check(H5Sget_simple_extent_dims(space.get(), &cells, nullptr), "cells/scenario");
  if (cell >= cells || rep >= repetitions) {
    throw SweepUsageError(
        fmt::format("{} has {} cells and {} repetitions; no run (cell {}, rep {})", path.string(),
                    cells, repetitions, cell, rep));
  }
  Handle type = vlen_string_type();
  char* text = read_element<char*>(f, "cells/scenario", type.get(), cell);
  run.scenario_toml = text != nullptr ? text : "";
  H5free_memory(text);
  const hsize_t row = row_of(RunId{cell, rep}, repetitions);
  run.status = read_element<std::uint8_t>(f, "runs/status", H5T_NATIVE_UINT8, row);
  run.seed = read_element<std::uint64_t>(f, "runs/seed", H5T_NATIVE_UINT64, row);
  for (const auto& m : read_panel_metrics(f)) {
    run.metric_names.emplace_back(m.name);
    run.metrics.push_back(
        read_element<double>(f, fmt::format("runs/{}", m.name), H5T_NATIVE_DOUBLE, row));
  }
  return run;
}

namespace {

std::optional<Shard> read_shard_attrs(hid_t file) {
  if (check(H5Aexists(file, "shard_count"), "shard_count") == 0) return std::nullopt;
  Shard shard;
  shard.index = read_scalar_attr<std::uint64_t>(file, "shard_index", H5T_NATIVE_UINT64);
  shard.count = read_scalar_attr<std::uint64_t>(file, "shard_count", H5T_NATIVE_UINT64);
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
  info.config_text = h5::read_string_attr(f, "config");
  info.environment = h5::read_string_attr(f, "environment");
  info.repetitions = read_scalar_attr<std::uint64_t>(f, "repetitions", H5T_NATIVE_UINT64);
  info.ranks = read_scalar_attr<int>(f, "ranks", H5T_NATIVE_INT);
  info.shard = read_shard_attrs(f);
  impl->cell = open("runs/cell");
  impl->rep = open("runs/rep");
  impl->seed = open("runs/seed");
  impl->status = open("runs/status");
  impl->events = open("runs/events");
  impl->wall_time = open("timing/wall_time_s");
  impl->rank = open("timing/rank");
  for (const auto& m : read_panel_metrics(f)) {
    impl->metrics.push_back(open(fmt::format("runs/{}", m.name)));
  }
  info.rows = dataset_rows(impl->status.get(), "runs/status");
  Handle err_row = open("errors/row");
  Handle err_message = open("errors/message");
  const hsize_t errors = dataset_rows(err_row.get(), "errors/row");
  std::vector<std::uint64_t> rows;
  read_rows(err_row.get(), H5T_NATIVE_UINT64, 0, errors, rows, "errors/row");
  std::vector<char*> texts;
  Handle type = vlen_string_type();
  read_rows(err_message.get(), type.get(), 0, errors, texts, "errors/message");
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
  read_rows(p.status.get(), H5T_NATIVE_UINT8, first, count, status, "runs/status");
  read_rows(p.seed.get(), H5T_NATIVE_UINT64, first, count, seed, "runs/seed");
  read_rows(p.events.get(), H5T_NATIVE_UINT64, first, count, events, "runs/events");
  read_rows(p.wall_time.get(), H5T_NATIVE_DOUBLE, first, count, wall_time, "timing/wall_time_s");
  read_rows(p.rank.get(), H5T_NATIVE_INT32, first, count, rank, "timing/rank");
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
    if (r.status != 0 && r.status != kStatusPending) {
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

engine::MetricRegistry read_panel_metrics(hid_t file) {
  const std::string environment = h5::read_string_attr(file, "environment");
  if (!h5::has_attr(file, "as_horizons_ms")) {
    return engine::metric_registry(environment, kLegacyHorizonsMs);
  }
  // A registry has one column per horizon: a count beyond any config's is damage.
  constexpr std::size_t kMaxHorizons = 4096;
  return engine::metric_registry(environment,
                                 h5::read_doubles_attr(file, "as_horizons_ms", kMaxHorizons));
}

}  // namespace proteus::sweep
