// Choice enums: every names table maps each value to one name and back.
#include "engine/choices.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

namespace proteus::engine {
namespace {

template <Choice E>
void expect_round_trip() {
  std::set<std::string_view> names;
  for (const ChoiceName<E>& c : choice_names(E{})) {
    EXPECT_EQ(to_string(c.value), c.name);
    EXPECT_EQ(parse_choice<E>(c.name), c.value);
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate name " << c.name;
  }
  EXPECT_FALSE(parse_choice<E>("no_such_name").has_value());
}

TEST(Choices, EveryNameParsesToItsValueAndBack) {
  expect_round_trip<MechanismKind>();
  expect_round_trip<Environment>();
  expect_round_trip<DelayDist>();
  expect_round_trip<ScheduleMode>();
  expect_round_trip<QuoteRule>();
  expect_round_trip<SizeDist>();
  expect_round_trip<JumpDist>();
  expect_round_trip<SelfTradeRule>();
  expect_round_trip<As2008Strategy>();
  expect_round_trip<TieRule>();
  expect_round_trip<Allocation>();
}

TEST(Choices, NamesAreTheTomlSpellings) {
  EXPECT_EQ(to_string(MechanismKind::kDualFlow), "dual_flow");
  EXPECT_EQ(to_string(QuoteRule::kAvellanedaStoikov), "avellaneda_stoikov");
  EXPECT_EQ(to_string(Allocation::kProRata), "pro_rata");
}

}  // namespace
}  // namespace proteus::engine
