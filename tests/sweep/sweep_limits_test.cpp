// Sweep plans refused before any cell exists: repetitions and cells beyond the panel's uint32
// columns, counts that overflow 64 bits, grids too large to hold on every rank, unknown
// mechanism names, and shard arithmetic that would overflow.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "engine/config.hpp"
#include "sweep/errors.hpp"
#include "sweep/shard.hpp"
#include "sweep/sweep_config.hpp"

namespace proteus::sweep {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

/// The message of the ConfigError that parse_sweep throws for `text` ("" when none).
std::string parse_message(const std::string& text) {
  try {
    parse_sweep(text, "limits.toml");
  } catch (const engine::ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

/// "[1, 2, ..., n]" as a TOML array of integers.
std::string integers(int n) {
  std::string out = "[";
  for (int i = 1; i <= n; ++i) out += (i > 1 ? ", " : "") + std::to_string(i);
  return out + "]";
}

std::string sweep_with(const std::string& repetitions, const std::string& grid) {
  return "[sweep]\nmaster_seed = 1\nrepetitions = " + repetitions + "\n[grid]\n" + grid;
}

TEST(SweepLimits, RepetitionsBeyondTheUint32RepColumnAreRefused) {
  for (const char* reps : {"4294967296", "6442450944", "4611686018427387905"}) {
    EXPECT_EQ(parse_message(sweep_with(reps, "\"run.mechanism\" = [\"clob\", \"fba\"]\n")),
              std::string("limits.toml:3:15: sweep.repetitions = ") + reps +
                  " is out of range: allowed [1, 4294967295] (the panel stores the repetition "
                  "index /runs/rep as uint32)")
        << reps;
  }
}

TEST(SweepLimits, RepetitionsAtTheLimitGiveAnExactRunCount) {
  const SweepPlan plan =
      parse_sweep(sweep_with("4294967295", "\"run.mechanism\" = [\"clob\", \"fba\"]\n"), "l.toml");
  EXPECT_EQ(plan.total_runs(), 2 * std::uint64_t{4294967295});
}

TEST(SweepLimits, ZeroRepetitionsNameTheRange) {
  EXPECT_EQ(parse_message(sweep_with("0", "")),
            "limits.toml:3:15: sweep.repetitions = 0 is out of range: allowed [1, 4294967295]");
}

TEST(SweepLimits, CellsBeyondTheUint32CellColumnAreRefusedAtOnce) {
  // 2000^3 = 8e9 cells: counted from the axis sizes, never built.
  const std::string axis = integers(2000);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(parse_message(sweep_with("1", "\"agents.noise.count\" = " + axis +
                                              "\n\"agents.informed.count\" = " + axis +
                                              "\n\"agents.market_maker.count\" = " + axis + "\n")),
            "limits.toml:4:1: the grid expands to 8,000,000,000 cells, more than 4,294,967,295 "
            "(the panel stores the cell index /runs/cell as uint32)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(SweepLimits, ACellCountBeyond64BitsSaturatesInTheMessage) {
  // 2000^6 > 2^64.
  std::string grid;
  for (const char* key :
       {"agents.noise.count", "agents.informed.count", "agents.market_maker.count",
        "agents.sniper.count", "mechanism.rfq.dealers", "market.max_order_lots"}) {
    grid += std::string("\"") + key + "\" = " + integers(2000) + "\n";
  }
  EXPECT_THAT(parse_message(sweep_with("1", grid)),
              HasSubstr("the grid expands to more than 2^64 cells"));
}

TEST(SweepLimits, AGridTooLargeForEveryRanksMemoryIsRefusedWithTheEstimate) {
  // 20000 x 20000 = 4e8 cells, below the uint32 limit but far above the memory bound.
  const std::string axis = integers(20000);
  const auto start = std::chrono::steady_clock::now();
  const std::string message =
      parse_message(sweep_with("1", "\"agents.noise.count\" = " + axis +
                                        "\n\"agents.market_maker.count\" = " + axis + "\n"));
  EXPECT_THAT(message, AllOf(HasSubstr("limits.toml:4:1: the grid expands to 400,000,000 cells, "
                                       "which every rank holds resolved: about "),
                             HasSubstr("MiB at "), HasSubstr("above the limit of 1024 MiB")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(SweepLimits, AMillionValueAxisIsRefusedBeforeItsCellsExist) {
  const std::string axis = integers(1'000'000);
  const std::string message = parse_message(sweep_with("1", "\"agents.noise.count\" = " + axis));
  EXPECT_THAT(message, HasSubstr("the grid expands to 1,000,000 cells, which every rank holds"));
}

TEST(SweepLimits, AModestGridRecordsItsMemoryEstimate) {
  const SweepPlan plan =
      parse_sweep(sweep_with("3", "\"agents.noise.count\" = " + integers(10)), "l.toml");
  ASSERT_EQ(plan.cells.size(), 10U);
  EXPECT_GT(plan.grid_bytes, 10U * sizeof(Cell));
  EXPECT_LT(plan.grid_bytes, kMaxGridBytes);
}

TEST(SweepLimits, PerMechanismAxesMultiplyOnlyTheirMechanismsCells) {
  // clob: 2 cells; fba: 2 x 3 = 6 cells.
  const SweepPlan plan = parse_sweep(
      sweep_with("1",
                 "\"run.mechanism\" = [\"clob\", \"fba\"]\n\"latent.sigma_eta\" = [0.1, 0.2]\n"
                 "[grid.per_mechanism.fba]\n\"mechanism.fba.delta_ms\" = [10.0, 20.0, 30.0]\n"),
      "l.toml");
  EXPECT_EQ(plan.cells.size(), 8U);
  EXPECT_GT(plan.grid_bytes, 0U);
}

TEST(SweepLimits, AnUnknownMechanismIsBlamedOnTheMechanismAxis) {
  EXPECT_EQ(parse_message(sweep_with("2",
                                     "\"run.mechanism\" = [\"clob\", \"fbb\"]\n"
                                     "[grid.per_mechanism.fba]\n"
                                     "\"mechanism.fba.delta_ms\" = [10.0, 20.0]\n")),
            "limits.toml:5:19: run.mechanism = \"fbb\" is not one of the allowed values: clob, "
            "fba, rfq, dual_flow (did you mean \"fba\"?)");
}

TEST(SweepLimits, AnUnknownPerMechanismTableIsNamed) {
  EXPECT_THAT(parse_message(sweep_with("2",
                                       "\"run.mechanism\" = [\"clob\", \"fba\"]\n"
                                       "[grid.per_mechanism.fbb]\n"
                                       "\"mechanism.fba.delta_ms\" = [10.0, 20.0]\n")),
              HasSubstr("run.mechanism = \"fbb\" is not one of the allowed values"));
}

TEST(SweepLimits, AnUnknownFileMechanismIsBlamedWhereItIsWritten) {
  EXPECT_EQ(parse_message("[run]\nmechanism = \"rfx\"\n" +
                          sweep_with("2", "\"latent.sigma_eta\" = [0.1, 0.2]\n")),
            "limits.toml:2:13: run.mechanism = \"rfx\" is not one of the allowed values: clob, "
            "fba, rfq, dual_flow (did you mean \"rfq\"?)");
}

TEST(SweepLimits, ADirectoryAsTheSweepFileIsNamedAsSuch) {
  const auto dir = std::filesystem::temp_directory_path();
  try {
    load_sweep_file(dir);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const engine::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.string() + ": is a directory, not a config file");
    EXPECT_THAT(e.what(), Not(HasSubstr("[sweep]")));
  }
}

TEST(SweepLimits, ALongGridStringIsCutInTheCellError) {
  const std::string huge(2'000'000, 'z');
  const SweepPlan plan =
      parse_sweep(sweep_with("1", R"("run.environment" = [")" + huge + "\"]\n"), "l.toml");
  try {
    SweepPlan copy = plan;
    resolve_cells(copy);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const engine::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("... (2000000 bytes)"));
    EXPECT_LT(std::string(e.what()).size(), 600U);
  }
}

TEST(ShardLimits, RowsOfAPlanThatOverflows64BitsAreRefused) {
  EXPECT_THROW(shard_rows(Shard{0, 2}, std::uint64_t{1} << 33, std::uint64_t{1} << 32),
               SweepUsageError);
  EXPECT_EQ(row_count(shard_rows(Shard{1, 2}, 3, 4)), 6U);
}

}  // namespace
}  // namespace proteus::sweep
