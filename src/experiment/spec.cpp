// Experiment files: checked key by key (file, line, column, key in every error) and turned into
// the sweep text of a preset, the grid written back in the order of the experiment file.
#include "experiment/spec.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "engine/config.hpp"
#include "engine/config/toml_text.hpp"

namespace proteus::experiment {
namespace {

using engine::ConfigError;

[[noreturn]] void fail(const std::filesystem::path& file, const toml::node* at,
                       const std::string& key, const std::string& message) {
  const auto begin = at != nullptr ? at->source().begin : toml::source_position{};
  throw ConfigError(file.string(), static_cast<int>(begin.line), static_cast<int>(begin.column),
                    key, message);
}

toml::table parse_file(const std::filesystem::path& file, std::string* text_out = nullptr) {
  const std::string text = engine::read_config_file(file);
  if (text_out != nullptr) *text_out = text;
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(file.string(), static_cast<int>(e.source().begin.line),
                      static_cast<int>(e.source().begin.column), "", std::string(e.description()));
  }
}

void check_keys(const std::filesystem::path& file, const toml::table& table,
                const std::string& prefix, const std::set<std::string_view>& known) {
  for (const auto& [k, v] : table) {
    if (known.contains(k.str())) continue;
    std::vector<std::string_view> names(known.begin(), known.end());
    fail(file, &v, prefix + "." + std::string(k.str()),
         fmt::format("unknown key '{}.{}' (known: {})", prefix, k.str(), fmt::join(names, ", ")));
  }
}

const toml::table* subtable(const std::filesystem::path& file, const toml::table& table,
                            const std::string& key, const std::string& dotted) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) fail(file, node, dotted, fmt::format("{} must be a table", dotted));
  return node->as_table();
}

std::string required_string(const std::filesystem::path& file, const toml::table& table,
                            const toml::node& parent, const std::string& key,
                            const std::string& dotted) {
  const toml::node* node = table.get(key);
  if (node == nullptr) fail(file, &parent, dotted, fmt::format("missing {}", dotted));
  auto v = node->value_exact<std::string>();
  if (!v || v->empty())
    fail(file, node, dotted, fmt::format("{} must be a non-empty string", dotted));
  return *v;
}

std::optional<std::string> optional_string(const std::filesystem::path& file,
                                           const toml::table& table, const std::string& key,
                                           const std::string& dotted) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::nullopt;
  auto v = node->value_exact<std::string>();
  if (!v || v->empty())
    fail(file, node, dotted, fmt::format("{} must be a non-empty string", dotted));
  return v;
}

std::vector<std::string> string_list(const std::filesystem::path& file, const toml::table& table,
                                     const std::string& key, const std::string& dotted) {
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (node == nullptr) return out;
  const auto* list = node->as_array();
  if (list == nullptr)
    fail(file, node, dotted, fmt::format("{} must be a list of strings", dotted));
  for (const auto& item : *list) {
    auto s = item.value_exact<std::string>();
    if (!s) fail(file, &item, dotted, fmt::format("{} entries must be strings", dotted));
    out.push_back(*s);
  }
  return out;
}

std::uint64_t positive_integer(const std::filesystem::path& file, const toml::table& table,
                               const std::string& key, const std::string& dotted, bool required,
                               const toml::node& parent) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    if (required) fail(file, &parent, dotted, fmt::format("missing {}", dotted));
    return 0;
  }
  auto v = node->value_exact<std::int64_t>();
  if (!v || *v < 1 || *v > 0xFFFF'FFFFLL) {
    fail(file, node, dotted, fmt::format("{} must be an integer in [1, 4294967295]", dotted));
  }
  return static_cast<std::uint64_t>(*v);
}

void parse_primary(ExperimentSpec& spec, const toml::table& t, const toml::node& node) {
  const std::filesystem::path& f = spec.file;
  check_keys(f, t, "experiment.primary", {"metric", "better", "budget_metric", "budget"});
  spec.primary_metric = required_string(f, t, node, "metric", "experiment.primary.metric");
  const std::string better = required_string(f, t, node, "better", "experiment.primary.better");
  if (better != "lower" && better != "higher") {
    fail(f, t.get("better"), "experiment.primary.better",
         fmt::format("experiment.primary.better = \"{}\" is not one of: lower, higher",
                     engine::excerpt(better)));
  }
  spec.better = better == "lower" ? Better::kLower : Better::kHigher;
  const auto budget_metric =
      optional_string(f, t, "budget_metric", "experiment.primary.budget_metric");
  const toml::node* budget = t.get("budget");
  if (budget_metric.has_value() != (budget != nullptr)) {
    fail(f, budget != nullptr ? budget : &node, "experiment.primary.budget",
         "experiment.primary.budget_metric and experiment.primary.budget go together");
  }
  if (budget_metric) {
    auto v = budget->value<double>();
    if (!v || !std::isfinite(*v) || *v < 0) {
      fail(f, budget, "experiment.primary.budget",
           "experiment.primary.budget must be a finite number >= 0");
    }
    spec.budget = Budget{*budget_metric, *v};
  }
}

