// Journal encoding: little-endian fixed-width fields (the writer and the reader are the same
// program on one machine type), CRC-32 (zlib) on the header and on every batch.
#include "sweep/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "sweep/errors.hpp"
#include "sweep/fault_points.hpp"
#include "sweep/sha256.hpp"

namespace proteus::sweep {
namespace {

constexpr std::array<char, 8> kMagic = {'P', 'R', 'O', 'T', 'J', 'R', 'N', 'L'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kBatchMagic = 0x48435442;   // "BTCH"
constexpr std::uint32_t kCommitMagic = 0x544D4F43;  // "COMT"
constexpr std::uint64_t kMaxHeaderText = 64ull << 20;
constexpr std::uint64_t kMaxBatchBytes = 1ull << 34;
constexpr std::uint32_t kMaxMetrics = 1 << 16;

class Writer {
 public:
  template <class T>
  void put(T value) {
    const auto* p = reinterpret_cast<const char*>(&value);
    bytes.append(p, sizeof value);
  }
  void put_text32(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    bytes += s;
  }
  std::string bytes;
};

class Reader {
 public:
  Reader(const char* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  bool get(T& value) {
    if (size_ - at_ < sizeof value) return false;
    std::memcpy(&value, data_ + at_, sizeof value);
    at_ += sizeof value;
    return true;
  }
  bool get_bytes(std::string& out, std::uint64_t n) {
    if (size_ - at_ < n) return false;
    out.assign(data_ + at_, n);
    at_ += n;
    return true;
  }
  std::size_t at() const { return at_; }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

std::uint32_t crc(const std::string& bytes, std::size_t first, std::size_t count) {
  uLong c = crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data() + first);
  while (count > 0) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(count, 1u << 30));
    c = crc32(c, p, n);
    p += n;
    count -= n;
  }
  return static_cast<std::uint32_t>(c);
}

[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path,
                             int error) {
  throw PanelError(fmt::format("{} {}: {}", what, path.string(), std::strerror(error)));
}

std::string encode_header(const JournalHeader& h) {
  Writer w;
  w.bytes.append(kMagic.data(), kMagic.size());
  w.put(kVersion);
  w.put(h.metric_count);
  w.put(static_cast<std::uint64_t>(h.shard ? h.shard->index : 0));
  w.put(static_cast<std::uint64_t>(h.shard ? h.shard->count : 0));
  const auto digest = sha256(h.config_text);
  w.bytes.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  w.put(static_cast<std::uint64_t>(h.config_text.size()));
  w.bytes += h.config_text;
  w.put_text32(h.start_time);
  w.put(crc(w.bytes, 0, w.bytes.size()));
  return std::move(w.bytes);
}

/// Parses a header from the start of `data`; returns its length, or 0 with `why` set.
std::size_t decode_header(const std::string& data, JournalHeader& h, std::string& why) {
  Reader r(data.data(), data.size());
  std::string magic;
  std::uint32_t version = 0;
  std::uint64_t shard_index = 0;
  std::uint64_t shard_count = 0;
  std::string digest;
  std::uint64_t config_size = 0;
  std::uint32_t time_size = 0;
  if (!r.get_bytes(magic, kMagic.size()) || magic != std::string(kMagic.data(), kMagic.size())) {
    why = "not a proteus journal (bad magic)";
    return 0;
  }
  if (!r.get(version) || version != kVersion) {
    why = fmt::format("unknown journal version {}", version);
    return 0;
  }
  if (!r.get(h.metric_count) || !r.get(shard_index) || !r.get(shard_count) ||
      !r.get_bytes(digest, 32) || !r.get(config_size) || config_size > kMaxHeaderText ||
      !r.get_bytes(h.config_text, config_size) || !r.get(time_size) || time_size > 64 ||
      !r.get_bytes(h.start_time, time_size)) {
    why = "journal header cut short or damaged";
    return 0;
  }
  const std::size_t end = r.at();
  std::uint32_t stored = 0;
  if (!r.get(stored) || stored != crc(data, 0, end) || h.metric_count > kMaxMetrics) {
    why = "journal header fails its CRC";
    return 0;
  }
  const auto sum = sha256(h.config_text);
  if (digest != std::string(reinterpret_cast<const char*>(sum.data()), sum.size())) {
    why = "journal header: config text does not match its SHA-256";
    return 0;
  }
  if (shard_count > 0) {
    h.shard = Shard{shard_index, shard_count};
  } else {
    h.shard.reset();
  }
  return r.at();
}

std::string encode_batch(const std::vector<RunRecord>& records) {
  Writer payload;
  for (const auto& r : records) {
    payload.put(r.row);
    payload.put(r.status);
    payload.put(r.seed);
    payload.put(r.events);
    payload.put(r.wall_time_s);
    payload.put(r.rank);
    payload.put(static_cast<std::uint32_t>(r.metrics.size()));
    for (double m : r.metrics) payload.put(m);
    payload.put_text32(r.message);
  }
  Writer w;
  w.put(kBatchMagic);
  w.put(static_cast<std::uint32_t>(records.size()));
  w.put(static_cast<std::uint64_t>(payload.bytes.size()));
  w.bytes += payload.bytes;
  w.put(crc(w.bytes, 0, w.bytes.size()));
  w.put(kCommitMagic);
  return std::move(w.bytes);
}

bool decode_records(const std::string& payload, std::uint32_t count,
                    const std::function<void(RunRecord&&)>& visit) {
  Reader r(payload.data(), payload.size());
  for (std::uint32_t i = 0; i < count; ++i) {
    RunRecord rec;
    std::uint32_t metrics = 0;
    std::uint32_t message = 0;
    if (!r.get(rec.row) || !r.get(rec.status) || !r.get(rec.seed) || !r.get(rec.events) ||
        !r.get(rec.wall_time_s) || !r.get(rec.rank) || !r.get(metrics) || metrics > kMaxMetrics) {
      return false;
    }
    rec.metrics.resize(metrics);
    for (auto& m : rec.metrics) {
      if (!r.get(m)) return false;
    }
    if (!r.get(message) || !r.get_bytes(rec.message, message)) return false;
    visit(std::move(rec));
  }
  return r.at() == payload.size();
}

/// Bytes [offset, offset + count) of the file, fewer at its end.
std::string read_at(int fd, const std::filesystem::path& path, std::uint64_t offset,
                    std::uint64_t count) {
  std::string data(count, '\0');
  std::size_t at = 0;
  while (at < data.size()) {
    const ssize_t n =
        pread(fd, data.data() + at, data.size() - at, static_cast<off_t>(offset + at));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot read", path, errno);
    }
    if (n == 0) break;
    at += static_cast<std::size_t>(n);
  }
  data.resize(at);
  return data;
}

/// How many bytes to read for the header: its fixed part says how long the config text is.
std::uint64_t header_bytes(int fd, const std::filesystem::path& path, std::uint64_t size) {
  constexpr std::uint64_t kFixed = 8 + 4 + 4 + 8 + 8 + 32;  // up to the config length
  const std::string fixed = read_at(fd, path, 0, kFixed + 8);
  std::uint64_t config = 0;
  if (fixed.size() == kFixed + 8) std::memcpy(&config, fixed.data() + kFixed, 8);
  config = std::min(config, kMaxHeaderText + 1);
  return std::min(size, kFixed + 8 + config + 4 + 64 + 4);
}

void write_all(int fd, const char* data, std::size_t size, off_t offset,
               const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t n = pwrite(fd, data, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write", path, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += n;
  }
}

}  // namespace

