// HDF5 panel writer: RAII handles over the C API, every call checked with the library's
// own error text, pre-sized chunked columns written by hyperslab at their row index.
#include "sweep/panel.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include "engine/metrics_registry.hpp"
#include "proteus/version.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel_metrics.hpp"
#include "sweep/sha256.hpp"

namespace proteus::sweep {
namespace {

constexpr hsize_t kChunkRows = 8192;
constexpr hsize_t kErrorChunkRows = 256;
constexpr std::size_t kReadBlockRows = 1 << 20;

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

template <class T>
void set_attr_number(hid_t obj, const char* name, hid_t type, T value) {
  if (check(H5Aexists(obj, name), name) > 0) check(H5Adelete(obj, name), name);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  Handle attr(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
  check(H5Awrite(attr.get(), type, &value), name);
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// A pre-sized, extendable, chunked, shuffled and deflated 1-D column.
template <class T>
Handle create_column(hid_t group, const std::string& name, hid_t type, hsize_t rows, T fill) {
  const hsize_t max_rows = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &rows, &max_rows), H5Sclose, name);
  Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name);
  const hsize_t chunk = std::max<hsize_t>(1, std::min(rows, kChunkRows));
  check(H5Pset_chunk(props.get(), 1, &chunk), name);
  check(H5Pset_shuffle(props.get()), name);
  check(H5Pset_deflate(props.get(), 4), name);
  check(H5Pset_fill_value(props.get(), type, &fill), name);
  return Handle(
      H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
      H5Dclose, name);
}

/// Writes `values` at rows [first, first + size) of a 1-D dataset.
void write_rows(hid_t dataset, hid_t mem_type, hsize_t first, hsize_t count, const void* values,
                std::string_view what) {
  Handle file_space(H5Dget_space(dataset), H5Sclose, what);
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr),
        what);
  Handle mem_space(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, values), what);
}

/// Appends `count` rows to an extendable 1-D dataset.
void append_rows(hid_t dataset, hid_t mem_type, hsize_t count, const void* values,
                 std::string_view what) {
  Handle space(H5Dget_space(dataset), H5Sclose, what);
  hsize_t size = 0;
  check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), what);
  const hsize_t new_size = size + count;
  check(H5Dset_extent(dataset, &new_size), what);
  write_rows(dataset, mem_type, size, count, values, what);
}

void write_strings(hid_t group, const std::string& name, const std::vector<std::string>& values) {
  Handle type = vlen_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle ds(H5Dcreate2(group, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT),
            H5Dclose, name);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0)
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
}

template <class T>
void write_numbers(hid_t group, const std::string& name, hid_t type, const std::vector<T>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle ds(
      H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, name);
  if (n > 0) check(H5Dwrite(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), name);
}

