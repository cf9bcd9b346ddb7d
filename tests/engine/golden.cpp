// Golden runs and their text (golden.hpp).
#include "golden.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <sstream>

#include "engine/config.hpp"
#include "engine/metrics_registry.hpp"

namespace proteus::engine::testing {

const std::vector<std::string> kMechanisms{"clob", "fba", "rfq", "dual_flow"};

ScenarioSpec with_mechanism(ScenarioSpec s, const std::string& mechanism) {
  s.run.mechanism = parse_choice<MechanismKind>(mechanism).value();
  s.mechanism.dual_flow.acknowledge_gate = true;
  return s;
}

ScenarioSpec small_market() {
  ScenarioSpec s;
  s.run.duration_s = 5.0;
  s.agents.market_maker.count = 2;
  s.agents.noise.count = 6;
  s.agents.noise.rate = 4.0;
  s.agents.noise.limit_fraction = 0.0;  // noise decisions then read no market state
  s.agents.informed.activity = 0.3;
  s.agents.informed.signal.noise = 0.01;
  s.agents.market_maker.signal.noise = 0.02;
  s.latent.jump_rate = 0.5;
  return s;
}

std::vector<GoldenCase> golden_cases(const std::string& source_dir) {
  std::vector<GoldenCase> cases;
  const ScenarioSpec quickstart = load_scenario_file(source_dir + "/configs/quickstart.toml");
  cases.push_back({"quickstart rep 0", quickstart, RunKey{quickstart.run.seed, 0},
                   source_dir + "/tests/engine/golden/quickstart_rep0.txt"});
  for (const std::string& m : kMechanisms) {
    cases.push_back({m, with_mechanism(small_market(), m), RunKey{2024, 0},
                     fmt::format("{}/tests/engine/golden/mechanism_{}_v{}.txt", source_dir, m,
                                 kGoldenVersion)});
  }
  return cases;
}

std::string golden_text(const ScenarioSpec& spec, const RunResult& result) {
  const MetricRegistry registry = metric_registry(spec);
  std::ostringstream out;
  for (std::size_t i = 0; i < registry.size(); ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", result.metrics.at(i));
    out << registry[i].name << ' ' << buf << '\n';
  }
  return out.str();
}

}  // namespace proteus::engine::testing
