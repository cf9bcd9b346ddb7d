// HDF5 panel writer: RAII handles over the C API, every call checked with the library's
// own error text, pre-sized chunked columns written by hyperslab at their row index.
#include "sweep/panel.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>

#include "engine/metrics_registry.hpp"
#include "proteus/version.hpp"
#include "sweep/errors.hpp"
#include "sweep/fault_points.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/sha256.hpp"
#include "sweep/write_lock.hpp"

namespace proteus::sweep {
namespace {

constexpr hsize_t kChunkRows = 8192;
constexpr hsize_t kErrorChunkRows = 256;

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

// HDF5 must not close (and so flush into) files left open at exit: a writer whose file
// failed gives up its handles on purpose, and HDF5's own clean-up of such a file crashed.
[[maybe_unused]] const herr_t kNoAtExit = H5dont_atexit();

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
  check(H5Pset_fletcher32(props.get()), name);
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

/// Dataset creation properties of a fixed-size numeric /cells column: chunked so that
/// Fletcher32 applies (contiguous datasets cannot be filtered).
Handle fixed_column_props(hsize_t n, const std::string& name) {
  Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name);
  const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(n, kChunkRows));
  check(H5Pset_chunk(props.get(), 1, &chunk), name);
  check(H5Pset_fletcher32(props.get()), name);
  return props;
}

void write_strings(hid_t group, const std::string& name, const std::vector<std::string>& values) {
  Handle type = vlen_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  // HDF5 1.10 filters no variable-length data ("not suitable for filters"): the SHA-256
  // attribute covers these datasets instead.
  Handle ds(H5Dcreate2(group, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT),
            H5Dclose, name);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0)
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), name);
  h5::set_string_attr(ds.get(), format::kDigestAttr, format::strings_digest(values));
}