/// /cells: one row per cell, one dataset per swept key plus label, mechanism and scenario.
void write_cells(hid_t file, const SweepPlan& plan) {
  Handle group(H5Gcreate2(file, "cells", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
               "/cells");
  std::vector<std::string> labels;
  std::vector<std::string> mechanisms;
  std::vector<std::string> scenarios;
  for (const auto& cell : plan.cells) {
    labels.push_back(cell.label);
    mechanisms.push_back(cell.mechanism);
    scenarios.push_back(cell.scenario_toml);
  }
  write_strings(group.get(), "label", labels);
  write_strings(group.get(), "mechanism", mechanisms);
  write_strings(group.get(), "scenario", scenarios);
  for (const auto& axis : plan.axes) {
    for (std::size_t k = 0; k < axis.keys.size(); ++k) {
      const std::string& key = axis.keys[k];
      bool strings = false;
      bool bools = true;
      for (const auto& point : axis.points) {
        strings = strings || std::holds_alternative<std::string>(point[k]);
        bools = bools && std::holds_alternative<bool>(point[k]);
      }
      auto value_of = [&](const Cell& cell) -> const AxisValue* {
        for (const auto& s : cell.settings) {
          if (s.key == key) return &s.value;
        }
        return nullptr;
      };
      if (strings) {
        std::vector<std::string> col;
        for (const auto& cell : plan.cells) {
          const AxisValue* v = value_of(cell);
          col.push_back(v != nullptr ? to_text(*v) : "");
        }
        write_strings(group.get(), key, col);
      } else if (bools) {
        std::vector<std::uint8_t> col;
        for (const auto& cell : plan.cells) {
          const AxisValue* v = value_of(cell);
          col.push_back(v != nullptr ? std::get<bool>(*v) : std::uint8_t{255});
        }
        write_numbers(group.get(), key, H5T_NATIVE_UINT8, col);
      } else {
        std::vector<double> col;
        for (const auto& cell : plan.cells) {
          const AxisValue* v = value_of(cell);
          if (v == nullptr) {
            col.push_back(std::numeric_limits<double>::quiet_NaN());
          } else if (const auto* i = std::get_if<std::int64_t>(v)) {
            col.push_back(static_cast<double>(*i));
          } else {
            col.push_back(std::get<double>(*v));
          }
        }
        write_numbers(group.get(), key, H5T_NATIVE_DOUBLE, col);
      }
    }
  }
}

/// Rows whose /runs/status is pending (or, with pending = false, finished), as ascending
/// ranges; reads the column in blocks so memory stays flat.
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

struct PanelWriter::Impl {
  Handle file;
  Handle string_type;
  // /runs
  Handle cell, rep, seed, status, events;
  std::vector<Handle> metrics;
  // /timing
  Handle wall_time, rank;
  // /errors
  Handle err_row, err_cell, err_rep, err_status, err_message;
  std::uint64_t repetitions = 1;
  std::uint64_t total = 0;
  std::vector<RunRecord> buffer;
  bool closed = false;

  void open_datasets(std::size_t metric_count, std::span<const engine::MetricInfo> registry) {
    auto open = [&](const std::string& path) {
      return Handle(H5Dopen2(file.get(), path.c_str(), H5P_DEFAULT), H5Dclose, path);
    };
    cell = open("runs/cell");
    rep = open("runs/rep");
    seed = open("runs/seed");
    status = open("runs/status");
    events = open("runs/events");
    metrics.clear();
    for (std::size_t m = 0; m < metric_count; ++m) {
      metrics.push_back(open(fmt::format("runs/{}", registry[m].name)));
    }
    wall_time = open("timing/wall_time_s");
    rank = open("timing/rank");
    err_row = open("errors/row");
    err_cell = open("errors/cell");
    err_rep = open("errors/rep");
    err_status = open("errors/status");
    err_message = open("errors/message");
  }
};

PanelWriter::PanelWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PanelWriter::PanelWriter(PanelWriter&&) noexcept = default;
PanelWriter& PanelWriter::operator=(PanelWriter&&) noexcept = default;
PanelWriter::~PanelWriter() = default;

PanelWriter PanelWriter::create(const std::filesystem::path& path, const SweepPlan& plan, int ranks,
                                const std::optional<Shard>& shard) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  auto impl = std::make_unique<Impl>();
  impl->repetitions = plan.repetitions;
  impl->total = plan.total_runs();
  impl->file = Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                      fmt::format("create {}", path.string()));
  const hid_t f = impl->file.get();
  set_attr_number(f, "schema_version", H5T_NATIVE_INT, kPanelSchemaVersion);
  h5::set_string_attr(f, "sweep_name", plan.name);
  h5::set_string_attr(f, "config", plan.config_text);
  h5::set_string_attr(f, "config_sha256", sha256_hex(plan.config_text));
  h5::set_string_attr(f, "proteus_version", kVersion);
  h5::set_string_attr(f, "git_commit", kGitCommit);
  h5::set_string_attr(f, "environment", plan.environment);
  set_attr_number(f, "master_seed", H5T_NATIVE_UINT64, plan.master_seed);
  set_attr_number(f, "repetitions", H5T_NATIVE_UINT64, plan.repetitions);
  set_attr_number(f, "ranks", H5T_NATIVE_INT, ranks);
  h5::set_string_attr(f, "start_time", utc_now());
  h5::set_string_attr(f, "end_time", "");
  set_attr_number(f, "complete", H5T_NATIVE_UINT8, std::uint8_t{0});
  if (shard) {
    set_attr_number(f, "shard_index", H5T_NATIVE_UINT64, shard->index);
    set_attr_number(f, "shard_count", H5T_NATIVE_UINT64, shard->count);
    set_attr_number(f, "total_runs", H5T_NATIVE_UINT64, plan.total_runs());
  }

  write_cells(f, plan);

  const hsize_t rows = impl->total;
  const engine::MetricRegistry& registry = plan.metrics;
  h5::set_doubles_attr(f, "as_horizons_ms", plan.as_horizons_ms);
  {
    Handle runs(H5Gcreate2(f, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "/runs");
    const hid_t g = runs.get();
    create_column(g, "cell", H5T_STD_U32LE, rows, std::uint32_t{0});
    create_column(g, "rep", H5T_STD_U32LE, rows, std::uint32_t{0});
    create_column(g, "seed", H5T_STD_U64LE, rows, std::uint64_t{0});
    Handle st = create_column(g, "status", H5T_STD_U8LE, rows, kStatusPending);
    h5::set_string_attr(st.get(), "meanings",
                        "0=ok 1=invariant_violation 2=error 255=pending (not run yet)");
    Handle ev = create_column(g, "events", H5T_STD_U64LE, rows, std::uint64_t{0});
    h5::set_string_attr(ev.get(), "units", "count");
    h5::set_string_attr(ev.get(), "description", "events processed by the run");
    for (const auto& m : registry) {
      Handle ds = create_column(g, std::string(m.name), H5T_IEEE_F64LE, rows,
                                std::numeric_limits<double>::quiet_NaN());
      h5::set_string_attr(ds.get(), "units", std::string(m.units));
      h5::set_string_attr(ds.get(), "description", std::string(m.description));
    }
  }
  {
    Handle timing(H5Gcreate2(f, "timing", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "/timing");
    Handle wall = create_column(timing.get(), "wall_time_s", H5T_IEEE_F64LE, rows,
                                std::numeric_limits<double>::quiet_NaN());
    h5::set_string_attr(wall.get(), "units", "s");
    h5::set_string_attr(wall.get(), "description",
                        "wall-clock time of the run (not deterministic)");
    create_column(timing.get(), "rank", H5T_STD_I32LE, rows, std::int32_t{-1});
  }
  {
    Handle errors(H5Gcreate2(f, "errors", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "/errors");
    const hid_t g = errors.get();
    create_column(g, "row", H5T_STD_U64LE, 0, std::uint64_t{0});
    create_column(g, "cell", H5T_STD_U32LE, 0, std::uint32_t{0});
    create_column(g, "rep", H5T_STD_U32LE, 0, std::uint32_t{0});
    create_column(g, "status", H5T_STD_U8LE, 0, std::uint8_t{0});
    Handle type = vlen_string_type();
    const hsize_t zero = 0;
    const hsize_t unlimited = H5S_UNLIMITED;
    Handle space(H5Screate_simple(1, &zero, &unlimited), H5Sclose, "errors/message");
    Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "errors/message");
    check(H5Pset_chunk(props.get(), 1, &kErrorChunkRows), "errors/message");
    Handle(H5Dcreate2(g, "message", type.get(), space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
           H5Dclose, "errors/message");
  }
  impl->string_type = vlen_string_type();
  impl->open_datasets(registry.size(), registry);
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
  return PanelWriter(std::move(impl));
}

PanelWriter PanelWriter::reopen(const std::filesystem::path& path, const SweepPlan& plan,
                                int ranks) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  auto impl = std::make_unique<Impl>();
  impl->repetitions = plan.repetitions;
  impl->total = plan.total_runs();
  impl->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose,
                      fmt::format("open {}", path.string()));
  const engine::MetricRegistry& registry = plan.metrics;
  impl->string_type = vlen_string_type();
  impl->open_datasets(registry.size(), registry);
  set_attr_number(impl->file.get(), "ranks", H5T_NATIVE_INT, ranks);
  h5::set_string_attr(impl->file.get(), "resumed_time", utc_now());
  return PanelWriter(std::move(impl));
}

