// Write lock of a panel over fcntl open-file-description locks: F_OFD_GETLK lets readers ask
// who holds it without taking it, and the lock is bound to our descriptor, not the process.
#include "sweep/write_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <utility>

#include "sweep/errors.hpp"

namespace proteus::sweep {
namespace {

struct flock whole_file(short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;
  lock.l_pid = 0;
  return lock;
}

std::string read_all(int fd) {
  std::string text;
  char buf[512];
  off_t at = 0;
  while (true) {
    const ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    at += n;
    if (text.size() > 4096) break;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

std::string identity(const std::string& purpose) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return fmt::format("pid {} on host {} since {} ({})\n", getpid(), host, when, purpose);
}

}  // namespace

std::filesystem::path lock_path(const std::filesystem::path& panel) {
  return std::filesystem::path(panel.string() + ".lock");
}

WriteLock WriteLock::acquire(const std::filesystem::path& panel, const std::string& purpose) {
  const std::filesystem::path path = lock_path(panel);
  // A holder deletes the lock file before dropping the lock, so a descriptor we locked may
  // name a deleted file: retry until the locked file is the one at `path`.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw PanelError(
          fmt::format("cannot create the lock file {}: {}", path.string(), std::strerror(errno)));
    }
    struct flock lock = whole_file(F_WRLCK);
    if (fcntl(fd, F_OFD_SETLK, &lock) != 0) {
      const int error = errno;
      const std::string holder = read_all(fd);
      ::close(fd);
      if (error == EAGAIN || error == EACCES) {
        throw SweepUsageError(fmt::format(
            "{} is being written by another process ({}); wait for it to end or stop it, "
            "then use --resume",
            panel.string(), holder.empty() ? "holder unknown" : holder));
      }
      throw PanelError(fmt::format("cannot lock {}: {}", path.string(), std::strerror(error)));
    }
    struct stat held {};
    struct stat named {};
    if (fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      const std::string me = identity(purpose);
      if (ftruncate(fd, 0) != 0 ||
          pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
        const int error = errno;
        ::unlink(path.c_str());
        ::close(fd);
        throw PanelError(
            fmt::format("cannot write the lock file {}: {}", path.string(), std::strerror(error)));
      }
      return WriteLock(fd, path);
    }
    ::close(fd);
  }
  throw PanelError(fmt::format("cannot lock {}: the lock file keeps changing", path.string()));
}

WriteLock::WriteLock(WriteLock&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)) {}

WriteLock& WriteLock::operator=(WriteLock&& o) noexcept {
  if (this != &o) {
    release();
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
  }
  return *this;
}

WriteLock::~WriteLock() {
  release();
}

void WriteLock::release() noexcept {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(std::exchange(fd_, -1));
}

std::optional<std::string> lock_holder(const std::filesystem::path& panel) {
  const std::filesystem::path path = lock_path(panel);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock lock = whole_file(F_WRLCK);
  std::optional<std::string> holder;
  if (fcntl(fd, F_OFD_GETLK, &lock) == 0 && lock.l_type != F_UNLCK) {
    const std::string text = read_all(fd);
    holder = text.empty() ? std::string("holder unknown") : text;
  }
  ::close(fd);
  return holder;
}

}  // namespace proteus::sweep
