// Verification of a panel before it is read (docs/panel-schema.md "Integrity"): sizes first,
// then every dataset read in bounded blocks so that HDF5 checks each chunk's Fletcher32, then
// the SHA-256 digests of string datasets. It runs in a child process: HDF5 1.10 trusts the
// unchecksummed references of variable-length data and crashed (signal 11 in H5HG_read) or
// spun on some flipped bytes, so a crash or a stall of the child is reported as damage to the
// dataset it was reading.
#include <fcntl.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
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

constexpr std::uint64_t kBlockRows = 1 << 20;
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

class Verifier {
 public:
  Verifier(const std::filesystem::path& path, hid_t file, bool checksums)
      : path_(path), file_(file), checksums_(checksums) {}

  [[noreturn]] void damaged(std::string_view what, std::string_view why) const {
    throw PanelDamagedError(fmt::format("{}: {} is damaged: {}", path_.string(), what, why));
  }

  /// Runs an HDF5 step on `what`; an HDF5 failure means the object is damaged.
  template <class F>
  auto on(std::string_view what, F&& step) const {
    try {
      return step();
    } catch (const PanelError& e) {
      damaged(what, e.what());
    }
  }

  /// Opens a 1-D dataset, checks its length and (in a checksummed panel) its Fletcher32 filter.
  Handle dataset(const std::string& name, std::uint64_t expected, bool filtered = true) const {
    const std::string what = "dataset /" + name;
    tell_parent('N', what);
    return on(what, [&] {
      Handle ds(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose, name);
      const std::uint64_t n = h5::extent(ds.get(), name);
      if (n != expected) {
        damaged(what, fmt::format("{} rows, expected {}", n, expected));
      }
      if (checksums_ && filtered) {
        Handle dcpl(H5Dget_create_plist(ds.get()), H5Pclose, name);
        unsigned flags = 0;
        std::size_t nelmts = 0;
        unsigned config = 0;
        if (H5Pget_filter_by_id2(dcpl.get(), H5Z_FILTER_FLETCHER32, &flags, &nelmts, nullptr, 0,
                                 nullptr, &config) < 0) {
          H5Eclear2(H5E_DEFAULT);
          damaged(what, "no Fletcher32 checksum filter");
        }
      }
      return ds;
    });
  }

  /// Reads a numeric dataset in full, in blocks; `each` sees every block as raw native bytes.
  template <class F>
  void read_numbers(const std::string& name, std::uint64_t rows, F&& each) const {
    Handle ds = dataset(name, rows);
    const std::string what = "dataset /" + name;
    on(what, [&] {
      Handle file_type(H5Dget_type(ds.get()), H5Tclose, name);
      const H5T_class_t cls = H5Tget_class(file_type.get());
      if (cls != H5T_INTEGER && cls != H5T_FLOAT) damaged(what, "not a numeric dataset");
      Handle mem_type(H5Tget_native_type(file_type.get(), H5T_DIR_ASCEND), H5Tclose, name);
      const std::size_t width = H5Tget_size(mem_type.get());
      if (width == 0 || width > 16) damaged(what, "unexpected element size");
      std::vector<unsigned char> block;
      for (std::uint64_t first = 0; first < rows; first += kBlockRows) {
        const std::uint64_t count = std::min(kBlockRows, rows - first);
        block.resize(count * width);
        h5::read_rows(ds.get(), mem_type.get(), first, count, block.data(), name);
        each(first, count, block.data(), width);
        tell_parent('N', what);
      }
      return 0;
    });
  }

  /// Reads a string dataset with a bound on its total size and checks its digest.
  std::vector<std::string> read_strings(const std::string& name, std::uint64_t rows) const {
    Handle ds = dataset(name, rows, false);
    const std::string what = "dataset /" + name;
    return on(what, [&] {
      Handle file_type(H5Dget_type(ds.get()), H5Tclose, name);
      if (H5Tget_class(file_type.get()) != H5T_STRING) damaged(what, "not a string dataset");
      std::vector<std::string> values;
      if (check(H5Tis_variable_str(file_type.get()), name) > 0) {
        // The lengths stored in the dataset (covered by Fletcher32) bound what HDF5 reads from
        // the global heap; the file size bounds them all.
        Handle type = h5::vlen_string_type();
        Handle space(H5Dget_space(ds.get()), H5Sclose, name);
        hsize_t bytes = 0;
        check(H5Dvlen_get_buf_size(ds.get(), type.get(), space.get(), &bytes), name);
        if (bytes > file_size_ + rows) {
          damaged(what, fmt::format("strings claim {} bytes in a {}-byte file", bytes, file_size_));
        }
        values = h5::read_strings(file_, name);
      } else {
        values = h5::read_strings(file_, name);
      }
      for (const auto& v : values) {
        if (v.size() > format::kMaxStringBytes) damaged(what, "a string longer than 64 MiB");
      }
      if (checksums_) {
        if (!h5::has_attr(ds.get(), format::kDigestAttr)) damaged(what, "no sha256 attribute");
        const std::string stored = h5::read_string_attr(ds.get(), format::kDigestAttr);
        if (stored != format::strings_digest(values)) {
          damaged(what, "its strings do not match their SHA-256 digest");
        }
      }
      return values;
    });
  }