std::vector<RowRange> PanelWriter::pending_ranges() const {
  return status_ranges(impl_->status.get(), impl_->total, true);
}

void PanelWriter::add(std::vector<RunRecord> records) {
  for (auto& r : records) impl_->buffer.push_back(std::move(r));
}

std::size_t PanelWriter::buffered() const {
  return impl_->buffer.size();
}

void PanelWriter::flush() {
  Impl& p = *impl_;
  auto& buf = p.buffer;
  std::sort(buf.begin(), buf.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.row < b.row; });
  // Contiguous rows are written with one hyperslab per column.
  std::vector<std::uint32_t> u32;
  std::vector<std::uint64_t> u64;
  std::vector<std::uint8_t> u8;
  std::vector<double> f64;
  std::vector<std::int32_t> i32;
  for (std::size_t begin = 0; begin < buf.size();) {
    std::size_t end = begin + 1;
    while (end < buf.size() && buf[end].row == buf[end - 1].row + 1) ++end;
    const hsize_t first = buf[begin].row;
    const hsize_t count = end - begin;
    auto column = [&](auto& vec, auto&& get) {
      vec.clear();
      for (std::size_t i = begin; i < end; ++i) vec.push_back(get(buf[i]));
    };
    column(u32,
           [&](const RunRecord& r) { return static_cast<std::uint32_t>(r.row / p.repetitions); });
    write_rows(p.cell.get(), H5T_NATIVE_UINT32, first, count, u32.data(), "runs/cell");
    column(u32,
           [&](const RunRecord& r) { return static_cast<std::uint32_t>(r.row % p.repetitions); });
    write_rows(p.rep.get(), H5T_NATIVE_UINT32, first, count, u32.data(), "runs/rep");
    column(u64, [](const RunRecord& r) { return r.seed; });
    write_rows(p.seed.get(), H5T_NATIVE_UINT64, first, count, u64.data(), "runs/seed");
    column(u64, [](const RunRecord& r) { return r.events; });
    write_rows(p.events.get(), H5T_NATIVE_UINT64, first, count, u64.data(), "runs/events");
    for (std::size_t m = 0; m < p.metrics.size(); ++m) {
      column(f64, [m](const RunRecord& r) {
        return m < r.metrics.size() ? r.metrics[m] : std::numeric_limits<double>::quiet_NaN();
      });
      write_rows(p.metrics[m].get(), H5T_NATIVE_DOUBLE, first, count, f64.data(), "runs metric");
    }
    column(f64, [](const RunRecord& r) { return r.wall_time_s; });
    write_rows(p.wall_time.get(), H5T_NATIVE_DOUBLE, first, count, f64.data(),
               "timing/wall_time_s");
    column(i32, [](const RunRecord& r) { return r.rank; });
    write_rows(p.rank.get(), H5T_NATIVE_INT32, first, count, i32.data(), "timing/rank");
    // Status last: a row counts as done only once its values are in.
    column(u8, [](const RunRecord& r) { return r.status; });
    write_rows(p.status.get(), H5T_NATIVE_UINT8, first, count, u8.data(), "runs/status");
    begin = end;
  }
  for (const auto& r : buf) {
    if (r.status == 0) continue;
    const std::uint32_t cell = static_cast<std::uint32_t>(r.row / p.repetitions);
    const std::uint32_t rep = static_cast<std::uint32_t>(r.row % p.repetitions);
    const char* message = r.message.c_str();
    append_rows(p.err_row.get(), H5T_NATIVE_UINT64, 1, &r.row, "errors/row");
    append_rows(p.err_cell.get(), H5T_NATIVE_UINT32, 1, &cell, "errors/cell");
    append_rows(p.err_rep.get(), H5T_NATIVE_UINT32, 1, &rep, "errors/rep");
    append_rows(p.err_status.get(), H5T_NATIVE_UINT8, 1, &r.status, "errors/status");
    append_rows(p.err_message.get(), p.string_type.get(), 1, &message, "errors/message");
  }
  buf.clear();
  buf.shrink_to_fit();
  check(H5Fflush(p.file.get(), H5F_SCOPE_GLOBAL), "flush");
}

void PanelWriter::close(bool complete) {
  if (impl_ == nullptr || impl_->closed) return;
  flush();
  h5::set_string_attr(impl_->file.get(), "end_time", utc_now());
  set_attr_number(impl_->file.get(), "complete", H5T_NATIVE_UINT8,
                  static_cast<std::uint8_t>(complete ? 1 : 0));
  Impl& p = *impl_;
  for (Handle* h : {&p.cell, &p.rep, &p.seed, &p.status, &p.events, &p.wall_time, &p.rank,
                    &p.err_row, &p.err_cell, &p.err_rep, &p.err_status, &p.err_message}) {
    h->close();
  }
  for (auto& h : p.metrics) h.close();
  p.string_type.close();
  p.file.close();
  p.closed = true;
}

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

PanelReader PanelReader::open(const std::filesystem::path& path) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
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
  return status_ranges(impl_->status.get(), impl_->info.rows, false);
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

}  // namespace proteus::sweep
