// `proteus sweep --resume`: reopening a panel write session, checked against the config and
// shard, with journaled rows replayed into the panel, or the panel rebuilt from its journal.
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/panel_writer_impl.hpp"
#include "sweep/sha256.hpp"
#include "sweep/write_lock.hpp"

namespace proteus::sweep {

using h5::check;
using h5::Handle;
using h5::vlen_string_type;

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
        fresh.start_time = h5::read_string_attr(file.get(), schema::kStartTimeAttr);
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
    impl->error_messages = h5::read_strings(impl->file.get(), schema::kErrorsMessage);
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
    set_attr_number(p.file.get(), schema::kRanksAttr, H5T_NATIVE_INT, ranks);
    h5::set_string_attr(p.file.get(), schema::kResumedTimeAttr, format::utc_now());
    check(H5Fflush(p.file.get(), H5F_SCOPE_GLOBAL), "flush");
  });
  return PanelWriter(std::move(impl));
}

}  // namespace proteus::sweep