template <class T>
void write_numbers(hid_t group, const std::string& name, hid_t type, const std::vector<T>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle props = fixed_column_props(n, name);
  Handle ds(
      H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
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

}  // namespace

struct PanelWriter::Impl {
  std::filesystem::path path;
  std::optional<WriteLock> lock;
  std::optional<Journal> journal;
  Handle file;
  Handle string_type;
  // /runs
  Handle cell, rep, seed, status, events;
  std::vector<Handle> metrics;
  // /timing
  Handle wall_time, rank;
  // /errors
  Handle err_row, err_cell, err_rep, err_status, err_message;
  std::vector<std::string> error_messages;  ///< every /errors/message, for its digest
  std::uint64_t repetitions = 1;
  std::uint64_t total = 0;
  std::vector<RunRecord> buffer;
  bool closed = false;
  std::string poisoned;  ///< the first write failure; no HDF5 call on the file after it
  std::string recovery;  ///< what resume() repaired, for the user

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (!poisoned.empty()) abandon();
  }

  void open_datasets(std::size_t metric_count, std::span<const engine::MetricInfo> registry) {
    auto open = [&](const std::string& name) {
      return Handle(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, name);
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

  std::vector<Handle*> handles() {
    std::vector<Handle*> out = {&cell,       &rep,         &seed,       &status,   &events,
                                &wall_time,  &rank,        &err_row,    &err_cell, &err_rep,
                                &err_status, &err_message, &string_type};
    for (auto& h : metrics) out.push_back(&h);
    return out;
  }

  /// Gives up every HDF5 handle without closing it: a failed file is never touched again.
  void abandon() noexcept {
    for (Handle* h : handles()) h->release();
    file.release();
  }

  /// Writes `records` (sorted by row, each row once) at their rows, without journaling.
  void write_hdf5(const std::vector<RunRecord>& buf) {
    // Contiguous rows are written with one hyperslab per column.
    std::vector<std::uint32_t> u32;
    std::vector<std::uint64_t> u64;
    std::vector<std::uint8_t> u8;
    std::vector<double> f64;
    std::vector<std::int32_t> i32;
    auto write = [&](hid_t ds, hid_t type, hsize_t first, hsize_t count, const void* data,
                     std::string_view what) {
      if (inject_failure(fault_point::kHdf5Write)) {
        throw PanelError(
            fmt::format("HDF5: {}: {} (errno {}) (injected)", what, std::strerror(ENOSPC), ENOSPC));
      }
      write_rows(ds, type, first, count, data, what);
      reach(fault_point::kHdf5BetweenDatasets);
    };
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
             [&](const RunRecord& r) { return static_cast<std::uint32_t>(r.row / repetitions); });
      write(cell.get(), H5T_NATIVE_UINT32, first, count, u32.data(), "runs/cell");
      column(u32,
             [&](const RunRecord& r) { return static_cast<std::uint32_t>(r.row % repetitions); });
      write(rep.get(), H5T_NATIVE_UINT32, first, count, u32.data(), "runs/rep");
      column(u64, [](const RunRecord& r) { return r.seed; });
      write(seed.get(), H5T_NATIVE_UINT64, first, count, u64.data(), "runs/seed");
      column(u64, [](const RunRecord& r) { return r.events; });
      write(events.get(), H5T_NATIVE_UINT64, first, count, u64.data(), "runs/events");
      for (std::size_t m = 0; m < metrics.size(); ++m) {
        column(f64, [m](const RunRecord& r) {
          return m < r.metrics.size() ? r.metrics[m] : std::numeric_limits<double>::quiet_NaN();
        });
        write(metrics[m].get(), H5T_NATIVE_DOUBLE, first, count, f64.data(), "runs metric");
      }
      column(f64, [](const RunRecord& r) { return r.wall_time_s; });
      write(wall_time.get(), H5T_NATIVE_DOUBLE, first, count, f64.data(), "timing/wall_time_s");
      column(i32, [](const RunRecord& r) { return r.rank; });
      write(rank.get(), H5T_NATIVE_INT32, first, count, i32.data(), "timing/rank");
      // Status last: a row counts as done only once its values are in.
      column(u8, [](const RunRecord& r) { return r.status; });
      write(status.get(), H5T_NATIVE_UINT8, first, count, u8.data(), "runs/status");
      begin = end;
    }
    bool new_errors = false;
    for (const auto& r : buf) {
      if (r.status == 0) continue;
      const std::uint32_t c = static_cast<std::uint32_t>(r.row / repetitions);
      const std::uint32_t e = static_cast<std::uint32_t>(r.row % repetitions);
      const char* message = r.message.c_str();
      append_rows(err_row.get(), H5T_NATIVE_UINT64, 1, &r.row, "errors/row");
      append_rows(err_cell.get(), H5T_NATIVE_UINT32, 1, &c, "errors/cell");
      append_rows(err_rep.get(), H5T_NATIVE_UINT32, 1, &e, "errors/rep");
      append_rows(err_status.get(), H5T_NATIVE_UINT8, 1, &r.status, "errors/status");
      append_rows(err_message.get(), string_type.get(), 1, &message, "errors/message");
      error_messages.push_back(r.message);
      new_errors = true;
    }
    if (new_errors) {
      h5::set_string_attr(err_message.get(), format::kDigestAttr,
                          format::strings_digest(error_messages));
    }
    reach(fault_point::kHdf5BeforeFlush);
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush");
    reach(fault_point::kHdf5AfterFlush);
  }

  /// Runs `step`; a failure poisons the writer (no more HDF5 calls on this file) and is
  /// rethrown with the panel's path.
  template <class F>
  void guarded(F&& step) {
    if (!poisoned.empty()) throw PanelError(poisoned);
    try {
      step();
    } catch (const std::exception& e) {
      poisoned = fmt::format("{}: {}", path.string(), e.what());
      throw PanelError(poisoned);
    }
  }
};

PanelWriter::PanelWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PanelWriter::PanelWriter(PanelWriter&&) noexcept = default;
PanelWriter& PanelWriter::operator=(PanelWriter&&) noexcept = default;
PanelWriter::~PanelWriter() = default;

PanelWriter PanelWriter::create(const std::filesystem::path& path, const SweepPlan& plan, int ranks,
                                const std::optional<Shard>& shard) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  // The lock comes first: nothing is truncated while another writer holds the panel.
  WriteLock lock = WriteLock::acquire(path, "proteus writing this panel");
  JournalHeader header;
  header.config_text = plan.config_text;
  header.shard = shard;
  header.metric_count =
      static_cast<std::uint32_t>(engine::metric_registry(plan.environment).size());
  header.start_time = utc_now();
  Journal journal = Journal::create(journal_path(path), header);
  auto impl = create_file(path, plan, ranks, shard, header.start_time);
  impl->lock.emplace(std::move(lock));
  impl->journal.emplace(std::move(journal));
  return PanelWriter(std::move(impl));
}

