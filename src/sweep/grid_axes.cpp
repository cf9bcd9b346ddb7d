// Reading the [grid] tables of a sweep file into axes (plain keys, nested tables as dotted keys,
// zip groups, the per-mechanism table), with the positions that error messages point at.
#include "sweep/grid_axes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <tuple>

#include "engine/config.hpp"

namespace proteus::sweep::detail {

using engine::ConfigError;

SourcePos pos_of(const toml::node& node) {
  return {static_cast<int>(node.source().begin.line), static_cast<int>(node.source().begin.column)};
}

[[noreturn]] void fail(const SweepPlan& plan, const toml::node& at, const std::string& key,
                       const std::string& message) {
  const SourcePos p = pos_of(at);
  throw ConfigError(plan.source, p.line, p.column, key, message);
}

AxisValue to_axis_value(const SweepPlan& plan, const toml::node& node, const std::string& key) {
  if (auto v = node.value_exact<bool>()) return *v;
  if (auto v = node.value_exact<std::int64_t>()) return *v;
  if (auto v = node.value_exact<double>()) return *v;
  if (auto v = node.value_exact<std::string>()) return *v;
  fail(plan, node, key, fmt::format("{}: axis values must be booleans, numbers or strings", key));
}

namespace {

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  if (key.find("..") != std::string_view::npos) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

/// Reads a list of values for one axis key.
Axis single_axis(const SweepPlan& plan, const std::string& key, const toml::node& node) {
  if (!valid_key(key)) fail(plan, node, key, fmt::format("'{}' is not a dotted key", key));
  const auto* list = node.as_array();
  if (list == nullptr || list->empty()) {
    fail(plan, node, key, fmt::format("grid axis '{}' must be a non-empty list of values", key));
  }
  Axis axis;
  axis.keys = {key};
  axis.pos = pos_of(node);
  for (const auto& v : *list) axis.points.push_back({to_axis_value(plan, v, key)});
  return axis;
}

/// Reads one zip group: { keys = [...], values = [[...], ...] }.
Axis zip_axis(const SweepPlan& plan, const toml::node& node) {
  const auto* group = node.as_table();
  if (group == nullptr) fail(plan, node, "grid.zip", "each grid.zip entry must be a table");
  for (const auto& [k, v] : *group) {
    if (k != "keys" && k != "values") {
      fail(plan, v, "grid.zip",
           fmt::format("unknown key '{}' in grid.zip (keys, values)", k.str()));
    }
  }
  const auto* keys = group->get_as<toml::array>("keys");
  const auto* values = group->get_as<toml::array>("values");
  if (keys == nullptr || keys->empty() || values == nullptr || values->empty()) {
    fail(plan, node, "grid.zip", "grid.zip needs non-empty 'keys' and 'values' lists");
  }
  Axis axis;
  axis.pos = pos_of(node);
  for (const auto& k : *keys) {
    auto s = k.value_exact<std::string>();
    if (!s || !valid_key(*s)) fail(plan, k, "grid.zip.keys", "grid.zip keys must be dotted keys");
    axis.keys.push_back(*s);
  }
  for (const auto& row : *values) {
    const auto* tuple = row.as_array();
    if (tuple == nullptr || tuple->size() != axis.keys.size()) {
      fail(plan, row, "grid.zip.values",
           fmt::format("each grid.zip value must be a list of {} values, one per key",
                       axis.keys.size()));
    }
    std::vector<AxisValue> point;
    for (std::size_t i = 0; i < tuple->size(); ++i) {
      point.push_back(to_axis_value(plan, *tuple->get(i), axis.keys[i]));
    }
    axis.points.push_back(std::move(point));
  }
  return axis;
}

}  // namespace

void collect_axes(const SweepPlan& plan, const toml::table& table, const std::string& prefix,
                  bool top, std::vector<Axis>& out, const toml::table** per_mechanism) {
  for (const auto& [k, node] : table) {
    const std::string name(k.str());
    if (top && name == "zip") {
      if (const auto* list = node.as_array()) {
        for (const auto& group : *list) out.push_back(zip_axis(plan, group));
      } else {
        fail(plan, node, "grid.zip", "grid.zip must be a list of { keys, values } tables");
      }
      continue;
    }
    if (top && name == "per_mechanism" && per_mechanism != nullptr) {
      *per_mechanism = node.as_table();
      if (*per_mechanism == nullptr) {
        fail(plan, node, "grid.per_mechanism", "grid.per_mechanism must be a table");
      }
      continue;
    }
    const std::string key = prefix.empty() ? name : fmt::format("{}.{}", prefix, name);
    if (const auto* sub = node.as_table()) {
      collect_axes(plan, *sub, key, false, out, nullptr);
    } else {
      out.push_back(single_axis(plan, key, node));
    }
  }
}

void sort_by_position(std::vector<Axis>& axes) {
  std::stable_sort(axes.begin(), axes.end(), [](const Axis& a, const Axis& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
}

std::vector<std::size_t> axes_of_key(const SweepPlan& plan, const std::string& key) {
  std::vector<std::size_t> found;
  for (std::size_t a = 0; a < plan.axes.size(); ++a) {
    const auto& keys = plan.axes[a].keys;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) found.push_back(a);
  }
  return found;
}

const toml::node* find_dotted(const toml::table& root, const std::string& dotted) {
  return root.at_path(dotted).node();
}

toml::table scenario_table(const toml::table& doc) {
  toml::table scenario = doc;
  scenario.erase("sweep");
  scenario.erase("grid");
  return scenario;
}

std::string serialise(const toml::table& table) {
  std::ostringstream os;
  os << toml::toml_formatter{
      table, toml::toml_formatter::default_flags & ~toml::format_flags::indentation};
  return os.str();
}

toml::table parse_document(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source, static_cast<int>(e.source().begin.line),
                      static_cast<int>(e.source().begin.column), "", std::string(e.description()));
  }
}

}  // namespace proteus::sweep::detail