std::filesystem::path journal_path(const std::filesystem::path& panel) {
  return std::filesystem::path(panel.string() + ".journal");
}

void sync_path(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open", path, errno);
  if (fsync(fd) != 0 && errno != EINVAL) {
    const int error = errno;
    ::close(fd);
    fail_errno("cannot sync", path, error);
  }
  ::close(fd);
}

namespace {
std::filesystem::path directory_of(const std::filesystem::path& path) {
  const auto parent = std::filesystem::absolute(path).parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}
}  // namespace

Journal Journal::create(const std::filesystem::path& path, const JournalHeader& header) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno("cannot create the journal", path, errno);
  Journal journal(fd, path, header, 0);
  const std::string bytes = encode_header(header);
  if (inject_failure(fault_point::kJournalWrite)) fail_errno("cannot write", path, ENOSPC);
  write_all(fd, bytes.data(), bytes.size(), 0, path);
  if (fdatasync(fd) != 0) fail_errno("cannot sync", path, errno);
  sync_path(directory_of(path));
  journal.end_ = bytes.size();
  return journal;
}

Journal Journal::open(const std::filesystem::path& path,
                      const std::function<void(std::vector<RunRecord>&&)>& visit) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open the journal", path, errno);
  Journal journal(fd, path, {}, 0);
  struct stat st {};
  if (fstat(fd, &st) != 0) fail_errno("cannot stat", path, errno);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::string why;
  std::uint64_t at =
      decode_header(read_at(fd, path, 0, header_bytes(fd, path, size)), journal.header_, why);
  if (at == 0) throw PanelError(fmt::format("journal {}: {}", path.string(), why));
  // One batch in memory at a time: a journal can hold millions of runs.
  while (size - at >= 16) {
    const std::string head = read_at(fd, path, at, 16);
    Reader h(head.data(), head.size());
    std::uint32_t magic = 0;
    std::uint32_t count = 0;
    std::uint64_t length = 0;
    h.get(magic);
    h.get(count);
    h.get(length);
    if (magic != kBatchMagic || length > kMaxBatchBytes || size - at - 16 < length + 8) break;
    const std::string batch_bytes = read_at(fd, path, at, 16 + length + 8);
    Reader r(batch_bytes.data() + 16 + length, 8);
    std::uint32_t stored = 0;
    std::uint32_t commit = 0;
    r.get(stored);
    r.get(commit);
    if (commit != kCommitMagic || stored != crc(batch_bytes, 0, 16 + length)) break;
    std::vector<RunRecord> batch;
    batch.reserve(count);
    if (!decode_records(batch_bytes.substr(16, length), count,
                        [&](RunRecord&& rec) { batch.push_back(std::move(rec)); })) {
      break;
    }
    visit(std::move(batch));
    at += 16 + length + 8;
  }
  journal.end_ = at;
  journal.dropped_ = size - at;
  if (journal.dropped_ > 0) {
    if (ftruncate(fd, static_cast<off_t>(at)) != 0 || fdatasync(fd) != 0) {
      fail_errno("cannot truncate the torn tail of", path, errno);
    }
  }
  return journal;
}

