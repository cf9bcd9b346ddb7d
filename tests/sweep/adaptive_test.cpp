// The sweep-text edit behind panel growth, the block schedule and --target parsing.
#include "sweep/adaptive.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "sweep/errors.hpp"
#include "sweep/panel_grow.hpp"

namespace proteus::sweep {
namespace {

constexpr const char* kText =
    "# repetitions = 5 in a comment stays\n"
    "[run]\nduration_s = 2.0\n\n"
    "[sweep]\nname = \"s\"\nmaster_seed = 7\nrepetitions   =   12 # twelve\n"
    "[grid]\n\"agents.informed.activity\" = [0.06, 0.03]\n";

TEST(WithRepetitions, ReplacesOnlyTheValueOfSweepRepetitions) {
  const std::string out = with_repetitions(kText, "t.toml", 300);
  std::string expected = kText;
  expected.replace(expected.find("12 # twelve"), 2, "300");
  EXPECT_EQ(out, expected);
}

TEST(WithRepetitions, RefusesTextWithoutRepetitions) {
  EXPECT_THROW(with_repetitions("[sweep]\nname = \"s\"\n", "t.toml", 3), engine::ConfigError);
}

TEST(RepetitionsOnlyChange, ReturnsTheStoredCountWhenNothingElseDiffers) {
  const std::string grown = with_repetitions(kText, "t.toml", 40);
  EXPECT_EQ(repetitions_only_change(kText, grown), 12u);
  EXPECT_EQ(repetitions_only_change(grown, kText), 40u);
  EXPECT_EQ(repetitions_only_change(kText, kText), 12u);
  std::string other = grown;
  other.replace(other.find("2.0"), 3, "3.0");
  EXPECT_FALSE(repetitions_only_change(kText, other).has_value());
  EXPECT_FALSE(repetitions_only_change("not toml [", grown).has_value());
}

TEST(BlockSchedule, AddsABlockUntilTheCapAndEndsExactlyThere) {
  const BlockSchedule s{64, 64, 200};
  EXPECT_EQ(s.repetitions(0), 64u);
  EXPECT_EQ(s.repetitions(1), 128u);
  EXPECT_EQ(s.repetitions(2), 192u);
  EXPECT_EQ(s.repetitions(3), 200u);
  EXPECT_EQ(s.repetitions(9), 200u);
  EXPECT_EQ(s.block_of(64), 0u);
  EXPECT_EQ(s.block_of(192), 2u);
  EXPECT_EQ(s.block_of(200), 3u);
  EXPECT_THROW(s.block_of(100), SweepUsageError);
  EXPECT_THROW(s.block_of(32), SweepUsageError);
}

TEST(ParseGoal, ReadsCellAndContrastFormsAndRefusesBadHalfWidths) {
  const PrecisionGoal cell = parse_goal("as_loss_1s=0.05");
  EXPECT_EQ(cell.metric, "as_loss_1s");
  EXPECT_DOUBLE_EQ(cell.half_width, 0.05);
  EXPECT_FALSE(cell.contrast);
  const PrecisionGoal contrast = parse_goal("contrast:mm_pnl=2");
  EXPECT_EQ(contrast.metric, "mm_pnl");
  EXPECT_TRUE(contrast.contrast);
  for (const char* bad : {"mm_pnl", "=1", "mm_pnl=", "mm_pnl=0", "mm_pnl=-1", "mm_pnl=inf",
                          "mm_pnl=nan", "mm_pnl=1x"}) {
    EXPECT_THROW(parse_goal(bad), SweepUsageError) << bad;
  }
}

TEST(BlockPrecision, CountsMetTargetsAndTheWorstRatio) {
  std::vector<GoalPrecision> cells(3);
  cells[0] = {"m", false, 0, 0, "a", 10, 0.5, 1.0, true};
  cells[1] = {"m", false, 1, 0, "b", 10, 2.0, 1.0, false};
  cells[2] = {"m", false, 2, 0, "c", 0, std::nan(""), 1.0, true};  // no usable value: met
  const BlockPrecision b = block_precision(1, 24, cells);
  EXPECT_EQ(b.meeting, 2u);
  EXPECT_EQ(b.total, 3u);
  EXPECT_DOUBLE_EQ(b.max_ratio, 2.0);
  EXPECT_DOUBLE_EQ(b.max_half_width, 2.0);
  EXPECT_EQ(b.repetitions, 24u);
}

}  // namespace
}  // namespace proteus::sweep
