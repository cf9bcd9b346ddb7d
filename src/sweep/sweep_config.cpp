// Sweep file parsing: the [sweep] table, the [grid] axes (read by grid_axes.cpp), the
// treatment and baseline; grid expansion and cell resolution are in grid_expansion.cpp, the
// treatment-parity check and the contrast groups in parity.cpp.
#include "sweep/sweep_config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "engine/config.hpp"
#include "sweep/grid_axes.hpp"
#include "sweep/grid_expansion.hpp"

namespace proteus::sweep {
namespace {

using detail::axes_of_key;
using detail::collect_axes;
using detail::fail;
using detail::parse_document;
using detail::scenario_table;
using detail::serialise;
using detail::sort_by_position;
using detail::to_axis_value;
using engine::ConfigError;

std::uint64_t bounded_integer(const SweepPlan& plan, const toml::table& sweep,
                              const toml::node& table_node, const char* key, std::int64_t min,
                              std::int64_t max, std::string_view why_max) {
  const toml::node* node = sweep.get(key);
  const std::string dotted = fmt::format("sweep.{}", key);
  if (node == nullptr) fail(plan, table_node, dotted, fmt::format("missing {}", dotted));
  auto v = node->value_exact<std::int64_t>();
  if (!v) fail(plan, *node, dotted, fmt::format("{} must be an integer >= {}", dotted, min));
  if (*v < min || *v > max) {
    fail(plan, *node, dotted,
         fmt::format("{} = {} is out of range: allowed [{}, {}]{}", dotted, *v, min, max,
                     *v > max ? why_max : ""));
  }
  return static_cast<std::uint64_t>(*v);
}

void parse_sweep_table(SweepPlan& plan, const toml::node& node) {
  const auto* sweep = node.as_table();
  if (sweep == nullptr) fail(plan, node, "sweep", "[sweep] must be a table");
  for (const auto& [k, v] : *sweep) {
    static const std::set<std::string_view> kKnown = {"name", "master_seed", "repetitions",
                                                      "treatment", "baseline"};
    if (!kKnown.contains(k.str())) {
      fail(plan, v, fmt::format("sweep.{}", k.str()),
           fmt::format("unknown key 'sweep.{}' (name, master_seed, repetitions, treatment, "
                       "baseline)",
                       k.str()));
    }
  }
  plan.name = sweep->get("name") ? sweep->get("name")->value_or(std::string{}) : "";
  if (plan.name.empty()) {
    plan.name = std::filesystem::path(plan.source).stem().string();
  }
  plan.master_seed = bounded_integer(plan, *sweep, node, "master_seed", 0,
                                     std::numeric_limits<std::int64_t>::max(), "");
  plan.repetitions =
      bounded_integer(plan, *sweep, node, "repetitions", 1, kMaxRepetitions,
                      " (the panel stores the repetition index /runs/rep as uint32)");
  if (const toml::node* t = sweep->get("treatment")) {
    const auto* list = t->as_array();
    if (list == nullptr)
      fail(plan, *t, "sweep.treatment", "sweep.treatment must be a list of keys");
    for (const auto& item : *list) {
      auto s = item.value_exact<std::string>();
      if (!s) fail(plan, item, "sweep.treatment", "sweep.treatment entries must be strings");
      plan.treatment.push_back(*s);
    }
  }
}

void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  for (const auto& [k, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, key, out);
    } else {
      std::ostringstream os;
      node.visit([&os](const auto& n) { os << toml::toml_formatter{n}; });
      out[key] = os.str();
    }
  }
}

}  // namespace

std::string to_text(const AxisValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>)
          return engine::render_double(v);  // "1.0", not "1": a float stays one
        else if constexpr (std::is_same_v<T, std::string>)
          return v;
        else
          return fmt::format("{}", v);
      },
      value);
}

