// HDF5 panel write sessions: the lock, the journal and the panel file together (create, resume
// with rebuild or replay from the journal, flush journal-first, close, poisoning on failure).
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

template <class T>
void set_attr_number(hid_t obj, const char* name, hid_t type, T value) {
  h5::set_scalar_attr(obj, name, type, &value);
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

/// Writes journaled rows into a panel in blocks of about kReplayBlock rows (one HDF5 flush
/// each), so a journal of millions of runs needs the memory of one block.
class Replayer {
 public:
  explicit Replayer(PanelWriter::Impl& impl) : impl_(impl) {}
  void add(std::vector<RunRecord>&& batch) {
    for (auto& r : batch) block_.push_back(std::move(r));
    if (block_.size() >= kReplayBlock) finish();
  }
  /// Writes what is buffered.
  void finish() {
    if (block_.empty()) return;
    sort_unique(block_);
    impl_.guarded([&] { impl_.write_hdf5(block_); });
    written_ += block_.size();
    block_.clear();
  }
  std::uint64_t written() const { return written_; }

 private:
  PanelWriter::Impl& impl_;
  std::vector<RunRecord> block_;
  std::uint64_t written_ = 0;
};

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
  const std::size_t metric_count = plan.metrics.size();
  std::unique_ptr<Impl> impl;
  std::string recovery;
  if (damage.empty()) {
    check_same_config(path.string(), read_panel_config(path), plan);
    check_same_shard(path.string(), read_panel_shard(path), shard);
    std::optional<Journal> journal;
    const bool usable_journal = header &&
                                sha256_hex(header->config_text) == sha256_hex(plan.config_text) &&
                                header->shard == shard;
    if (!usable_journal) {
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
    const engine::MetricRegistry& registry = plan.metrics;
    impl->string_type = vlen_string_type();
    impl->open_datasets(registry.size(), registry);
    impl->error_messages = h5::read_strings(impl->file.get(), "errors/message");
    // Rows the journal holds but the panel lost (killed between the journal sync and the
    // HDF5 flush) go in first.
    if (usable_journal) {
      const std::vector<RowRange> pending =
          format::status_ranges(impl->status.get(), impl->total, true);
      Replayer replayer(*impl);
      journal.emplace(Journal::open(jpath, [&](std::vector<RunRecord>&& batch) {
        std::erase_if(batch, [&](const RunRecord& r) {
          return r.row >= impl->total || !in_ranges(pending, r.row);
        });
        replayer.add(std::move(batch));
      }));
      replayer.finish();
      if (replayer.written() > 0) {
        recovery = fmt::format("wrote {} runs from the journal {} that {} had lost",
                               replayer.written(), jpath.string(), path.string());
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
    impl = create_file(temp, plan, ranks, shard, header->start_time);
    Replayer replayer(*impl);
    Journal journal = Journal::open(jpath, [&](std::vector<RunRecord>&& batch) {
      std::erase_if(batch, [&](const RunRecord& r) { return r.row >= plan.total_runs(); });
      replayer.add(std::move(batch));
    });
    replayer.finish();
    Impl& p = *impl;
    p.guarded([&] {
      sync_path(temp);
      std::filesystem::rename(temp, path);
      sync_path(std::filesystem::absolute(path).parent_path());
    });
    impl->path = path;
    recovery = fmt::format("rebuilt {} from its journal ({} runs kept): {}", path.string(),
                           replayer.written(), damage);
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
    h5::set_string_attr(p.file.get(), "resumed_time", format::utc_now());
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
    h5::set_string_attr(p.file.get(), "end_time", format::utc_now());
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
