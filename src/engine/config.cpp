// TEMP config stand-in for the sweep branch: parses only the keys the sweep tests use.
// The real loader (branch `config`) replaces this file; nothing else depends on its internals.
#include "engine/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <sstream>

namespace proteus::engine {

ConfigError::ConfigError(std::string file, int line, int column, std::string key,
                         const std::string& message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)) {}

namespace {

struct Field {
  std::function<void(ScenarioSpec&, const toml::node&)> set;
  std::function<std::string(const ScenarioSpec&)> get;
};

std::string canonical(double v) {
  return fmt::format("{}", v);
}

std::map<std::string, Field> fields() {
  std::map<std::string, Field> f;
  auto num = [&f](const std::string& key, std::function<double&(ScenarioSpec&)> ref) {
    f[key] = Field{
        [ref](ScenarioSpec& s, const toml::node& n) {
          auto v = n.value<double>();
          if (!v) throw std::invalid_argument("expected a number");
          ref(s) = *v;
        },
        [ref](const ScenarioSpec& s) { return canonical(ref(const_cast<ScenarioSpec&>(s))); }};
  };
  auto str = [&f](const std::string& key, std::function<std::string&(ScenarioSpec&)> ref) {
    f[key] = Field{[ref](ScenarioSpec& s, const toml::node& n) {
                     auto v = n.value<std::string>();
                     if (!v) throw std::invalid_argument("expected a string");
                     ref(s) = *v;
                   },
                   [ref](const ScenarioSpec& s) {
                     return fmt::format("\"{}\"", ref(const_cast<ScenarioSpec&>(s)));
                   }};
  };
  num("run.duration_s", [](ScenarioSpec& s) -> double& { return s.run.duration_s; });
  str("run.mechanism", [](ScenarioSpec& s) -> std::string& { return s.run.mechanism; });
  str("run.environment", [](ScenarioSpec& s) -> std::string& { return s.run.environment; });
  f["run.seed"] = Field{[](ScenarioSpec& s, const toml::node& n) {
                          auto v = n.value<std::int64_t>();
                          if (!v || *v < 0) throw std::invalid_argument("expected an integer >= 0");
                          s.run.seed = static_cast<std::uint64_t>(*v);
                        },
                        [](const ScenarioSpec& s) { return fmt::format("{}", s.run.seed); }};
  num("latent.sigma_eta", [](ScenarioSpec& s) -> double& { return s.latent.sigma_eta; });
  num("agents.informed.activity",
      [](ScenarioSpec& s) -> double& { return s.agents.informed.activity; });
  num("agents.market_maker.h0",
      [](ScenarioSpec& s) -> double& { return s.agents.market_maker.h0; });
  num("latency.default.submit.value_ms",
      [](ScenarioSpec& s) -> double& { return s.latency.default_profile.submit.value_ms; });
  num("latency.default.ack.value_ms",
      [](ScenarioSpec& s) -> double& { return s.latency.default_profile.ack.value_ms; });
  return f;
}

void walk(const toml::table& t, const std::string& prefix, const std::map<std::string, Field>& f,
          ScenarioSpec& spec, const std::string& source) {
  for (const auto& [k, node] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto& pos = node.source().begin;
    if (const auto* sub = node.as_table()) {
      walk(*sub, key, f, spec, source);
      continue;
    }
    auto it = f.find(key);
    if (it == f.end()) {
      throw ConfigError(source, static_cast<int>(pos.line), static_cast<int>(pos.column), key,
                        fmt::format("unknown key '{}'", key));
    }
    try {
      it->second.set(spec, node);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(source, static_cast<int>(pos.line), static_cast<int>(pos.column), key,
                        fmt::format("{}: {}", key, e.what()));
    }
  }
}

}  // namespace

ScenarioSpec load_scenario(std::string_view toml_text, std::string_view source,
                           std::span<const std::string> overrides) {
  const std::string src(source);
  toml::table table;
  try {
    table = toml::parse(toml_text, src);
  } catch (const toml::parse_error& e) {
    throw ConfigError(src, static_cast<int>(e.source().begin.line),
                      static_cast<int>(e.source().begin.column), "", std::string(e.description()));
  }
  if (!overrides.empty()) throw ConfigError(src, 0, 0, "", "overrides are not supported here");
  ScenarioSpec spec;
  walk(table, "", fields(), spec, src);
  if (spec.run.duration_s <= 0) {
    throw ConfigError(src, 0, 0, "run.duration_s", "run.duration_s must be > 0");
  }
  const auto& m = spec.run.mechanism;
  if (m != "clob" && m != "fba" && m != "rfq" && m != "dual_flow") {
    throw ConfigError(src, 0, 0, "run.mechanism", fmt::format("unknown mechanism '{}'", m));
  }
  if (spec.agents.informed.activity < 0 || spec.agents.informed.activity > 1) {
    throw ConfigError(src, 0, 0, "agents.informed.activity",
                      "agents.informed.activity must be in [0, 1]");
  }
  return spec;
}

ScenarioSpec load_scenario_file(const std::filesystem::path& path,
                                std::span<const std::string> overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path.string(), 0, 0, "", "cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_scenario(ss.str(), path.string(), overrides);
}

std::map<std::string, std::string> resolved_keys(const ScenarioSpec& spec) {
  std::map<std::string, std::string> out;
  for (const auto& [key, field] : fields()) out[key] = field.get(spec);
  return out;
}

}  // namespace proteus::engine
