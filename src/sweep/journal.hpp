// The write-ahead journal of a panel (`<panel>.journal`, docs/panel-schema.md "Journal"): every
// finished row is appended and synced here before it reaches the HDF5 file, so a panel torn by
// a kill or a full disk can be rebuilt from it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sweep/panel.hpp"
#include "sweep/shard.hpp"

namespace proteus::sweep {

/// `<panel>.journal`.
std::filesystem::path journal_path(const std::filesystem::path& panel);

/// What a journal was written for; checked against the sweep before any record is used.
struct JournalHeader {
  std::string config_text;  ///< the sweep file text, as in the panel's `config` attribute
  std::optional<Shard> shard;
  std::uint32_t metric_count = 0;
  std::string start_time;  ///< the panel's start_time, so a rebuilt panel keeps it
};

/// Append-only journal file: a CRC-checked header, then batches of records, each ending in a
/// commit marker with the CRC-32 of the batch. Errors throw PanelError (path and strerror).
class Journal {
 public:
  /// Creates (truncating) `path` with `header` and syncs it and its directory.
  static Journal create(const std::filesystem::path& path, const JournalHeader& header);

  /// Opens an existing journal for appending. Calls `visit` with every committed batch (its
  /// records sorted by row, as flushed) in file order, holding one batch in memory at a time,
  /// and truncates a torn tail (a batch cut short or failing its marker or CRC). Throws
  /// PanelError when the header is missing or damaged.
  static Journal open(const std::filesystem::path& path,
                      const std::function<void(std::vector<RunRecord>&&)>& visit);

  Journal(Journal&& o) noexcept;
  Journal& operator=(Journal&& o) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  const JournalHeader& header() const { return header_; }
  /// Bytes of a torn tail dropped by open() (0 when the file ended on a commit marker).
  std::uint64_t dropped_bytes() const { return dropped_; }

  /// Appends `records` as one batch and fdatasyncs it; on failure the batch is cut off again
  /// (best effort) and PanelError is thrown.
  void append(const std::vector<RunRecord>& records);

  /// Closes and deletes the file, then syncs the directory.
  void remove();

 private:
  Journal(int fd, std::filesystem::path path, JournalHeader header, std::uint64_t end)
      : fd_(fd), path_(std::move(path)), header_(std::move(header)), end_(end) {}
  int fd_ = -1;
  std::filesystem::path path_;
  JournalHeader header_;
  std::uint64_t end_ = 0;  ///< offset just past the last committed batch
  std::uint64_t dropped_ = 0;
};

/// The header of the journal at `path`, or nullopt when it does not exist or its header is
/// damaged (`why` then says what was wrong, if given).
std::optional<JournalHeader> read_journal_header(const std::filesystem::path& path,
                                                 std::string* why = nullptr);

/// fsync of a file or directory by path; throws PanelError with strerror.
void sync_path(const std::filesystem::path& path);

}  // namespace proteus::sweep