SweepPlan parse_sweep(std::string_view text, std::string_view source) {
  SweepPlan plan;
  plan.source = std::string(source);
  plan.config_text = std::string(text);
  const toml::table doc = parse_document(text, plan.source);

  const toml::node* sweep_node = doc.get("sweep");
  if (sweep_node == nullptr) throw ConfigError(plan.source, 1, 1, "sweep", "missing [sweep] table");
  parse_sweep_table(plan, *sweep_node);

  // Axes: the plain ones in file order, then each mechanism's own axes.
  const toml::table* per_mechanism = nullptr;
  if (const toml::node* grid = doc.get("grid")) {
    const auto* table = grid->as_table();
    if (table == nullptr) fail(plan, *grid, "grid", "[grid] must be a table");
    collect_axes(plan, *table, "", true, plan.axes, &per_mechanism);
    sort_by_position(plan.axes);
    if (per_mechanism != nullptr) {
      for (const auto& [mech, node] : *per_mechanism) {
        const auto* axes = node.as_table();
        if (axes == nullptr) {
          fail(plan, node, "grid.per_mechanism",
               "grid.per_mechanism.<mechanism> must be a table of axes");
        }
        std::vector<Axis> own;
        collect_axes(plan, *axes, "", true, own, nullptr);
        sort_by_position(own);
        for (auto& axis : own) {
          axis.mechanism = std::string(mech.str());
          if (std::find(axis.keys.begin(), axis.keys.end(), kMechanismKey) != axis.keys.end()) {
            fail(plan, node, std::string(kMechanismKey),
                 "run.mechanism cannot be a mechanism-specific axis");
          }
          plan.axes.push_back(std::move(axis));
        }
      }
    }
  }

  // A key may be swept once per cell: once overall, or once per mechanism.
  std::map<std::string, std::set<std::string>> seen;  // key -> mechanisms ("" = all)
  for (const auto& axis : plan.axes) {
    for (const auto& key : axis.keys) {
      auto& mechs = seen[key];
      if (mechs.contains("") || mechs.contains(axis.mechanism) ||
          (axis.mechanism.empty() && !mechs.empty())) {
        throw ConfigError(plan.source, axis.pos.line, axis.pos.column, key,
                          fmt::format("'{}' is swept by more than one axis", key));
      }
      if (key == "run.seed") {
        throw ConfigError(plan.source, axis.pos.line, axis.pos.column, key,
                          "run.seed cannot be swept: seeds come from sweep.master_seed and the "
                          "repetition index");
      }
      mechs.insert(axis.mechanism);
    }
  }

  // Treatment keys and the baseline.
  for (const auto& key : plan.treatment) {
    const auto found = axes_of_key(plan, key);
    if (found.empty()) {
      fail(plan, *doc.at_path("sweep.treatment").node(), "sweep.treatment",
           fmt::format("treatment key '{}' is not a grid axis", key));
    }
    for (std::size_t a : found) plan.axes[a].treatment = true;
  }
  if (const toml::node* baseline = doc.at_path("sweep.baseline").node()) {
    const auto* table = baseline->as_table();
    if (table == nullptr) fail(plan, *baseline, "sweep.baseline", "sweep.baseline must be a table");
    for (const auto& [k, v] : *table) {
      const std::string key(k.str());
      if (std::find(plan.treatment.begin(), plan.treatment.end(), key) == plan.treatment.end()) {
        fail(plan, v, "sweep.baseline",
             fmt::format("baseline key '{}' is not listed in sweep.treatment", key));
      }
      const AxisValue value = to_axis_value(plan, v, key);
      bool known = false;
      for (std::size_t a : axes_of_key(plan, key)) {
        const auto& axis = plan.axes[a];
        const auto k_index = static_cast<std::size_t>(
            std::find(axis.keys.begin(), axis.keys.end(), key) - axis.keys.begin());
        for (const auto& point : axis.points) known = known || point[k_index] == value;
      }
      if (!known) {
        fail(plan, v, "sweep.baseline",
             fmt::format("baseline {} = {} is not one of the axis values", key, to_text(value)));
      }
      plan.baseline.push_back({key, value});
    }
  } else if (!plan.treatment.empty()) {
    for (const auto& key : plan.treatment) {
      const auto& axis = plan.axes[axes_of_key(plan, key).front()];
      const auto k_index = static_cast<std::size_t>(
          std::find(axis.keys.begin(), axis.keys.end(), key) - axis.keys.begin());
      plan.baseline.push_back({key, axis.points.front()[k_index]});
    }
  }

  detail::expand_grid(plan, doc);
  return plan;
}

SweepPlan load_sweep(std::string_view text, std::string_view source) {
  SweepPlan plan = parse_sweep(text, source);
  resolve_cells(plan);
  return plan;
}

SweepPlan load_sweep_file(const std::filesystem::path& path) {
  return load_sweep(engine::read_config_file(path), path.string());
}

std::vector<std::string> config_differences(std::string_view old_text, std::string_view new_text) {
  std::map<std::string, std::string> old_keys;
  std::map<std::string, std::string> new_keys;
  std::optional<toml::table> old_doc;
  std::optional<toml::table> new_doc;
  try {
    old_doc = toml::parse(old_text);
    new_doc = toml::parse(new_text);
  } catch (const toml::parse_error&) {
    return {"(config text): cannot be parsed in one of the files"};
  }
  flatten(*old_doc, "", old_keys);
  flatten(*new_doc, "", new_keys);
  // Resolved scenario keys catch a default written out in one file and implied in the other.
  try {
    for (const auto& [k, v] : engine::resolved_keys(
             engine::load_scenario(serialise(scenario_table(*old_doc)), "stored config"))) {
      old_keys.try_emplace(k, v);
    }
    for (const auto& [k, v] : engine::resolved_keys(
             engine::load_scenario(serialise(scenario_table(*new_doc)), "new config"))) {
      new_keys.try_emplace(k, v);
    }
  } catch (const ConfigError&) {
    // A base scenario that only validates with its axes applied: the written keys suffice.
  }
  std::set<std::string> all;
  for (const auto& [k, _] : old_keys) all.insert(k);
  for (const auto& [k, _] : new_keys) all.insert(k);
  std::vector<std::string> lines;
  for (const auto& k : all) {
    const auto a = old_keys.find(k);
    const auto b = new_keys.find(k);
    const std::string va = a == old_keys.end() ? "(absent)" : a->second;
    const std::string vb = b == new_keys.end() ? "(absent)" : b->second;
    if (va != vb) lines.push_back(fmt::format("{}: {} -> {}", k, va, vb));
  }
  return lines;
}

}  // namespace proteus::sweep