void parse_experiment_table(ExperimentSpec& spec, const toml::table& e, const toml::node& node) {
  const std::filesystem::path& f = spec.file;
  check_keys(f, e, "experiment",
             {"name", "description", "scenario", "regime", "master_seed", "treatment", "baseline",
              "requires", "primary", "secondary", "interaction", "frontier"});
  spec.name = required_string(f, e, node, "name", "experiment.name");
  if (spec.name != f.stem().string()) {
    fail(f, e.get("name"), "experiment.name",
         fmt::format(R"(experiment.name = "{}" must equal the file name "{}")",
                     engine::excerpt(spec.name), f.stem().string()));
  }
  spec.description = optional_string(f, e, "description", "experiment.description").value_or("");
  if (e.get("master_seed") == nullptr)
    fail(f, &node, "experiment.master_seed", "missing experiment.master_seed");
  spec.requires_experiments = string_list(f, e, "requires", "experiment.requires");
  const toml::table* primary = subtable(f, e, "primary", "experiment.primary");
  if (primary == nullptr) fail(f, &node, "experiment.primary", "missing [experiment.primary]");
  parse_primary(spec, *primary, *e.get("primary"));
  if (const toml::table* s = subtable(f, e, "secondary", "experiment.secondary")) {
    check_keys(f, *s, "experiment.secondary", {"metrics", "adjust"});
    spec.secondary = string_list(f, *s, "metrics", "experiment.secondary.metrics");
    const std::string adjust =
        optional_string(f, *s, "adjust", "experiment.secondary.adjust").value_or("holm");
    if (adjust != "holm" && adjust != "bh" && adjust != "none") {
      fail(f, s->get("adjust"), "experiment.secondary.adjust",
           "experiment.secondary.adjust must be one of: holm, bh, none");
    }
    spec.adjust = adjust == "holm" ? stats::Adjustment::kHolm
                  : adjust == "bh" ? stats::Adjustment::kBenjaminiHochberg
                                   : stats::Adjustment::kNone;
  }
  if (const toml::node* list = e.get("interaction")) {
    const auto* tables = list->as_array();
    if (tables == nullptr || !tables->is_array_of_tables()) {
      fail(f, list, "experiment.interaction", "use [[experiment.interaction]] tables");
    }
    for (const auto& item : *tables) {
      const toml::table& t = *item.as_table();
      check_keys(f, t, "experiment.interaction", {"axis", "metric"});
      spec.interactions.push_back(
          {required_string(f, t, item, "axis", "experiment.interaction.axis"),
           required_string(f, t, item, "metric", "experiment.interaction.metric")});
    }
  }
  if (const toml::table* fr = subtable(f, e, "frontier", "experiment.frontier")) {
    check_keys(f, *fr, "experiment.frontier", {"protection", "error"});
    spec.frontier = Frontier{
        required_string(f, *fr, *e.get("frontier"), "protection", "experiment.frontier.protection"),
        required_string(f, *fr, *e.get("frontier"), "error", "experiment.frontier.error")};
  }
}

void parse_presets(ExperimentSpec& spec, const toml::table& presets) {
  const std::filesystem::path& f = spec.file;
  std::vector<std::pair<toml::source_position, std::string>> order;
  for (const auto& [k, v] : presets) {
    const std::string name(k.str());
    const std::string dotted = "preset." + name;
    if (!v.is_table()) fail(f, &v, dotted, fmt::format("[{}] must be a table", dotted));
    const toml::table& t = *v.as_table();
    check_keys(f, t, dotted, {"repetitions", "block", "max_repetitions", "set", "grid"});
    Preset p;
    p.name = name;
    p.repetitions = positive_integer(f, t, "repetitions", dotted + ".repetitions", true, v);
    p.block = positive_integer(f, t, "block", dotted + ".block", false, v);
    p.max_repetitions =
        positive_integer(f, t, "max_repetitions", dotted + ".max_repetitions", false, v);
    if (p.max_repetitions != 0 && p.max_repetitions < p.repetitions) {
      fail(f, t.get("max_repetitions"), dotted + ".max_repetitions",
           fmt::format("{}.max_repetitions must be at least {}.repetitions", dotted, dotted));
    }
    if (subtable(f, t, "grid", dotted + ".grid") == nullptr) {
      fail(f, &v, dotted + ".grid", fmt::format("missing [{}.grid]", dotted));
    }
    subtable(f, t, "set", dotted + ".set");
    spec.presets.push_back(p);
    order.emplace_back(v.source().begin, name);
  }
  if (spec.presets.empty()) fail(f, nullptr, "preset", "no [preset.<name>] table");
}