Journal::Journal(Journal&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      header_(std::move(o.header_)),
      end_(o.end_),
      dropped_(o.dropped_) {}

Journal& Journal::operator=(Journal&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
    header_ = std::move(o.header_);
    end_ = o.end_;
    dropped_ = o.dropped_;
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::vector<RunRecord>& records) {
  if (records.empty()) return;
  const std::string bytes = encode_batch(records);
  try {
    if (inject_failure(fault_point::kJournalWrite)) fail_errno("cannot write", path_, ENOSPC);
    const std::size_t half = bytes.size() / 2;
    write_all(fd_, bytes.data(), half, static_cast<off_t>(end_), path_);
    reach(fault_point::kJournalMidRecord);
    write_all(fd_, bytes.data() + half, bytes.size() - half, static_cast<off_t>(end_ + half),
              path_);
    if (fdatasync(fd_) != 0) fail_errno("cannot sync", path_, errno);
  } catch (...) {
    // Cut the partial batch off so a later append starts on a clean tail; a reader would
    // drop it anyway (no commit marker or a failing CRC).
    [[maybe_unused]] const int ignored = ftruncate(fd_, static_cast<off_t>(end_));
    throw;
  }
  end_ += bytes.size();
  reach(fault_point::kJournalSynced);
}

void Journal::remove() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    fail_errno("cannot delete the journal", path_, errno);
  }
  sync_path(directory_of(path_));
}

std::optional<JournalHeader> read_journal_header(const std::filesystem::path& path,
                                                 std::string* why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (why != nullptr) *why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  const std::uint64_t size = fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  std::string data;
  try {
    data = read_at(fd, path, 0, header_bytes(fd, path, size));
  } catch (const PanelError& e) {
    ::close(fd);
    if (why != nullptr) *why = e.what();
    return std::nullopt;
  }
  ::close(fd);
  JournalHeader header;
  std::string reason;
  if (decode_header(data, header, reason) == 0) {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  }
  return header;
}

}  // namespace proteus::sweep
