// Input limits of one run: what the simulation clock can hold (steps, durations, rates), the
// event-count estimate, config file size and how long values are echoed in messages.
#include "engine/run_limits.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/config.hpp"

namespace proteus::engine {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

/// The message of the ConfigError that loading `text` with `overrides` throws ("" if none).
std::string load_message(const std::string& text, std::vector<std::string> overrides = {}) {
  try {
    load_scenario(text, "limits.toml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for: " << text;
  return "";
}

std::string override_message(const std::string& override_text) {
  return load_message("", {override_text});
}

TEST(ClockLimits, StepsBelowOneMicrosecondAreRefusedWithKeyAndValue) {
  EXPECT_THAT(load_message("[latent]\ndt_ms = 1e-9\n"),
              AllOf(HasSubstr("limits.toml:2:9: latent.dt_ms = 1e-09 ms is below the shortest "
                              "step"),
                    HasSubstr("0.001 ms (1 us)")));
  EXPECT_THAT(override_message("metrics.sample_ms=1e-7"),
              HasSubstr("metrics.sample_ms = 1e-07 ms is below the shortest step"));
  EXPECT_THAT(override_message("agents.market_maker.schedule.interval_ms=1e-7"),
              HasSubstr("agents.market_maker.schedule.interval_ms = 1e-07 ms is below"));
  EXPECT_THAT(override_message("agents.informed.schedule.interval_ms=0.0009"),
              HasSubstr("agents.informed.schedule.interval_ms = 0.0009 ms is below"));
  EXPECT_THAT(override_message("mechanism.fba.delta_ms=1e-4"),
              HasSubstr("mechanism.fba.delta_ms = 0.0001 ms is below"));
  EXPECT_THAT(override_message("mechanism.dual_flow.delta_ms=1e-4"),
              HasSubstr("mechanism.dual_flow.delta_ms = 0.0001 ms is below"));
}

TEST(ClockLimits, TheShortestStepItselfIsAccepted) {
  const ScenarioSpec spec = load_scenario(
      "", "limits.toml", std::vector<std::string>{"metrics.sample_ms=0.001", "run.duration_s=1"});
  EXPECT_EQ(spec.metrics.sample_ms, kMinStepMs);
}

TEST(ClockLimits, DurationsShorterThanOneNanosecondAreRefused) {
  EXPECT_THAT(override_message("latency.default.submit.value_ms=1e-7"),
              AllOf(HasSubstr("latency.default.submit.value_ms = 1e-07 ms is shorter than 1 ns"),
                    HasSubstr("use 0 or at least 1e-06 ms")));
  EXPECT_THAT(override_message("latency.noise.fill.median_ms=1e-9"),
              AllOf(HasSubstr("latency.noise.fill.median_ms = 1e-09 ms is shorter than 1 ns"),
                    HasSubstr("use at least 1e-06 ms")));
  EXPECT_THAT(override_message("agents.informed.signal.delay_ms=1e-8"),
              HasSubstr("agents.informed.signal.delay_ms = 1e-08 ms is shorter than 1 ns"));
  EXPECT_THAT(override_message("agents.noise.limit_ttl_ms=1e-8"),
              HasSubstr("agents.noise.limit_ttl_ms = 1e-08 ms is shorter than 1 ns"));
  EXPECT_THAT(override_message("mechanism.rfq.ttl_ms=1e-8"),
              HasSubstr("mechanism.rfq.ttl_ms = 1e-08 ms is shorter than 1 ns"));
  EXPECT_THAT(override_message("mechanism.rfq.response_ms=1e-8"),
              HasSubstr("mechanism.rfq.response_ms = 1e-08 ms is shorter than 1 ns"));
  EXPECT_THAT(override_message("metrics.as_horizons_ms=[1e-8, 100.0]"),
              HasSubstr("metrics.as_horizons_ms = 1e-08 ms is shorter than 1 ns"));
  EXPECT_THAT(override_message("run.duration_s=1e-12"),
              HasSubstr("run.duration_s = 1e-12 s is shorter than 1 ns"));
}

TEST(ClockLimits, ZeroDelaysStayAllowed) {
  const ScenarioSpec spec = load_scenario(
      "", "limits.toml",
      std::vector<std::string>{"latency.default.submit.value_ms=0", "agents.noise.rate=0"});
  EXPECT_EQ(spec.latency.noise.submit.value_ms, 0.0);
  EXPECT_EQ(spec.agents.noise.rate, 0.0);
}

TEST(ClockLimits, PositiveRatesBelowTheMinimumAreRefused) {
  for (const char* rate : {"1e-10", "1e-15", "1e-308"}) {
    EXPECT_THAT(override_message(std::string("agents.noise.rate=") + rate),
                AllOf(HasSubstr("agents.noise.rate = "),
                      HasSubstr("per second is below the smallest positive rate, 1e-06")))
        << rate;
  }
  EXPECT_NO_THROW(
      load_scenario("", "limits.toml", std::vector<std::string>{"agents.noise.rate=1e-6"}));
}

TEST(EventEstimate, CountsEveryRecurringSourceOfTheDefaultScenario) {
  const ScenarioSpec spec = load_scenario("", "limits.toml");
  const EventEstimate estimate = estimate_events(spec);
  // 60 s: 600 latent steps, 600 samples, 600 market-maker and 600 informed decision slots,
  // 20 noise traders x 1.8 per second x 60 s = 2160 arrivals.
  EXPECT_DOUBLE_EQ(estimate.total, 600.0 * 4 + 2160.0);
  EXPECT_DOUBLE_EQ(estimate.largest, 2160.0);
  EXPECT_EQ(estimate.largest_key, "agents.noise.rate");
}

TEST(EventEstimate, LatentJumpsCountOnePerJump) {
  ScenarioSpec spec = load_scenario("", "limits.toml");
  const double without = estimate_events(spec).total;
  spec.latent.jump_rate = 2.0;
  EXPECT_DOUBLE_EQ(estimate_events(spec).total, without + 120.0);
  EXPECT_THAT(load_message("", {"latent.jump_rate=1000", "run.duration_s=1e6"}),
              HasSubstr("comes from latent.jump_rate"));
}

TEST(EventEstimate, BatchClearsCountOnlyForTheRunsMechanism) {
  ScenarioSpec spec = load_scenario("", "limits.toml");
  spec.mechanism.fba.delta_ms = 1.0;
  const double clob = estimate_events(spec).total;
  spec.run.mechanism = MechanismKind::kFba;
  EXPECT_DOUBLE_EQ(estimate_events(spec).total, clob + 60'000.0);
  spec.run.environment = Environment::kAs2008;
  EXPECT_DOUBLE_EQ(estimate_events(spec).total, 200.0);  // T / dt = 1 / 0.005
  EXPECT_EQ(estimate_events(spec).largest_key, "as2008.dt");
}

TEST(EventEstimate, AnAbsurdEstimateIsRefusedWithTheNumberAndTheKey) {
  // 1e7 s in steps of 1 ms: 1e10 latent steps.
  EXPECT_THAT(load_message("[run]\nduration_s = 1e7\n[latent]\ndt_ms = 1.0\n"),
              AllOf(HasSubstr("limits.toml:4:9: about 1.07e+10 events per run, above the limit "
                              "of 1e+08 (the largest share, 1e+10,"),
                    HasSubstr("comes from latent.dt_ms")));
  EXPECT_THAT(load_message("", {"agents.noise.count=100000", "agents.noise.rate=100"}),
              AllOf(HasSubstr("--set agents.noise.rate=100: about 6e+08 events per run"),
                    HasSubstr("the largest share, 6e+08, comes from agents.noise.rate")));
  EXPECT_THAT(load_message("[run]\nenvironment = \"as2008\"\n[as2008]\nT = 1e6\ndt = 1e-300\n"),
              AllOf(HasSubstr("about 1e+306 events per run"), HasSubstr("comes from as2008.dt"),
                    HasSubstr("a shorter as2008.T")));
}

TEST(EventEstimate, EveryShippedConfigIsFarBelowTheLimit) {
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(PROTEUS_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".toml") continue;  // e.g. the experiments/ folder
    const std::string text = read_config_file(entry.path());
    if (text.find("[sweep]") != std::string::npos) continue;
    const ScenarioSpec spec = load_scenario(text, entry.path().string());
    EXPECT_LT(estimate_events(spec).total, kMaxEventsPerRun / 100) << entry.path();
  }
}

TEST(ConfigFileLimits, ADirectoryIsRefusedByName) {
  const auto dir = std::filesystem::temp_directory_path();
  try {
    read_config_file(dir);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.string() + ": is a directory, not a config file");
  }
}

TEST(ConfigFileLimits, AnEndlessFileFailsFastAtTheSizeCap) {
  const auto start = std::chrono::steady_clock::now();
  try {
    read_config_file("/dev/zero");
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/dev/zero: larger than 16 MiB, the limit for a config file");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(ConfigFileLimits, AFileAtTheCapIsRead) {
  const auto path = std::filesystem::temp_directory_path() / "proteus_cap_test.toml";
  {
    std::ofstream out(path, std::ios::binary);
    const std::string line(1023, '#');
    for (std::size_t i = 0; i < kMaxConfigBytes / 1024; ++i) out << line << '\n';
  }
  EXPECT_EQ(read_config_file(path).size(), kMaxConfigBytes);
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << '\n';
  }
  EXPECT_THROW(read_config_file(path), ConfigError);
  std::filesystem::remove(path);
}

TEST(EchoedValues, ALongStringValueIsCutInTheMessage) {
  const std::string huge(5'000'000, 'x');
  const std::string message = load_message("[run]\nmechanism = \"" + huge + "\"\n");
  EXPECT_THAT(message, HasSubstr("run.mechanism = \"xxxxxxxx"));
  EXPECT_THAT(message, HasSubstr("... (5000000 bytes) is not one of the allowed values"));
  EXPECT_LT(message.size(), 400U);
}

TEST(EchoedValues, ALongValueOfTheWrongTypeAndALongUnknownKeyAreCut) {
  const std::string huge(1'000'000, 'y');
  EXPECT_LT(load_message("[latent]\nphi = \"" + huge + "\"\n").size(), 400U);
  EXPECT_THAT(load_message("[latent]\n" + huge + " = 1\n"),
              AllOf(HasSubstr("unknown key 'latent.yyyy"), HasSubstr("... (1000007 bytes)'"),
                    Not(HasSubstr("did you mean"))));
}

TEST(EchoedValues, ExcerptCutsAtACharacterBoundary) {
  EXPECT_EQ(excerpt("short"), "short");
  EXPECT_EQ(excerpt("abcdef", 3), "abc... (6 bytes)");
  // "é" is two bytes; a cut inside it backs off to before it.
  EXPECT_EQ(excerpt("ab\xc3\xa9z", 3), "ab... (5 bytes)");
  EXPECT_EQ(quote_excerpt("a\"bcdef", 3), "\"a\\\"b\"... (7 bytes)");
}

TEST(ChoiceError, NamesTheKeyTheValueAndASuggestion) {
  EXPECT_EQ(choice_error("run.mechanism", "fbb"),
            "run.mechanism = \"fbb\" is not one of the allowed values: clob, fba, rfq, "
            "dual_flow (did you mean \"fba\"?)");
  EXPECT_EQ(choice_error("run.mechanism", "rfq"), std::nullopt);
  EXPECT_EQ(choice_error("latent.phi", "anything"), std::nullopt);
}

}  // namespace
}  // namespace proteus::engine
