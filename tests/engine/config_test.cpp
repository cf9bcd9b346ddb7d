// Scenario configuration: defaults, shipped configs, error positions and texts, overrides,
// latency inheritance and the resolved-key map used by parity checks.
#include "engine/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace proteus::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path kSourceDir = PROTEUS_SOURCE_DIR;

/// Runs `load` and returns the ConfigError it throws; fails the test when nothing is thrown.
template <class F>
ConfigError expect_config_error(F load) {
  try {
    load();
  } catch (const ConfigError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError("", 0, 0, "", "");
}

ConfigError load_error(const std::string& text, std::vector<std::string> overrides = {}) {
  return expect_config_error([&] { load_scenario(text, "fixture.toml", overrides); });
}

ScenarioSpec load(const std::string& text, std::vector<std::string> overrides = {}) {
  return load_scenario(text, "fixture.toml", overrides);
}

/// Keys whose values differ between two maps with the same key set.
std::vector<std::string> differing_keys(const std::map<std::string, std::string>& a,
                                        const std::map<std::string, std::string>& b) {
  std::vector<std::string> out;
  for (const auto& [key, value] : a) {
    if (b.at(key) != value) out.push_back(key);
  }
  return out;
}

TEST(ConfigDefaults, EmptyTextYieldsTheStructDefaults) {
  const ScenarioSpec spec = load("");
  EXPECT_EQ(spec.run.duration_s, 60.0);
  EXPECT_EQ(spec.run.mechanism, MechanismKind::kClob);
  EXPECT_EQ(spec.run.environment, Environment::kMarket);
  EXPECT_EQ(spec.run.seed, 1U);
  EXPECT_EQ(spec.market.tick_size, 0.001);
  EXPECT_EQ(spec.market.lot_size, 1.0);
  EXPECT_EQ(spec.latent.phi, 0.995);
  EXPECT_EQ(spec.agents.market_maker.h0, 0.02);
  EXPECT_EQ(spec.agents.noise.count, 20);
  EXPECT_EQ(spec.agents.sniper.enabled, false);
  EXPECT_EQ(spec.latency.sniper.fill.dist, DelayDist::kConstant);
  EXPECT_EQ(spec.latency.sniper.fill.value_ms, 1.0);
  EXPECT_THAT(spec.metrics.as_horizons_ms, ElementsAre(100.0, 1000.0, 10000.0));
  EXPECT_EQ(spec.as2008.A, 140.0);
}

TEST(ConfigDefaults, ResolvedKeysCoverEveryFieldWithCanonicalText) {
  const auto keys = resolved_keys(ScenarioSpec{});
  // run 6 + market 8 + latent 11 + market maker 26+2+2 + informed 10+2+2 + noise 14
  // + sniper 4+2 + latency 5 profiles * 4 channels * 6 + metrics 4 + as2008 9
  // + mechanism: fba 3, dual_flow 4, rfq 3 + requester 6 + dealer 3.
  EXPECT_EQ(keys.size(), 246U);
  EXPECT_EQ(keys.at("run.duration_s"), "60.0");
  EXPECT_EQ(keys.at("run.mechanism"), "\"clob\"");
  EXPECT_EQ(keys.at("run.seed"), "1");
  EXPECT_EQ(keys.at("market.tick_size"), "0.001");
  EXPECT_EQ(keys.at("market.max_order_lots"), "1000");
  EXPECT_EQ(keys.at("agents.sniper.enabled"), "false");
  EXPECT_EQ(keys.at("agents.noise.count"), "20");
  EXPECT_EQ(keys.at("agents.market_maker.schedule.mode"), "\"interval\"");
  EXPECT_EQ(keys.at("latency.default.submit.value_ms"), "1.0");
  EXPECT_EQ(keys.at("latency.market_maker.market_data.sigma"), "0.5");
  EXPECT_EQ(keys.at("metrics.as_horizons_ms"), "[100.0, 1000.0, 10000.0]");
  EXPECT_EQ(keys.at("as2008.T"), "1.0");
  EXPECT_EQ(keys.at("as2008.A"), "140.0");
  EXPECT_EQ(keys.at("as2008.spread"), "\"constant\"");
}

/// The scenario part of a sweep file (docs/sweep-config.md): the text without its [sweep] and
/// [grid...] tables; other files unchanged.
std::string scenario_part(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  bool skip = false;
  while (std::getline(in, line)) {
    if (line.starts_with("[")) {
      skip = line.starts_with("[sweep]") || line.starts_with("[grid") || line.starts_with("[[grid");
    }
    if (!skip) out += line + "\n";
  }
  return out;
}

TEST(ConfigShipped, EveryConfigInTheConfigsDirectoryLoads) {
  std::size_t count = 0;
  for (const auto& file : std::filesystem::directory_iterator(kSourceDir / "configs")) {
    if (file.path().extension() != ".toml") continue;
    SCOPED_TRACE(file.path().string());
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    // Sweep files are checked whole by the sweep layer; their scenario part must load here.
    EXPECT_NO_THROW(load_scenario(scenario_part(text.str()), file.path().string()));
    ++count;
  }
  EXPECT_GE(count, 3U);
}

TEST(ConfigShipped, QuickstartHasDepthProvidingNoiseTraders) {
  const ScenarioSpec spec = load_scenario_file(kSourceDir / "configs/quickstart.toml");
  EXPECT_EQ(spec.run.duration_s, 60.0);
  EXPECT_EQ(spec.run.mechanism, MechanismKind::kClob);
  EXPECT_EQ(spec.agents.market_maker.count, 1);
  EXPECT_EQ(spec.agents.informed.count, 1);
  EXPECT_EQ(spec.agents.noise.count, 20);
  EXPECT_EQ(spec.agents.noise.limit_fraction, 0.3);
}

TEST(ConfigShipped, PredecessorDefaultMatchesThePredecessorParameters) {
  const ScenarioSpec spec = load_scenario_file(kSourceDir / "configs/predecessor-default.toml");
  EXPECT_EQ(spec.run.duration_s, 20.0);
  EXPECT_EQ(spec.run.book_delay, BookDelay::kSubmitPlusAck);
  EXPECT_EQ(spec.run.after_horizon, AfterHorizon::kDrain);
  EXPECT_EQ(spec.market.tick_size, 1e-6);
  EXPECT_EQ(spec.market.lot_size, 1e-6);
  EXPECT_EQ(spec.market.cash_per_unit, 1'000'000'000'000);
  EXPECT_EQ(spec.market.self_trade, SelfTradeRule::kAllow);
  EXPECT_EQ(spec.market.crossing, Crossing::kEndOfInstant);
  EXPECT_EQ(spec.latent.first_step, LatentStart::kAtZero);
  const MarketMakerSpec& mm = spec.agents.market_maker;
  EXPECT_EQ(mm.quotes, QuoteLifetime::kGtc);
  EXPECT_EQ(mm.belief, BeliefRule::kSignalEwma);
  EXPECT_EQ(mm.belief_alpha, 0.35);
  EXPECT_EQ(mm.estimators, SpreadEstimators::kQuotesAndFills);
  EXPECT_EQ(mm.a, 0.002);
  EXPECT_EQ(mm.b, 0.5);
  EXPECT_EQ(mm.c, 0.5);
  EXPECT_EQ(mm.size_rule, QuoteSizeRule::kInventoryScaled);
  EXPECT_EQ(mm.inventory_limit, InventoryLimit::kReached);
  EXPECT_EQ(mm.signal.noise, 0.01);
  EXPECT_EQ(mm.count, 1);
  EXPECT_EQ(mm.h0, 0.02);
  EXPECT_EQ(mm.kappa, 0.01);
  EXPECT_EQ(mm.min_half_spread, 0.004);
  EXPECT_EQ(mm.size, 1.0);
  EXPECT_EQ(mm.max_inventory, 20.0);
  EXPECT_EQ(mm.schedule.interval_ms, 100.0);
  const InformedSpec& informed = spec.agents.informed;
  EXPECT_EQ(informed.count, 1);
  EXPECT_EQ(informed.theta, 0.01);
  EXPECT_EQ(informed.size_min, 0.5);
  EXPECT_EQ(informed.size_max, 2.0);
  EXPECT_EQ(informed.signal.delay_ms, 10.0);
  EXPECT_EQ(informed.signal.noise, 0.015);
  EXPECT_EQ(informed.activity, 0.06);
  EXPECT_EQ(informed.schedule.interval_ms, 100.0);
  EXPECT_EQ(informed.size_per_edge, 20.0);
  EXPECT_EQ(informed.order, TakerOrder::kLimit);
  EXPECT_EQ(informed.reference, PriceReference::kMmQuotes);
  EXPECT_EQ(informed.activity_draw, ActivityDraw::kPerDecision);
  const NoiseSpec& noise = spec.agents.noise;
  EXPECT_EQ(noise.count, 1);
  EXPECT_EQ(noise.rate, 1.8);
  EXPECT_EQ(noise.arrivals, NoiseArrivals::kPerStep);
  EXPECT_EQ(noise.limit_fraction, 1.0);
  EXPECT_EQ(noise.limit_price, NoiseLimitPrice::kAroundMid);
  EXPECT_EQ(noise.limit_offset_max, 0.05);
  EXPECT_TRUE(noise.limit_gtc);
  EXPECT_EQ(noise.reference, PriceReference::kMmQuotes);
  EXPECT_EQ(noise.size_min, 0.25);
  EXPECT_EQ(noise.size_max, 2.0);
  EXPECT_EQ(spec.latent.p0, 0.5);
  EXPECT_EQ(spec.latent.phi, 0.995);
  EXPECT_EQ(spec.latent.sigma_eta, 0.2);
  for (const LatencySpec* profile : {&spec.latency.market_maker, &spec.latency.informed,
                                     &spec.latency.noise, &spec.latency.sniper}) {
    EXPECT_EQ(profile->submit.value_ms, 1.0);
    EXPECT_EQ(profile->ack.value_ms, 1.0);
    EXPECT_EQ(profile->fill.value_ms, 1.0);
  }
}

TEST(ConfigShipped, As2008StrategyIsSelectableFromTheCommandLine) {
  const auto path = kSourceDir / "configs/as2008.toml";
  const ScenarioSpec spec = load_scenario_file(path);
  EXPECT_EQ(spec.run.environment, Environment::kAs2008);
  EXPECT_EQ(spec.as2008.gamma, 0.1);
  EXPECT_EQ(spec.as2008.strategy, As2008Strategy::kInventory);
  const std::vector<std::string> overrides = {"as2008.strategy=symmetric"};
  EXPECT_EQ(load_scenario_file(path, overrides).as2008.strategy, As2008Strategy::kSymmetric);
}

TEST(ConfigErrors, UnknownKeyNamesFileLineColumnKeyAndSuggestion) {
  const ConfigError error = load_error(
      "[run]\n"
      "duration_s = 10.0\n"
      "\n"
      "[agents.market_maker]\n"
      "  hh0 = 0.03\n");
  EXPECT_EQ(error.file(), "fixture.toml");
  EXPECT_EQ(error.line(), 5);
  EXPECT_EQ(error.column(), 3);
  EXPECT_EQ(error.key(), "agents.market_maker.hh0");
  EXPECT_STREQ(error.what(),
               "fixture.toml:5:3: unknown key 'agents.market_maker.hh0' (did you mean "
               "'agents.market_maker.h0'?)");
}

TEST(ConfigErrors, UnknownTableAndDottedKeysAreReportedAtTheirLevel) {
  const ConfigError table = load_error("[run]\nseed = 2\n[agent.noise]\nrate = 1.0\n");
  EXPECT_STREQ(table.what(), "fixture.toml:3:2: unknown key 'agent' (did you mean 'agents'?)");
  const ConfigError dotted = load_error("latent.sigma_eat = 0.1\n");
  EXPECT_STREQ(dotted.what(),
               "fixture.toml:1:8: unknown key 'latent.sigma_eat' (did you mean "
               "'latent.sigma_eta'?)");
  const ConfigError quoted = load_error("\"agents.noise\" = { rate = 1.0 }\n");
  EXPECT_STREQ(quoted.what(), "fixture.toml:1:1: unknown key 'agents.noise'");
  const ConfigError far = load_error("[latent]\nbanana = 1\n");
  EXPECT_STREQ(far.what(), "fixture.toml:2:1: unknown key 'latent.banana'");
}

TEST(ConfigErrors, WrongTypeNamesKeyValueAndExpectedType) {
  const ConfigError text = load_error("[agents.noise]\nrate = \"fast\"\n");
  EXPECT_EQ(text.key(), "agents.noise.rate");
  EXPECT_STREQ(text.what(),
               "fixture.toml:2:8: agents.noise.rate: expected a number (float or integer), got "
               "string \"fast\"");
  const ConfigError fraction = load_error("[agents.noise]\ncount = 2.5\n");
  EXPECT_STREQ(fraction.what(),
               "fixture.toml:2:9: agents.noise.count: expected an integer, got float 2.5");
  const ConfigError section = load_error("run = 5\n");
  EXPECT_STREQ(section.what(), "fixture.toml:1:7: run: expected a table, got integer 5");
  const ConfigError list = load_error("[metrics]\nas_horizons_ms = [100, \"x\"]\n");
  EXPECT_THAT(list.what(), HasSubstr("metrics.as_horizons_ms: expected an array of numbers, got "
                                     "string \"x\""));
}

TEST(ConfigErrors, IntegersAreAcceptedWhereADoubleIsExpected) {
  const ScenarioSpec spec =
      load("[agents.noise]\nrate = 2\n[metrics]\nas_horizons_ms = [50, 500.5]\n");
  EXPECT_EQ(spec.agents.noise.rate, 2.0);
  EXPECT_THAT(spec.metrics.as_horizons_ms, ElementsAre(50.0, 500.5));
}

TEST(ConfigErrors, OutOfRangeNamesKeyValueAndAllowedRange) {
  EXPECT_STREQ(load_error("[latent]\nphi = 1.5\n").what(),
               "fixture.toml:2:7: latent.phi = 1.5 is out of range: allowed [0, 1]");
  EXPECT_STREQ(load_error("[agents.noise]\ncount = -1\n").what(),
               "fixture.toml:2:9: agents.noise.count = -1 is out of range: allowed [0, 100000]");
  EXPECT_STREQ(load_error("[agents.market_maker]\ncount = -3\n").what(),
               "fixture.toml:2:9: agents.market_maker.count = -3 is out of range: allowed [0, "
               "100000]");
  EXPECT_STREQ(load_error("[run]\nduration_s = 0\n").what(),
               "fixture.toml:2:14: run.duration_s = 0.0 is out of range: allowed (0, 10000000]");
  EXPECT_STREQ(
      load_error("[agents.informed]\nactivity = -0.1\n").what(),
      "fixture.toml:2:12: agents.informed.activity = -0.1 is out of range: allowed [0, 1]");
  EXPECT_THAT(load_error("[latent]\np0 = nan\n").what(),
              HasSubstr("latent.p0 = nan is out of range: allowed (0, 1)"));
}

TEST(ConfigErrors, EnumeratedStringsListTheirAllowedValues) {
  struct Case {
    std::string key;
    std::string allowed;
  };
  const std::vector<Case> cases = {
      {"run.mechanism", "clob, fba, rfq, dual_flow"},
      {"run.environment", "market, as2008, glosten_milgrom"},
      {"latency.noise.fill.dist", "constant, uniform, exponential, lognormal"},
      {"agents.informed.schedule.mode", "interval, event"},
      {"agents.market_maker.rule", "linear, avellaneda_stoikov"},
      {"agents.noise.size_dist", "uniform, geometric"},
      {"latent.jump_dist", "normal, symmetric"},
      {"market.self_trade", "cancel_resting, cancel_incoming, allow"},
      {"market.crossing", "on_arrival, end_of_instant"},
      {"agents.market_maker.quotes", "replace, gtc"},
      {"agents.noise.arrivals", "poisson, per_step"},
      {"as2008.strategy", "inventory, symmetric"},
      {"as2008.spread", "constant, finite_horizon"},
      {"mechanism.fba.tie_rule", "imbalance, previous, midpoint, imbalance_midpoint"},
      {"mechanism.dual_flow.allocation", "time, pro_rata, random, time_any_price"},
  };
  for (const Case& c : cases) {
    const ConfigError error = load_error("", {c.key + "=zzzzzzzz"});
    EXPECT_EQ(error.key(), c.key);
    EXPECT_EQ(std::string(error.what()),
              "--set " + c.key + "=zzzzzzzz: " + c.key +
                  " = \"zzzzzzzz\" is not one of the allowed values: " + c.allowed);
  }
  EXPECT_THAT(load_error("[run]\nmechanism = \"cbob\"\n").what(),
              HasSubstr("allowed values: clob, fba, rfq, dual_flow (did you mean \"clob\"?)"));
}

TEST(ConfigErrors, CrossFieldChecksKeepCashExactAndBoundsOrdered) {
  EXPECT_STREQ(load_error("[market]\ntick_size = 0.0003\n").what(),
               "fixture.toml:2:13: market.tick_size = 0.0003: 1 / tick_size = 3333.3333333333335 "
               "must be an integer");
  // 1e6 * 0.001 * 0.0001 = 0.1 micros per tick per lot: not representable.
  EXPECT_THAT(load_error("[market]\nlot_size = 0.0001\n").what(),
              HasSubstr("fixture.toml:2:12: market.tick_size = 0.001 and market.lot_size = "
                        "0.0001: 1000000 * tick_size * lot_size = 0.1"));
  // 1e6 * 0.001 * 0.0015 = 1.5: not whole.
  EXPECT_THAT(load_error("[market]\nlot_size = 0.0015\n").what(), HasSubstr("= 1.5 must be"));
  EXPECT_THAT(
      load_error("[latency.informed.ack]\ndist = \"uniform\"\nlow_ms = 3\nhigh_ms = 2\n").what(),
      HasSubstr("fixture.toml:4:11: latency.informed.ack: uniform delay needs low_ms <= "
                "high_ms, got low_ms = 3.0 and high_ms = 2.0"));
  EXPECT_STREQ(load_error("[agents.noise]\nsize_min = 3\n").what(),
               "fixture.toml:2:12: agents.noise.size_max = 1.0 must be >= agents.noise.size_min "
               "= 3.0");
  EXPECT_THAT(load_error("[agents.market_maker]\nsize = 1.5\n").what(),
              HasSubstr("agents.market_maker.size = 1.5 must be a whole number >= 1 of lots"));
  EXPECT_THAT(load_error("[metrics]\nas_horizons_ms = [100, 100]\n").what(),
              HasSubstr("metrics.as_horizons_ms must be strictly increasing"));
  EXPECT_THAT(load_error("[as2008]\ndt = 2.0\n").what(),
              HasSubstr("as2008.dt = 2.0 must be <= as2008.T = 1.0"));
  EXPECT_EQ(load("[market]\nlot_size = 0.5\n[agents.market_maker]\nsize = 1.5\n")
                .agents.market_maker.size,
            1.5);
}

TEST(ConfigErrors, MalformedTomlCarriesTheParserPosition) {
  const ConfigError error = load_error("[run]\nduration_s = 10.0\nseed = \n");
  EXPECT_EQ(error.file(), "fixture.toml");
  EXPECT_EQ(error.line(), 3);
  EXPECT_GT(error.column(), 0);
  EXPECT_EQ(error.key(), "");
  EXPECT_THAT(error.what(), HasSubstr("fixture.toml:3:"));
}

TEST(ConfigErrors, UnreadableFileIsAConfigError) {
  const auto path = kSourceDir / "configs/does-not-exist.toml";
  const ConfigError error = expect_config_error([&] { load_scenario_file(path); });
  EXPECT_EQ(error.file(), path.string());
  EXPECT_EQ(error.line(), 0);
  EXPECT_THAT(error.what(), HasSubstr("cannot open"));
}

TEST(ConfigOverrides, OverridesReplaceFileValuesBeforeValidation) {
  const ScenarioSpec spec =
      load("[agents.market_maker]\nh0 = 0.05\n",
           {"agents.market_maker.h0=0.03", "metrics.as_horizons_ms=[50, 500]",
            "agents.sniper.enabled=true", "run.seed=42", "run.mechanism=\"rfq\""});
  EXPECT_EQ(spec.agents.market_maker.h0, 0.03);
  EXPECT_THAT(spec.metrics.as_horizons_ms, ElementsAre(50.0, 500.0));
  EXPECT_TRUE(spec.agents.sniper.enabled);
  EXPECT_EQ(spec.run.seed, 42U);
  EXPECT_EQ(spec.run.mechanism, MechanismKind::kRfq);
  // The last override of a key wins.
  EXPECT_EQ(load("", {"agents.noise.rate=2", "agents.noise.rate=3"}).agents.noise.rate, 3.0);
  // Validation sees the override: a lot size that breaks exact cash is rejected.
  EXPECT_THAT(load_error("", {"market.lot_size=0.0001"}).what(),
              HasSubstr("--set market.lot_size=0.0001: market.tick_size = 0.001 and"));
}

TEST(ConfigOverrides, BareWordIsAString) {
  EXPECT_EQ(load("", {"run.mechanism=fba"}).run.mechanism, MechanismKind::kFba);
  EXPECT_EQ(load("", {"latency.sniper.submit.dist = lognormal"}).latency.sniper.submit.dist,
            DelayDist::kLognormal);
  // A bare word where a number is expected is still a type error that names the override.
  EXPECT_STREQ(load_error("", {"agents.noise.rate=fast"}).what(),
               "--set agents.noise.rate=fast: agents.noise.rate: expected a number (float or "
               "integer), got string \"fast\"");
}

TEST(ConfigOverrides, UnknownKeyIsAnErrorWithSuggestion) {
  const ConfigError error = load_error("", {"agents.market_maker.hh0=1"});
  EXPECT_EQ(error.file(), "--set agents.market_maker.hh0=1");
  EXPECT_EQ(error.line(), 0);
  EXPECT_EQ(error.key(), "agents.market_maker.hh0");
  EXPECT_STREQ(error.what(),
               "--set agents.market_maker.hh0=1: unknown key 'agents.market_maker.hh0' (did you "
               "mean 'agents.market_maker.h0'?)");
  EXPECT_STREQ(load_error("", {"agnets.noise.rate=1"}).what(),
               "--set agnets.noise.rate=1: unknown key 'agnets.noise.rate' (did you mean "
               "'agents.noise.rate'?)");
  EXPECT_STREQ(load_error("", {"run.seed.x=1"}).what(),
               "--set run.seed.x=1: unknown key 'run.seed.x': 'run.seed' is a value, not a table");
  EXPECT_THAT(load_error("", {"run.seed"}).what(), HasSubstr("dotted.key=value"));
  EXPECT_THAT(load_error("", {"run.seed="}).what(), HasSubstr("missing value for run.seed"));
  EXPECT_THAT(load_error("", {"metrics.as_horizons_ms=[1, 2"}).what(),
              HasSubstr("--set metrics.as_horizons_ms=[1, 2: invalid TOML value"));
}

TEST(ConfigOverrides, AWholeTableCanBeSetInline) {
  const ScenarioSpec spec =
      load("", {"latency.noise.submit={dist = \"uniform\", low_ms = 2, high_ms = 4}"});
  EXPECT_EQ(spec.latency.noise.submit.dist, DelayDist::kUniform);
  EXPECT_EQ(spec.latency.noise.submit.low_ms, 2.0);
  EXPECT_EQ(spec.latency.noise.submit.high_ms, 4.0);
  EXPECT_THAT(load_error("", {"latency.noise.submit={dist = \"uniform\", lo_ms = 2}"}).what(),
              HasSubstr("unknown key 'latency.noise.submit.lo_ms' (did you mean "
                        "'latency.noise.submit.low_ms'?)"));
}

TEST(ConfigOverrides, AFailingOverrideLeavesNothingBehind) {
  const std::string text = "[agents.noise]\nrate = 1.0\n";
  const ConfigError error = load_error(text, {"agents.noise.rate=3", "latent.phi=2"});
  EXPECT_EQ(error.key(), "latent.phi");
  // Loading again without the bad override sees the file plus the good override only.
  const auto base = resolved_keys(load(text));
  const auto good = resolved_keys(load(text, {"agents.noise.rate=3"}));
  EXPECT_THAT(differing_keys(base, good), ElementsAre("agents.noise.rate"));
  EXPECT_EQ(base.at("agents.noise.rate"), "1.0");
  EXPECT_EQ(base.at("latent.phi"), "0.995");
}

TEST(ConfigLatency, ClassProfilesInheritTheDefaultThenOverrideFields) {
  // The class table comes first in the file: inheritance must not depend on order.
  const ScenarioSpec spec = load(
      "[latency.market_maker.submit]\n"
      "high_ms = 2.0\n"
      "[latency.default.submit]\n"
      "dist = \"uniform\"\n"
      "low_ms = 1.0\n"
      "high_ms = 3.0\n"
      "[latency.default.fill]\n"
      "value_ms = 5.0\n"
      "[latency.sniper.fill]\n"
      "dist = \"exponential\"\n");
  EXPECT_EQ(spec.latency.default_profile.submit.dist, DelayDist::kUniform);
  EXPECT_EQ(spec.latency.default_profile.submit.high_ms, 3.0);
  EXPECT_EQ(spec.latency.market_maker.submit.dist, DelayDist::kUniform);
  EXPECT_EQ(spec.latency.market_maker.submit.low_ms, 1.0);
  EXPECT_EQ(spec.latency.market_maker.submit.high_ms, 2.0);
  EXPECT_EQ(spec.latency.informed.submit.high_ms, 3.0);
  EXPECT_EQ(spec.latency.market_maker.fill.value_ms, 5.0);
  EXPECT_EQ(spec.latency.sniper.fill.dist, DelayDist::kExponential);
  EXPECT_EQ(spec.latency.sniper.fill.value_ms, 5.0);
  EXPECT_EQ(spec.latency.noise.fill.dist, DelayDist::kConstant);
  const auto keys = resolved_keys(spec);
  EXPECT_EQ(keys.at("latency.noise.submit.dist"), "\"uniform\"");
  EXPECT_EQ(keys.at("latency.market_maker.submit.high_ms"), "2.0");
}

TEST(ConfigLatency, InheritedBoundsAreCheckedPerClassAtTheClassKey) {
  const ConfigError error = load_error(
      "[latency.default.submit]\n"
      "dist = \"uniform\"\n"
      "low_ms = 1.0\n"
      "high_ms = 3.0\n"
      "[latency.noise.submit]\n"
      "high_ms = 0.5\n");
  EXPECT_EQ(error.key(), "latency.noise.submit.high_ms");
  EXPECT_EQ(error.line(), 6);
}

TEST(ConfigResolvedKeys, OneChangedFieldChangesExactlyOneKey) {
  const ScenarioSpec base;
  const auto base_keys = resolved_keys(base);
  auto expect_one = [&](const ScenarioSpec& changed, const std::string& key,
                        const std::string& text) {
    SCOPED_TRACE(key);
    const auto keys = resolved_keys(changed);
    EXPECT_THAT(differing_keys(base_keys, keys), ElementsAre(key));
    EXPECT_EQ(keys.at(key), text);
  };
  ScenarioSpec s = base;
  s.agents.market_maker.h0 = 0.1 + 0.2;
  expect_one(s, "agents.market_maker.h0", "0.30000000000000004");
  s = base;
  s.run.seed = 18446744073709551615ULL;
  expect_one(s, "run.seed", "18446744073709551615");
  s = base;
  s.market.maker_fee_micros = -25;
  expect_one(s, "market.maker_fee_micros", "-25");
  s = base;
  s.agents.sniper.enabled = true;
  expect_one(s, "agents.sniper.enabled", "true");
  s = base;
  s.run.mechanism = MechanismKind::kDualFlow;
  expect_one(s, "run.mechanism", "\"dual_flow\"");
  s = base;
  s.metrics.as_horizons_ms = {1.5, 1e20};
  expect_one(s, "metrics.as_horizons_ms", "[1.5, 1e+20]");
  s = base;
  s.latency.noise.market_data.sigma = 0.25;
  expect_one(s, "latency.noise.market_data.sigma", "0.25");
  s = base;
  s.latency.default_profile.ack.value_ms = 2.0;
  expect_one(s, "latency.default.ack.value_ms", "2.0");
  s = base;
  s.agents.informed.schedule.interval_ms = 250.0;
  expect_one(s, "agents.informed.schedule.interval_ms", "250.0");
  s = base;
  s.as2008.T = 2.0;
  expect_one(s, "as2008.T", "2.0");
}

TEST(ConfigResolvedKeys, RoundTripThroughTomlIsExact) {
  const std::vector<std::string> overrides = {
      "agents.market_maker.h0=0.30000000000000004",
      "latency.informed.fill={dist = \"lognormal\", median_ms = 3.5, sigma = 0.7}",
      "metrics.as_horizons_ms=[10, 250.5, 1000]",
      "run.seed=9000000000000000000",
      "agents.sniper.enabled=true",
      "market.taker_fee_micros=-7",
      "as2008.strategy=symmetric"};
  const ScenarioSpec original =
      load_scenario_file(kSourceDir / "configs/predecessor-default.toml", overrides);
  const auto keys = resolved_keys(original);
  std::string text;
  for (const auto& [key, value] : keys) text.append(key).append(" = ").append(value).append("\n");
  const auto reloaded = resolved_keys(load_scenario(text, "resolved.toml"));
  EXPECT_EQ(reloaded, keys);
  EXPECT_EQ(keys.at("latency.informed.fill.median_ms"), "3.5");
  EXPECT_EQ(keys.at("latency.noise.fill.dist"), "\"constant\"");
  EXPECT_EQ(keys.at("run.seed"), "9000000000000000000");
}

TEST(ConfigDocs, EveryKeyIsDocumented) {
  std::ifstream in(kSourceDir / "docs/config.md");
  ASSERT_TRUE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string docs = buffer.str();
  for (const auto& [key, value] : resolved_keys(ScenarioSpec{})) {
    std::string documented = key;
    // Latency keys are documented once as latency.<profile>.<channel>.<field>.
    if (key.starts_with("latency.")) {
      documented = "latency.<profile>.<channel>." + key.substr(key.rfind('.') + 1);
    }
    EXPECT_THAT(docs, HasSubstr("`" + documented + "`"));
  }
}

// One quoting for TOML values in messages and for JSON output: both grammars accept it.
TEST(QuoteString, EscapesWhatTomlAndJsonRequire) {
  EXPECT_EQ(quote_string("plain"), "\"plain\"");
  EXPECT_EQ(quote_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quote_string("l1\nl2\tt\rr"), R"("l1\nl2\tt\rr")");
  EXPECT_EQ(quote_string(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001F\u007F")");
  EXPECT_EQ(quote_string(std::string("nul\0end", 7)), R"("nul\u0000end")");
  EXPECT_EQ(quote_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace proteus::engine
