// HDF5 panel write sessions: the lock, the journal and the panel file together (create, flush
// journal-first, close, poisoning on failure); reopening for --resume is in panel_resume.cpp.
#include "sweep/panel.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/fault_points.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/panel_writer_impl.hpp"
#include "sweep/sha256.hpp"
#include "sweep/write_lock.hpp"

namespace proteus::sweep {
namespace {

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

// HDF5 must not close (and so flush into) files left open at exit: a writer whose file
// failed gives up its handles on purpose, and HDF5's own clean-up of such a file crashed.
[[maybe_unused]] const herr_t kNoAtExit = H5dont_atexit();

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

}  // namespace

void PanelWriter::Impl::open_datasets(std::size_t metric_count,
                                      std::span<const engine::MetricInfo> registry) {
  auto open = [&](const std::string& name) {
    return Handle(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, name);
  };
  cell = open(schema::kRunsCell);
  rep = open(schema::kRunsRep);
  seed = open(schema::kRunsSeed);
  status = open(schema::kRunsStatus);
  events = open(schema::kRunsEvents);
  metrics.clear();
  for (std::size_t m = 0; m < metric_count; ++m) {
    metrics.push_back(open(schema::runs_column(registry[m].name)));
  }
  wall_time = open(schema::kTimingWallTime);
  rank = open(schema::kTimingRank);
  err_row = open(schema::kErrorsRow);
  err_cell = open(schema::kErrorsCell);
  err_rep = open(schema::kErrorsRep);
  err_status = open(schema::kErrorsStatus);
  err_message = open(schema::kErrorsMessage);
}

std::vector<Handle*> PanelWriter::Impl::handles() {
  std::vector<Handle*> out = {&cell,       &rep,         &seed,       &status,   &events,
                              &wall_time,  &rank,        &err_row,    &err_cell, &err_rep,
                              &err_status, &err_message, &string_type};
  for (auto& h : metrics) out.push_back(&h);
  return out;
}

void PanelWriter::Impl::abandon() noexcept {
  for (Handle* h : handles()) h->release();
  file.release();
}

void PanelWriter::Impl::write_hdf5(const std::vector<RunRecord>& buf) {
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
    write(cell.get(), H5T_NATIVE_UINT32, first, count, u32.data(), schema::kRunsCell);
    column(u32,
           [&](const RunRecord& r) { return static_cast<std::uint32_t>(r.row % repetitions); });
    write(rep.get(), H5T_NATIVE_UINT32, first, count, u32.data(), schema::kRunsRep);
    column(u64, [](const RunRecord& r) { return r.seed; });
    write(seed.get(), H5T_NATIVE_UINT64, first, count, u64.data(), schema::kRunsSeed);
    column(u64, [](const RunRecord& r) { return r.events; });
    write(events.get(), H5T_NATIVE_UINT64, first, count, u64.data(), schema::kRunsEvents);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      column(f64, [m](const RunRecord& r) {
        return m < r.metrics.size() ? r.metrics[m] : std::numeric_limits<double>::quiet_NaN();
      });
      write(metrics[m].get(), H5T_NATIVE_DOUBLE, first, count, f64.data(), "runs metric");
    }
    column(f64, [](const RunRecord& r) { return r.wall_time_s; });
    write(wall_time.get(), H5T_NATIVE_DOUBLE, first, count, f64.data(), schema::kTimingWallTime);
    column(i32, [](const RunRecord& r) { return r.rank; });
    write(rank.get(), H5T_NATIVE_INT32, first, count, i32.data(), schema::kTimingRank);
    // Status last: a row counts as done only once its values are in.
    column(u8, [](const RunRecord& r) { return r.status; });
    write(status.get(), H5T_NATIVE_UINT8, first, count, u8.data(), schema::kRunsStatus);
    begin = end;
  }
  bool new_errors = false;
  for (const auto& r : buf) {
    if (r.status == schema::kStatusOk) continue;
    const auto c = static_cast<std::uint32_t>(r.row / repetitions);
    const auto e = static_cast<std::uint32_t>(r.row % repetitions);
    const char* message = r.message.c_str();
    append_rows(err_row.get(), H5T_NATIVE_UINT64, 1, &r.row, schema::kErrorsRow);
    append_rows(err_cell.get(), H5T_NATIVE_UINT32, 1, &c, schema::kErrorsCell);
    append_rows(err_rep.get(), H5T_NATIVE_UINT32, 1, &e, schema::kErrorsRep);
    append_rows(err_status.get(), H5T_NATIVE_UINT8, 1, &r.status, schema::kErrorsStatus);
    append_rows(err_message.get(), string_type.get(), 1, &message, schema::kErrorsMessage);
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
  header.metric_count = static_cast<std::uint32_t>(plan.metrics.size());
  header.start_time = format::utc_now();
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
  format::create_layout(f, plan, ranks, shard, start_time);
  const engine::MetricRegistry& registry = plan.metrics;
  impl->string_type = vlen_string_type();
  impl->open_datasets(registry.size(), registry);
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
  return impl;
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
    h5::set_string_attr(p.file.get(), schema::kEndTimeAttr, format::utc_now());
    set_attr_number(p.file.get(), schema::kCompleteAttr, H5T_NATIVE_UINT8,
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