  /// Names of the datasets of a group, in name order.
  std::vector<std::string> members(const std::string& group) const {
    return on("group /" + group, [&] {
      Handle g(H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose, group);
      H5G_info_t info{};
      check(H5Gget_info(g.get(), &info), group);
      if (info.nlinks > 1'000'000) damaged("group /" + group, "too many members");
      std::vector<std::string> names;
      for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr,
                                             0, H5P_DEFAULT);
        if (n < 0 || n > 4096) damaged("group /" + group, "unreadable member name");
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        check(H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                                 name.size(), H5P_DEFAULT),
              group);
        name.resize(static_cast<std::size_t>(n));
        names.push_back(group + "/" + name);
      }
      return names;
    });
  }

  bool is_string(const std::string& name) const {
    return on("dataset /" + name, [&] {
      Handle ds(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose, name);
      Handle type(H5Dget_type(ds.get()), H5Tclose, name);
      return H5Tget_class(type.get()) == H5T_STRING;
    });
  }

  void set_file_size(std::uint64_t size) { file_size_ = size; }

 private:
  const std::filesystem::path& path_;
  hid_t file_;
  bool checksums_;
  std::uint64_t file_size_ = 0;
};

}  // namespace

namespace {

void verify_in_process(const std::filesystem::path& path) {
  check(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "silence error printing");
  tell_parent('N', "the file structure (superblock, root group)");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw SweepUsageError(fmt::format("{}: {}", path.string(), ec.message()));
  if (access(path.c_str(), R_OK) != 0) {
    throw PanelError(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw PanelDamagedError(fmt::format(
        "{}: not a panel (no HDF5 superblock: not an HDF5 file, or its first bytes are damaged)",
        path.string()));
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    const std::string stack = h5::error_stack();
    if (stack.find("already open for write") != std::string::npos) {
      throw PanelDamagedError(
          fmt::format("{}: the file was not closed (the sweep writing it was killed or failed); "
                      "`proteus sweep ... --resume` rebuilds it from {}.journal",
                      path.string(), path.string()));
    }
    throw PanelDamagedError(fmt::format(
        "{}: the file structure (superblock or root group) is damaged: {}", path.string(), stack));
  }
  Handle file(id, H5Fclose, "open");
  const hid_t f = file.get();
  // Every object header of the file (attributes, dataspaces, filter pipelines, links) is
  // loaded once, so its checksum is checked even where no dataset read below touches it.
  tell_parent('N', "the object headers");
  if (H5Ovisit2(
          f, H5_INDEX_NAME, H5_ITER_INC,
          [](hid_t, const char*, const H5O_info_t*, void*) -> herr_t { return 0; }, nullptr,
          H5O_INFO_ALL) < 0) {
    throw PanelDamagedError(
        fmt::format("{}: an object header is damaged: {}", path.string(), h5::error_stack()));
  }
  Verifier v(path, f, false);
  const bool checksums = v.on("root attributes", [&] {
    if (!h5::has_attr(f, "schema_version")) {
      throw SweepUsageError(
          fmt::format("{}: not a panel (no schema_version attribute)", path.string()));
    }
    return h5::has_attr(f, format::kChecksumsAttr);
  });
  Verifier verifier(path, f, checksums);
  verifier.set_file_size(size);
  std::string environment;
  std::uint64_t repetitions = 0;
  verifier.on("root attributes", [&] {
    const std::string config = h5::read_string_attr(f, "config");
    const std::string sha = h5::read_string_attr(f, "config_sha256");
    if (sha256_hex(config) != sha) {
      verifier.damaged("root attribute config", "its text does not match config_sha256");
    }
    environment = h5::read_string_attr(f, "environment");
    repetitions = h5::read_scalar_attr<std::uint64_t>(f, "repetitions", H5T_NATIVE_UINT64);
    h5::read_scalar_attr<std::uint64_t>(f, "master_seed", H5T_NATIVE_UINT64);
    h5::read_scalar_attr<std::uint8_t>(f, "complete", H5T_NATIVE_UINT8);
    h5::read_scalar_attr<int>(f, "ranks", H5T_NATIVE_INT);
    for (const char* name : {"sweep_name", "start_time", "end_time"}) h5::read_string_attr(f, name);
    return 0;
  });
  if (repetitions == 0) verifier.damaged("root attribute repetitions", "0 repetitions");
  std::vector<engine::MetricInfo> registry;
  try {
    const engine::MetricRegistry r = read_panel_metrics(f);
    registry.assign(r.begin(), r.end());
  } catch (const std::exception& e) {
    verifier.damaged("root attribute environment", e.what());
  }

  // /cells: every column as long as /cells/label.
  const std::uint64_t cells = verifier.on("dataset /cells/label", [&] {
    Handle label(H5Dopen2(f, "cells/label", H5P_DEFAULT), H5Dclose, "cells/label");
    return h5::extent(label.get(), "cells/label");
  });
  if (cells == 0) verifier.damaged("dataset /cells/label", "no cells");
  for (const auto& name : verifier.members("cells")) {
    if (verifier.is_string(name)) {
      verifier.read_strings(name, cells);
    } else {
      verifier.read_numbers(name, cells, [](auto...) {});
    }
  }
  if (cells > std::numeric_limits<std::uint64_t>::max() / repetitions) {
    verifier.damaged("root attribute repetitions", "cells x repetitions overflows");
  }
  const std::uint64_t rows = cells * repetitions;
  if (rows > size * 64 + (1u << 20) && checksums) {
    // Chunks never written are not stored, so a huge sweep may be a small file; only a row
    // count no real sweep has is refused.
    if (rows > (1ull << 40)) verifier.damaged("dataset /runs/status", "absurd row count");
  }

  std::set<std::string> required = {"runs/cell", "runs/rep", "runs/seed", "runs/status",
                                    "runs/events"};
  for (const auto& m : registry) required.insert("runs/" + std::string(m.name));
  for (const auto& name : verifier.members("runs")) {
    required.erase(name);
    if (name == "runs/status") {
      verifier.read_numbers(name, rows,
                            [&](std::uint64_t first, std::uint64_t count, const unsigned char* data,
                                std::size_t width) {
                              if (width != 1) verifier.damaged("dataset /runs/status", "not uint8");
                              for (std::uint64_t i = 0; i < count; ++i) {
                                if (data[i] > 2 && data[i] != kStatusPending) {
                                  verifier.damaged(
                                      "dataset /runs/status",
                                      fmt::format("row {} holds status {}", first + i, data[i]));
                                }
                              }
                            });
    } else {
      verifier.read_numbers(name, rows, [](auto...) {});
    }
  }
  if (!required.empty()) verifier.damaged("group /runs", "missing /" + *required.begin());
  for (const char* name : {"timing/wall_time_s", "timing/rank"}) {
    verifier.read_numbers(name, rows, [](auto...) {});
  }
  const std::uint64_t errors = verifier.on("dataset /errors/row", [&] {
    Handle ds(H5Dopen2(f, "errors/row", H5P_DEFAULT), H5Dclose, "errors/row");
    return h5::extent(ds.get(), "errors/row");
  });
  if (errors > rows) verifier.damaged("dataset /errors/row", "more error rows than runs");
  verifier.read_numbers(
      "errors/row", errors,
      [&](std::uint64_t, std::uint64_t count, const unsigned char* data, std::size_t width) {
        for (std::uint64_t i = 0; i < count; ++i) {
          std::uint64_t row = 0;
          std::memcpy(&row, data + i * width, std::min<std::size_t>(width, 8));
          if (row >= rows)
            verifier.damaged("dataset /errors/row", fmt::format("row {} >= {}", row, rows));
        }
      });
  for (const char* name : {"errors/cell", "errors/rep", "errors/status"}) {
    verifier.read_numbers(name, errors, [](auto...) {});
  }
  verifier.read_strings("errors/message", errors);
  file.close();
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
    verify_in_process(path);
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
