// The single-writer lock of a panel: an open-file-description lock on `<panel>.lock`, taken
// before anything is created or truncated and held for the whole write session.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace proteus::sweep {

/// `<panel>.lock`.
std::filesystem::path lock_path(const std::filesystem::path& panel);

/// Exclusive write lock of one panel; the lock file names its holder (pid, host, start time).
class WriteLock {
 public:
  /// Takes the lock without waiting. Throws SweepUsageError naming the holder when another
  /// live process holds it, PanelError (with strerror) when the lock file cannot be made.
  static WriteLock acquire(const std::filesystem::path& panel, const std::string& purpose);

  WriteLock(WriteLock&& o) noexcept;
  WriteLock& operator=(WriteLock&& o) noexcept;
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  ~WriteLock();  ///< release()

  /// Deletes the lock file and drops the lock. Idempotent.
  void release() noexcept;

 private:
  WriteLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

/// "pid P on host H since T (purpose)" when a live process holds the panel's write lock,
/// nullopt otherwise. Never takes or disturbs the lock.
std::optional<std::string> lock_holder(const std::filesystem::path& panel);

}  // namespace proteus::sweep