/// Deep merge: tables merge key by key, anything else replaces.
void merge(toml::table& into, const toml::table& from) {
  for (const auto& [k, v] : from) {
    // Captured by name: clang 14 does not let a lambda capture a structured binding.
    const std::string_view name = k.str();
    toml::node* existing = into.get(name);
    if (v.is_table() && existing != nullptr && existing->is_table()) {
      merge(*existing->as_table(), *v.as_table());
    } else {
      v.visit([&](const auto& n) { into.insert_or_assign(name, n); });
    }
  }
}

/// Sets the dotted `key` (split at dots, as written in a quoted key) to `value`.
void set_dotted(toml::table& root, const std::string& key, const toml::node& value) {
  toml::table* at = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
    if (dot == std::string::npos) {
      value.visit([&](const auto& n) { at->insert_or_assign(part, n); });
      return;
    }
    if (at->get(part) == nullptr || !at->get(part)->is_table()) {
      at->insert_or_assign(part, toml::table{});
    }
    at = at->get(part)->as_table();
    start = dot + 1;
  }
}

std::string literal(const toml::node& node) {
  std::ostringstream os;
  node.visit([&os](const auto& n) { os << toml::toml_formatter{n}; });
  return os.str();
}

/// The leaf values of `table` as (position, dotted key, node), nested tables flattened.
void leaves(const toml::table& table, const std::string& prefix,
            std::vector<std::tuple<toml::source_position, std::string, const toml::node*>>& out,
            bool top) {
  for (const auto& [k, v] : table) {
    const std::string key = prefix + std::string(k.str());
    if (top && (k.str() == "zip" || k.str() == "per_mechanism")) continue;
    if (const auto* sub = v.as_table()) {
      leaves(*sub, key + ".", out, false);
    } else {
      out.emplace_back(v.source().begin, key, &v);
    }
  }
}

bool before(const toml::source_position& a, const toml::source_position& b) {
  return std::tie(a.line, a.column) < std::tie(b.line, b.column);
}

/// One [grid]-like table in the experiment file's order: plain axes, zip groups, then the
/// per-mechanism tables (which TOML places after the plain keys anyway).
void emit_grid(std::string& out, const toml::table& grid, const std::string& header) {
  out += fmt::format("\n[{}]\n", header);
  std::vector<std::tuple<toml::source_position, std::string, const toml::node*>> axes;
  leaves(grid, "", axes, true);
  std::sort(axes.begin(), axes.end(),
            [](const auto& a, const auto& b) { return before(std::get<0>(a), std::get<0>(b)); });
  for (const auto& [pos, key, node] : axes) {
    out += fmt::format("{} = {}\n", engine::quote_string(key), literal(*node));
  }
  if (const toml::node* zip = grid.get("zip")) {
    if (const auto* groups = zip->as_array()) {
      for (const auto& group : *groups) {
        out += fmt::format("\n[[{}.zip]]\n", header);
        if (const auto* t = group.as_table()) {
          for (const auto& [k, v] : *t) out += fmt::format("{} = {}\n", k.str(), literal(v));
        }
      }
    }
  }
  if (const toml::table* per =
          grid.get("per_mechanism") ? grid.get("per_mechanism")->as_table() : nullptr) {
    for (const auto& [mechanism, table] : *per) {
      if (const auto* t = table.as_table()) {
        emit_grid(out, *t, fmt::format("{}.per_mechanism.{}", header, mechanism.str()));
      }
    }
  }
}

}  // namespace

const Preset& ExperimentSpec::preset(const std::string& name_of) const {
  for (const auto& p : presets) {
    if (p.name == name_of) return p;
  }
  std::vector<std::string> names;
  for (const auto& p : presets) names.push_back(p.name);
  throw ConfigError(file.string(), 0, 0, "preset",
                    fmt::format("experiment {} has no preset \"{}\" (presets: {})", name,
                                engine::excerpt(name_of), fmt::join(names, ", ")));
}

std::string ExperimentSpec::decision_rule() const {
  const char* fall = better == Better::kLower ? "falls" : "rises";
  std::string rule = fmt::format(
      "better when {} {} against the baseline cell with the paired interval excluding 0",
      primary_metric, fall);
  if (budget) {
    rule += fmt::format(" while {} rises by at most {} (upper end of its paired interval)",
                        budget->metric, budget->max_increase);
  }
  rule += fmt::format(
      "; worse when {} moves the other way with the interval excluding 0; "
      "otherwise inconclusive",
      primary_metric);
  if (budget) rule += "; over_budget when it is better on the endpoint but breaks the budget";
  return rule;
}

