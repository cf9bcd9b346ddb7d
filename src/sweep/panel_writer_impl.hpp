// Internal to src/sweep (include only from panel.cpp and panel_resume.cpp): the state of one
// panel write session, shared by create/flush/close and by resume.
#pragma once

#include <fmt/format.h>
#include <hdf5.h>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel.hpp"
#include "sweep/write_lock.hpp"

namespace proteus::sweep {

/// The open panel file, its dataset handles, lock, journal and buffered records.
struct PanelWriter::Impl {
  std::filesystem::path path;
  std::optional<WriteLock> lock;
  std::optional<Journal> journal;
  h5::Handle file;
  h5::Handle string_type;
  // /runs
  h5::Handle cell, rep, seed, status, events;
  std::vector<h5::Handle> metrics;
  // /timing
  h5::Handle wall_time, rank;
  // /errors
  h5::Handle err_row, err_cell, err_rep, err_status, err_message;
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

  /// Opens every /runs, /timing and /errors dataset of `file`.
  void open_datasets(std::size_t metric_count, std::span<const engine::MetricInfo> registry);

  /// Every dataset handle, for abandon().
  std::vector<h5::Handle*> handles();

  /// Gives up every HDF5 handle without closing it: a failed file is never touched again.
  void abandon() noexcept;

  /// Writes `records` (sorted by row, each row once) at their rows, without journaling.
  void write_hdf5(const std::vector<RunRecord>& buf);

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

/// Writes `value` as a scalar attribute `name` of file type `type`.
template <class T>
void set_attr_number(hid_t obj, const char* name, hid_t type, T value) {
  h5::set_scalar_attr(obj, name, type, &value);
}

}  // namespace proteus::sweep
