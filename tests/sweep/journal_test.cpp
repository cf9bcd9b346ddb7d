// The panel journal and write lock: committed batches come back in order, a torn or damaged
// tail is cut off, a damaged header is refused, and a second writer is refused by name.
#include "sweep/journal.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sweep/errors.hpp"
#include "sweep/write_lock.hpp"

namespace proteus::sweep {
namespace {

std::filesystem::path temp_file(const char* name) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(path);
  return path;
}

JournalHeader header() {
  JournalHeader h;
  h.config_text = "[sweep]\nrepetitions = 3\n";
  h.shard = Shard{1, 3};
  h.metric_count = 2;
  h.start_time = "2026-01-01T00:00:00Z";
  return h;
}

RunRecord record(std::uint64_t row, std::uint8_t status = 0) {
  RunRecord r;
  r.row = row;
  r.status = status;
  r.seed = 1000 + row;
  r.events = 7 * row;
  r.wall_time_s = 0.5;
  r.rank = 2;
  r.metrics = {static_cast<double>(row), -2.5};
  if (status != 0) r.message = "failed at row " + std::to_string(row);
  return r;
}

std::vector<std::uint64_t> rows_of(const std::filesystem::path& path, Journal* keep = nullptr) {
  std::vector<std::uint64_t> rows;
  Journal j = Journal::open(path, [&](std::vector<RunRecord>&& batch) {
    for (const auto& r : batch) rows.push_back(r.row);
  });
  if (keep != nullptr) *keep = std::move(j);
  return rows;
}

void flip_byte(const std::filesystem::path& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

TEST(Journal, ReplaysEveryCommittedRecordWithItsFields) {
  const auto path = temp_file("proteus_journal_replay.journal");
  {
    Journal j = Journal::create(path, header());
    j.append({record(4), record(1, 2)});
    j.append({record(7)});
  }
  std::vector<RunRecord> seen;
  std::size_t batches = 0;
  Journal j = Journal::open(path, [&](std::vector<RunRecord>&& batch) {
    ++batches;
    for (auto& r : batch) seen.push_back(std::move(r));
  });
  EXPECT_EQ(batches, 2u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].row, 4u);
  EXPECT_EQ(seen[1].message, "failed at row 1");
  EXPECT_EQ(seen[1].status, 2);
  EXPECT_EQ(seen[2].seed, 1007u);
  EXPECT_EQ(seen[2].metrics, (std::vector<double>{7.0, -2.5}));
  EXPECT_EQ(j.header().config_text, header().config_text);
  EXPECT_EQ(j.header().shard, (Shard{1, 3}));
  EXPECT_EQ(j.header().start_time, header().start_time);
  EXPECT_EQ(j.dropped_bytes(), 0u);
}

TEST(Journal, CutsATornTailAndAppendsAfterTheLastCommittedBatch) {
  const auto path = temp_file("proteus_journal_torn.journal");
  {
    Journal j = Journal::create(path, header());
    j.append({record(0), record(1)});
    j.append({record(2)});
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);  // kill mid-append
  Journal j = Journal::create(temp_file("proteus_journal_unused.journal"), header());
  EXPECT_EQ(rows_of(path, &j), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_GT(j.dropped_bytes(), 0u);
  j.append({record(5)});
  EXPECT_EQ(rows_of(path), (std::vector<std::uint64_t>{0, 1, 5}));
}

TEST(Journal, DropsABatchWhoseCrcFails) {
  const auto path = temp_file("proteus_journal_crc.journal");
  std::uint64_t first_end = 0;
  {
    Journal j = Journal::create(path, header());
    j.append({record(0)});
    first_end = std::filesystem::file_size(path);
    j.append({record(1)});
  }
  flip_byte(path, first_end + 20);  // inside the second batch's payload
  EXPECT_EQ(rows_of(path), (std::vector<std::uint64_t>{0}));
}

TEST(Journal, RefusesADamagedHeader) {
  const auto path = temp_file("proteus_journal_header.journal");
  Journal::create(path, header());
  flip_byte(path, 40);
  EXPECT_THROW(rows_of(path), PanelError);
  std::string why;
  EXPECT_FALSE(read_journal_header(path, &why).has_value());
  EXPECT_NE(why.find("CRC"), std::string::npos) << why;
}

TEST(WriteLock, SecondWriterIsRefusedNamingTheHolder) {
  const auto panel = temp_file("proteus_lock_panel.h5");
  {
    WriteLock lock = WriteLock::acquire(panel, "test");
    const auto holder = lock_holder(panel);
    ASSERT_TRUE(holder.has_value());
    EXPECT_NE(holder->find("pid " + std::to_string(getpid())), std::string::npos) << *holder;
    try {
      WriteLock::acquire(panel, "second");
      FAIL() << "a second lock was granted";
    } catch (const SweepUsageError& e) {
      EXPECT_NE(std::string(e.what()).find("being written by another process"), std::string::npos);
    }
  }
  EXPECT_FALSE(lock_holder(panel).has_value());
  EXPECT_FALSE(std::filesystem::exists(lock_path(panel)));
  WriteLock again = WriteLock::acquire(panel, "after release");
}

}  // namespace
}  // namespace proteus::sweep
