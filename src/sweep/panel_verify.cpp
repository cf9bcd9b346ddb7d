// Verification of a panel before it is read (docs/panel-schema.md "Integrity"): sizes first,
// then every dataset read in bounded blocks so that HDF5 checks each chunk's Fletcher32, then
// the SHA-256 digests of string datasets. It runs in a child process: HDF5 1.10 trusts the
// unchecksummed references of variable-length data and crashed (signal 11 in H5HG_read) or
// spun on some flipped bytes, so a crash or a stall of the child is reported as damage to the
// dataset it was reading. What the child checks is in panel_checks.cpp.
#include <fcntl.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX kill and sigaction
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>

#include "engine/metrics_registry.hpp"
#include "sweep/errors.hpp"
#include "sweep/hdf5_util.hpp"
#include "sweep/panel.hpp"
#include "sweep/panel_format.hpp"
#include "sweep/panel_metrics.hpp"
#include "sweep/panel_schema.hpp"
#include "sweep/sha256.hpp"
#include "sweep/write_lock.hpp"

namespace proteus::sweep {

namespace format {

h5::Handle file_access() {
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
  h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
            "file format bounds");
  return fapl;
}

std::string strings_digest(const std::vector<std::string>& values) {
  std::string bytes;
  for (const auto& v : values) {
    std::uint64_t n = v.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    bytes += v;
  }
  return sha256_hex(bytes);
}

}  // namespace format

namespace {

using h5::check;
using h5::Handle;

/// The child reports progress at least this often while it reads (a block of 2^20 rows takes
/// well under a second); silence this long means HDF5 is stuck on the damaged dataset.
constexpr int kStallMs = 30'000;

/// Pipe to the parent in the verifying child, -1 in-process.
int g_progress_fd = -1;

/// Sends one message to the parent: a kind letter and one line of text.
void tell_parent(char kind, std::string_view text) {
  if (g_progress_fd < 0) return;
  std::string line(1, kind);
  for (char c : text) line.push_back(c == '\n' ? ' ' : c);
  line.push_back('\n');
  std::size_t at = 0;
  while (at < line.size()) {
    const ssize_t n = write(g_progress_fd, line.data() + at, line.size() - at);
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

/// Forwards check_panel's progress to the parent.
void report_step(std::string_view step) {
  tell_parent('N', step);
}

/// What the child process says (kind letter + text), or its end.
struct ChildReport {
  std::string last_step = "the file structure";
  char kind = 0;  ///< 'O' ok, 'D' damaged, 'U' usage, 'P' panel error, 'E' other; 0: none
  std::string message;
};

[[noreturn]] void run_child(const std::filesystem::path& path, int fd) {
  g_progress_fd = fd;
  int code = 0;
  try {
    format::check_panel(path, report_step);
    tell_parent('O', "");
  } catch (const PanelDamagedError& e) {
    tell_parent('D', e.what());
    code = 2;
  } catch (const SweepUsageError& e) {
    tell_parent('U', e.what());
    code = 2;
  } catch (const PanelError& e) {
    tell_parent('P', e.what());
    code = 1;
  } catch (const std::exception& e) {
    tell_parent('E', e.what());
    code = 1;
  }
  _exit(code);
}

}  // namespace

void verify_panel(const std::filesystem::path& path, bool check_lock) {
  if (check_lock) {
    if (const auto holder = lock_holder(path)) {
      throw SweepUsageError(
          fmt::format("{} is being written by a running sweep ({}); wait until it ends",
                      path.string(), *holder));
    }
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw PanelError(fmt::format("verify {}: pipe: {}", path.string(), std::strerror(errno)));
  }
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    throw PanelError(fmt::format("verify {}: fork: {}", path.string(), std::strerror(error)));
  }
  if (pid == 0) {
    close(fds[0]);
    run_child(path, fds[1]);
  }
  close(fds[1]);
  ChildReport report;
  std::string pending;
  bool stalled = false;
  while (true) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, kStallMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      stalled = true;
      kill(pid, SIGKILL);
      break;
    }
    char buf[4096];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
      const std::string line = pending.substr(0, eol);
      pending.erase(0, eol + 1);
      if (line.empty()) continue;
      if (line[0] == 'N') {
        report.last_step = line.substr(1);
      } else {
        report.kind = line[0];
        report.message = line.substr(1);
      }
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (stalled) {
    throw PanelDamagedError(fmt::format("{}: {} is damaged: reading it made no progress for {} s",
                                        path.string(), report.last_step, kStallMs / 1000));
  }
  switch (report.kind) {
    case 'O':
      return;
    case 'D':
      throw PanelDamagedError(report.message);
    case 'U':
      throw SweepUsageError(report.message);
    case 'P':
      throw PanelError(report.message);
    case 'E':
      throw PanelError(fmt::format("verify {}: {}", path.string(), report.message));
    default:
      break;
  }
  if (WIFSIGNALED(status)) {
    throw PanelDamagedError(
        fmt::format("{}: {} is damaged: reading it crashed the HDF5 library ({})", path.string(),
                    report.last_step, strsignal(WTERMSIG(status))));
  }
  throw PanelError(fmt::format("verify {}: the checking process ended with status {}",
                               path.string(), WEXITSTATUS(status)));
}

}  // namespace proteus::sweep