ExperimentSpec load_experiment(const std::filesystem::path& file) {
  ExperimentSpec spec;
  spec.file = file;
  const toml::table doc = parse_file(file, &spec.text);
  const toml::table* e = subtable(file, doc, "experiment", "experiment");
  if (e == nullptr) fail(file, nullptr, "experiment", "missing [experiment] table");
  parse_experiment_table(spec, *e, *doc.get("experiment"));
  const toml::table* presets = subtable(file, doc, "preset", "preset");
  if (presets == nullptr) fail(file, nullptr, "preset", "missing [preset.<name>] tables");
  parse_presets(spec, *presets);
  return spec;
}

std::filesystem::path find_experiment(const std::string& name,
                                      const std::vector<std::filesystem::path>& dirs) {
  std::filesystem::path direct(name);
  if (direct.extension() == ".toml" && std::filesystem::is_regular_file(direct)) return direct;
  std::vector<std::string> searched;
  for (const auto& dir : dirs) {
    auto candidate = dir / (name + ".toml");
    if (std::filesystem::is_regular_file(candidate)) return candidate;
    searched.push_back(dir.string());
  }
  std::vector<std::string> known;
  for (const auto& f : list_experiments(dirs)) known.push_back(f.stem().string());
  throw ConfigError(
      name, 0, 0, "",
      fmt::format("no experiment \"{}\" in {} (experiments: {})", engine::excerpt(name),
                  fmt::join(searched, ", "),
                  known.empty() ? std::string("none") : fmt::format("{}", fmt::join(known, ", "))));
}

std::vector<std::filesystem::path> list_experiments(
    const std::vector<std::filesystem::path>& dirs) {
  for (const auto& dir : dirs) {
    if (!std::filesystem::is_directory(dir)) continue;
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".toml")
        out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  return {};
}

std::string preset_sweep_text(const ExperimentSpec& spec, const Preset& preset,
                              const std::filesystem::path& regime) {
  const std::filesystem::path& f = spec.file;
  const toml::table doc = toml::parse(spec.text, f.string());
  const toml::table& e = *doc.get("experiment")->as_table();
  toml::table scenario;
  if (auto base = optional_string(f, e, "scenario", "experiment.scenario")) {
    scenario = parse_file(f.parent_path() / *base);
    scenario.erase("sweep");
    scenario.erase("grid");
  }
  toml::table own = doc;
  own.erase("experiment");
  own.erase("preset");
  merge(scenario, own);
  std::filesystem::path regime_file = regime;
  if (regime_file.empty()) {
    if (auto r = optional_string(f, e, "regime", "experiment.regime"))
      regime_file = f.parent_path() / *r;
  }
  if (!regime_file.empty()) {
    const toml::table r = parse_file(regime_file);
    for (const char* reserved : {"sweep", "grid", "experiment", "preset"}) {
      if (const toml::node* n = r.get(reserved)) {
        fail(regime_file, n, reserved,
             fmt::format("a regime file holds scenario keys only, not [{}]", reserved));
      }
    }
    merge(scenario, r);
  }
  const toml::table& p = *doc.at_path("preset." + preset.name).as_table();
  if (const toml::table* set = p.get("set") ? p.get("set")->as_table() : nullptr) {
    std::vector<std::tuple<toml::source_position, std::string, const toml::node*>> keys;
    leaves(*set, "", keys, false);
    for (const auto& [pos, key, node] : keys) set_dotted(scenario, key, *node);
  }
  std::string out =
      fmt::format("# Generated by `proteus experiment run {} --preset {}` from {}; do not edit.\n",
                  spec.name, preset.name, f.filename().string());
  std::ostringstream os;
  os << toml::toml_formatter{
      scenario, toml::toml_formatter::default_flags & ~toml::format_flags::indentation};
  out += os.str();
  out += fmt::format("\n\n[sweep]\nname = {}\nmaster_seed = {}\nrepetitions = {}\n",
                     engine::quote_string(spec.name + "-" + preset.name),
                     literal(*e.get("master_seed")), preset.repetitions);
  if (const toml::node* t = e.get("treatment")) out += fmt::format("treatment = {}\n", literal(*t));
  if (const toml::table* b = e.get("baseline") ? e.get("baseline")->as_table() : nullptr) {
    out += "\n[sweep.baseline]\n";
    std::vector<std::tuple<toml::source_position, std::string, const toml::node*>> keys;
    leaves(*b, "", keys, false);
    for (const auto& [pos, key, node] : keys) {
      out += fmt::format("{} = {}\n", engine::quote_string(key), literal(*node));
    }
  }
  emit_grid(out, *p.get("grid")->as_table(), "grid");
  return out;
}

}  // namespace proteus::experiment