std::unique_ptr<PanelWriter::Impl> PanelWriter::create_file(const std::filesystem::path& file_path,
                                                            const SweepPlan& plan, int ranks,
                                                            const std::optional<Shard>& shard,
                                                            const std::string& start_time) {
  auto impl = std::make_unique<Impl>();
  impl->path = file_path;
  impl->repetitions = plan.repetitions;
  impl->total = plan.total_runs();
  Handle access = format::file_access();
  impl->file = Handle(H5Fcreate(file_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()),
                      H5Fclose, fmt::format("create {}", file_path.string()));
  const hid_t f = impl->file.get();
  set_attr_number(f, "schema_version", H5T_NATIVE_INT, kPanelSchemaVersion);
  set_attr_number(f, format::kChecksumsAttr, H5T_NATIVE_UINT8, std::uint8_t{1});
  h5::set_string_attr(f, "sweep_name", plan.name);
  h5::set_string_attr(f, "config", plan.config_text);
  h5::set_string_attr(f, "config_sha256", sha256_hex(plan.config_text));
  h5::set_string_attr(f, "proteus_version", kVersion);
  h5::set_string_attr(f, "git_commit", kGitCommit);
  h5::set_string_attr(f, "environment", plan.environment);
  set_attr_number(f, "master_seed", H5T_NATIVE_UINT64, plan.master_seed);
  set_attr_number(f, "repetitions", H5T_NATIVE_UINT64, plan.repetitions);
  set_attr_number(f, "ranks", H5T_NATIVE_INT, ranks);
  h5::set_string_attr(f, "start_time", start_time);
  h5::set_string_attr(f, "end_time", "");
  set_attr_number(f, "complete", H5T_NATIVE_UINT8, std::uint8_t{0});
  if (shard) {
    set_attr_number(f, "shard_index", H5T_NATIVE_UINT64, shard->index);
    set_attr_number(f, "shard_count", H5T_NATIVE_UINT64, shard->count);
    set_attr_number(f, "total_runs", H5T_NATIVE_UINT64, plan.total_runs());
  }

  write_cells(f, plan);

  const hsize_t rows = impl->total;
  const auto registry = engine::metric_registry(plan.environment);
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
    Handle message(
        H5Dcreate2(g, "message", type.get(), space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
        H5Dclose, "errors/message");
    h5::set_string_attr(message.get(), format::kDigestAttr, format::strings_digest({}));
  }
  impl->string_type = vlen_string_type();
  impl->open_datasets(registry.size(), registry);
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
  return impl;
}

namespace {

/// "--resume: P was written for a different config (...)" when `stored` is not `plan`'s text.
void check_same_config(const std::string& what, const std::string& stored, const SweepPlan& plan) {
  if (sha256_hex(stored) == sha256_hex(plan.config_text)) return;
  const auto diffs = config_differences(stored, plan.config_text);
  throw SweepUsageError(fmt::format(
      "--resume: {} was written for a different config (SHA-256 {} vs {}); differing keys: {}",
      what, sha256_hex(stored), sha256_hex(plan.config_text),
      diffs.empty() ? std::string("(none: comments or formatting only)")
                    : fmt::format("{}", fmt::join(diffs, "; "))));
}

void check_same_shard(const std::string& what, const std::optional<Shard>& stored,
                      const std::optional<Shard>& shard) {
  if (stored == shard) return;
  const auto name = [](const std::optional<Shard>& s) {
    return s ? fmt::format("shard {}", to_text(*s)) : std::string("the whole sweep");
  };
  throw SweepUsageError(fmt::format("--resume: {} holds {}, but this command runs {}", what,
                                    name(stored), name(shard)));
}

/// Sorts by row and keeps the last record of each row.
void sort_unique(std::vector<RunRecord>& records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const RunRecord& a, const RunRecord& b) { return a.row < b.row; });
  std::vector<RunRecord> out;
  out.reserve(records.size());
  for (auto& r : records) {
    if (!out.empty() && out.back().row == r.row) {
      out.back() = std::move(r);
    } else {
      out.push_back(std::move(r));
    }
  }
  records = std::move(out);
}

bool in_ranges(const std::vector<RowRange>& ranges, std::uint64_t row) {
  auto it =
      std::upper_bound(ranges.begin(), ranges.end(), row,
                       [](std::uint64_t r, const RowRange& range) { return r < range.first; });
  return it != ranges.begin() && row < std::prev(it)->second;
}

constexpr std::size_t kReplayBlock = 1 << 16;

}  // namespace

PanelWriter PanelWriter::resume(const std::filesystem::path& path, const SweepPlan& plan, int ranks,
                                const std::optional<Shard>& shard) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  const std::filesystem::path jpath = journal_path(path);
  const bool has_panel = std::filesystem::exists(path);
  const bool has_journal = std::filesystem::exists(jpath);
  if (!has_panel && !has_journal) {
    throw SweepUsageError(fmt::format("--resume: {} does not exist", path.string()));
  }
  WriteLock lock = WriteLock::acquire(path, "proteus writing this panel");
  std::string journal_problem;
  std::optional<JournalHeader> header =
      has_journal ? read_journal_header(jpath, &journal_problem) : std::nullopt;
  std::string damage;
  if (has_panel) {
    try {
      verify_panel(path, false);
    } catch (const SweepUsageError& e) {
      damage = e.what();
    }
  } else {
    damage = fmt::format("{} does not exist", path.string());
  }
  const std::size_t metric_count = engine::metric_registry(plan.environment).size();
  std::unique_ptr<Impl> impl;
  std::string recovery;
  if (damage.empty()) {
    check_same_config(path.string(), read_panel_config(path), plan);
    check_same_shard(path.string(), read_panel_shard(path), shard);
    std::optional<Journal> journal;
    std::vector<RunRecord> journaled;
    if (header && sha256_hex(header->config_text) == sha256_hex(plan.config_text) &&
        header->shard == shard) {
      journal.emplace(
          Journal::open(jpath, [&](RunRecord&& r) { journaled.push_back(std::move(r)); }));
    } else {
      // No usable journal (never written, moved away, or damaged): start one that holds every
      // finished row of the verified panel, so the panel can again be rebuilt from it.
      JournalHeader fresh;
      fresh.config_text = plan.config_text;
      fresh.shard = shard;
      fresh.metric_count = static_cast<std::uint32_t>(metric_count);
      {
        Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                    fmt::format("open {}", path.string()));
        fresh.start_time = h5::read_string_attr(file.get(), "start_time");
      }
      journal.emplace(Journal::create(jpath, fresh));
      const PanelReader reader = PanelReader::open(path, false);
      const auto finished = reader.finished_ranges();
      for (const auto& [begin, end] : finished) {
        for (std::uint64_t row = begin; row < end; row += kReplayBlock) {
          journal->append(reader.read(row, std::min<std::uint64_t>(kReplayBlock, end - row)));
        }
      }
      recovery = fmt::format("started the journal {} from the {} finished runs of {} ({})",
                             jpath.string(), row_count(finished), path.string(),
                             has_journal ? journal_problem : "it had none");
    }
    impl = std::make_unique<Impl>();
    impl->path = path;
    impl->repetitions = plan.repetitions;
    impl->total = plan.total_runs();
    impl->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose,
                        fmt::format("open {}", path.string()));
    const auto registry = engine::metric_registry(plan.environment);
    impl->string_type = vlen_string_type();
    impl->open_datasets(registry.size(), registry);
    impl->error_messages = h5::read_strings(impl->file.get(), "errors/message");
    // Rows the journal holds but the panel lost (killed between the journal sync and the
    // HDF5 flush) go in first.
    if (!journaled.empty()) {
      const std::vector<RowRange> pending =
          format::status_ranges(impl->status.get(), impl->total, true);
      std::vector<RunRecord> replay;
      for (auto& r : journaled) {
        if (r.row < impl->total && in_ranges(pending, r.row)) replay.push_back(std::move(r));
      }
      sort_unique(replay);
      Impl& p = *impl;
      p.guarded([&] { p.write_hdf5(replay); });
      if (!replay.empty()) {
        recovery = fmt::format("wrote {} runs from the journal {} that {} had lost", replay.size(),
                               jpath.string(), path.string());
      }
    }
    impl->journal.emplace(std::move(*journal));
  } else {
    if (!header) {
      throw PanelDamagedError(fmt::format(
          "--resume: {}; and no usable journal {} to rebuild it from ({}). If the panel was "
          "moved, move {} with it and resume again; otherwise start over with --overwrite",
          damage, jpath.string(), has_journal ? journal_problem : "it does not exist",
          jpath.filename().string()));
    }
    check_same_config(fmt::format("{} (journal {})", path.string(), jpath.string()),
                      header->config_text, plan);
    check_same_shard(jpath.string(), header->shard, shard);
    // Rebuild: a fresh panel (same writer as `sweep`) at a temporary name, every journaled
    // row written into it, then renamed over the damaged one.
    const std::filesystem::path temp(path.string() + ".rebuild");
    std::vector<RunRecord> journaled;
    Journal journal =
        Journal::open(jpath, [&](RunRecord&& r) { journaled.push_back(std::move(r)); });
    impl = create_file(temp, plan, ranks, shard, header->start_time);
    std::erase_if(journaled, [&](const RunRecord& r) { return r.row >= plan.total_runs(); });
    sort_unique(journaled);
    Impl& p = *impl;
    p.guarded([&] {
      for (std::size_t first = 0; first < journaled.size(); first += kReplayBlock) {
        const auto last = std::min(journaled.size(), first + kReplayBlock);
        p.write_hdf5(std::vector<RunRecord>(std::make_move_iterator(journaled.begin() + first),
                                            std::make_move_iterator(journaled.begin() + last)));
      }
      sync_path(temp);
      std::filesystem::rename(temp, path);
      sync_path(std::filesystem::absolute(path).parent_path());
    });
    impl->path = path;
    recovery = fmt::format("rebuilt {} from its journal ({} runs kept): {}", path.string(),
                           journaled.size(), damage);
    impl->journal.emplace(std::move(journal));
  }
  if (impl->journal && impl->journal->dropped_bytes() > 0) {
    recovery += fmt::format(
        "{}dropped a torn journal tail ({} bytes: runs of a flush that "
        "never completed, run again)",
        recovery.empty() ? "" : "; ", impl->journal->dropped_bytes());
  }
  impl->recovery = recovery;
  impl->lock.emplace(std::move(lock));
  Impl& p = *impl;
  p.guarded([&] {
    set_attr_number(p.file.get(), "ranks", H5T_NATIVE_INT, ranks);
    h5::set_string_attr(p.file.get(), "resumed_time", utc_now());
    check(H5Fflush(p.file.get(), H5F_SCOPE_GLOBAL), "flush");
  });
  return PanelWriter(std::move(impl));
}

const std::string& PanelWriter::recovery() const {
  return impl_->recovery;
}

std::vector<RowRange> PanelWriter::pending_ranges() const {
  return format::status_ranges(impl_->status.get(), impl_->total, true);
}

void PanelWriter::add(std::vector<RunRecord> records) {
  for (auto& r : records) impl_->buffer.push_back(std::move(r));
}

std::size_t PanelWriter::buffered() const {
  return impl_->buffer.size();
}

void PanelWriter::flush() {
  Impl& p = *impl_;
  p.guarded([&] {
    auto& buf = p.buffer;
    if (buf.empty()) return;
    std::sort(buf.begin(), buf.end(),
              [](const RunRecord& a, const RunRecord& b) { return a.row < b.row; });
    // Journal first (synced), then HDF5: a row in the panel is always in the journal too.
    if (p.journal) p.journal->append(buf);
    p.write_hdf5(buf);
    buf.clear();
    buf.shrink_to_fit();
  });
}

void PanelWriter::close(bool complete) {
  if (impl_ == nullptr || impl_->closed) return;
  flush();
  Impl& p = *impl_;
  p.guarded([&] {
    h5::set_string_attr(p.file.get(), "end_time", utc_now());
    set_attr_number(p.file.get(), "complete", H5T_NATIVE_UINT8,
                    static_cast<std::uint8_t>(complete ? 1 : 0));
    for (Handle* h : p.handles()) h->close();
    p.file.close();
    sync_path(p.path);
  });
  p.closed = true;
  // The journal goes only once the complete panel is on disk; an interrupted panel keeps it.
  if (complete && p.journal) {
    reach(fault_point::kBeforeJournalDelete);
    p.journal->remove();
  }
  p.journal.reset();
  if (p.lock) p.lock->release();
}

}  // namespace proteus::sweep
