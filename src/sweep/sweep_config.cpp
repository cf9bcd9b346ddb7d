// Sweep file parsing, grid expansion and cell resolution (the treatment-parity check and the
// contrast groups are in parity.cpp).
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

namespace proteus::sweep {
namespace {

using detail::collect_axes;
using detail::fail;
using detail::pos_of;
using detail::sort_by_position;
using detail::to_axis_value;
using engine::ConfigError;

void insert_value(toml::table& table, const std::string& key, const AxisValue& value) {
  std::visit([&](const auto& v) { table.insert_or_assign(key, v); }, value);
}

/// Sets `dotted` in `root`, creating intermediate tables; false when a prefix is not a table.
bool set_dotted(toml::table& root, const std::string& dotted, const AxisValue& value) {
  toml::table* t = &root;
  std::size_t start = 0;
  for (std::size_t dot = dotted.find('.'); dot != std::string::npos;
       start = dot + 1, dot = dotted.find('.', start)) {
    const std::string segment = dotted.substr(start, dot - start);
    toml::node* child = t->get(segment);
    if (child == nullptr) {
      t->insert(segment, toml::table{});
      child = t->get(segment);
    }
    t = child->as_table();
    if (t == nullptr) return false;
  }
  insert_value(*t, dotted.substr(start), value);
  return true;
}

const toml::node* find_dotted(const toml::table& root, const std::string& dotted) {
  return root.at_path(dotted).node();
}

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

/// a * b, or nothing when the product does not fit in 64 bits.
std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

/// a * b, saturating at the largest uint64.
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  return checked_mul(a, b).value_or(std::numeric_limits<std::uint64_t>::max());
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::numeric_limits<std::uint64_t>::max();
  return sum;
}

/// "12,345,678": counts in messages.
std::string grouped(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
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

std::vector<std::size_t> axes_of_key(const SweepPlan& plan, const std::string& key) {
  std::vector<std::size_t> found;
  for (std::size_t a = 0; a < plan.axes.size(); ++a) {
    const auto& keys = plan.axes[a].keys;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) found.push_back(a);
  }
  return found;
}

/// Labels use the last segments of each key, enough of them to tell every axis key apart.
std::map<std::string, std::string> short_names(const std::vector<Axis>& axes) {
  std::vector<std::string> keys;
  for (const auto& a : axes) keys.insert(keys.end(), a.keys.begin(), a.keys.end());
  std::map<std::string, std::string> names;
  for (const auto& key : keys) {
    std::string name = key;
    for (std::size_t pos = key.rfind('.'); pos != std::string::npos;
         pos = pos == 0 ? std::string::npos : key.rfind('.', pos - 1)) {
      const std::string candidate = key.substr(pos + 1);
      const auto clashes = std::count_if(keys.begin(), keys.end(), [&](const std::string& other) {
        return other == candidate || other.ends_with("." + candidate);
      });
      if (clashes == 1) {
        name = candidate;
        break;
      }
    }
    names[key] = name;
  }
  return names;
}

std::string strip_location(const ConfigError& e) {
  const std::string prefix = fmt::format("{}:{}:{}: ", e.file(), e.line(), e.column());
  const std::string what = e.what();
  return what.starts_with(prefix) ? what.substr(prefix.size()) : what;
}

/// The scenario part of a sweep file: the whole table minus [sweep] and [grid].
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

/// Refuses a mechanism name the engine does not know, at `pos`, with its suggestion.
void check_mechanism_name(const SweepPlan& plan, SourcePos pos, const std::string& key,
                          const std::string& mechanism) {
  if (auto message = engine::choice_error(kMechanismKey, mechanism)) {
    throw ConfigError(plan.source, pos.line, pos.column, key, *message);
  }
}

/// Estimated bytes one resolved cell holds on every rank: the Cell with its ScenarioSpec, the
/// scenario text, per axis a setting, a point index and their share of text and label, plus
/// heap blocks and allocator slack. Calibrated on `proteus validate` of a 200 x 200 grid
/// (40,000 cells): 257 MB peak RSS, 6.4 KiB per cell, of which the structures count 2.7 KiB.
std::uint64_t cell_bytes(const SweepPlan& plan, std::size_t base_scenario_bytes) {
  constexpr std::uint64_t kPerAxisBytes = sizeof(Setting) + sizeof(std::size_t) + 96;
  constexpr std::uint64_t kHeapSlackBytes = 4096;
  return sizeof(Cell) + base_scenario_bytes + plan.axes.size() * kPerAxisBytes + kHeapSlackBytes;
}

/// Counts the cells the grid expands to from the axis sizes alone and refuses, before any cell
/// exists, a grid whose cells do not fit the panel's uint32 cell index, whose runs do not fit
/// 64 bits or whose resolved cells would need more than kMaxGridBytes on every rank. Returns
/// the estimated bytes of the resolved cells.
std::uint64_t check_grid_size(const SweepPlan& plan, const toml::table& doc,
                              const std::vector<std::size_t>& plain,
                              const std::map<std::string, std::vector<std::size_t>>& own,
                              const std::string& default_mechanism) {
  // Plain grid points per mechanism: the run.mechanism axis (if any) splits them.
  std::map<std::string, std::uint64_t> points_of;
  std::uint64_t others = 1;
  std::optional<std::size_t> mechanism_axis;
  for (std::size_t a : plain) {
    const auto& keys = plan.axes[a].keys;
    if (std::find(keys.begin(), keys.end(), kMechanismKey) != keys.end()) {
      mechanism_axis = a;
    } else {
      others = saturating_mul(others, plan.axes[a].points.size());
    }
  }
  if (mechanism_axis) {
    const Axis& axis = plan.axes[*mechanism_axis];
    const auto k = static_cast<std::size_t>(
        std::find(axis.keys.begin(), axis.keys.end(), kMechanismKey) - axis.keys.begin());
    for (const auto& point : axis.points) {
      const std::string mechanism = to_text(point[k]);
      check_mechanism_name(plan, axis.pos, std::string(kMechanismKey), mechanism);
      ++points_of[mechanism];
    }
    for (auto& [_, n] : points_of) n = saturating_mul(n, others);
  } else {
    SourcePos pos;
    if (const toml::node* n = find_dotted(doc, std::string(kMechanismKey))) pos = pos_of(*n);
    check_mechanism_name(plan, pos, std::string(kMechanismKey), default_mechanism);
    points_of[default_mechanism] = others;
  }
  for (const auto& [mechanism, axes] : own) {
    if (!axes.empty()) {
      check_mechanism_name(plan, plan.axes[axes.front()].pos,
                           fmt::format("grid.per_mechanism.{}", mechanism), mechanism);
    }
  }
  std::uint64_t cells = 0;
  for (const auto& [mechanism, n] : points_of) {
    std::uint64_t cells_of = n;
    if (auto it = own.find(mechanism); it != own.end()) {
      for (std::size_t a : it->second)
        cells_of = saturating_mul(cells_of, plan.axes[a].points.size());
    }
    cells = saturating_add(cells, cells_of);
  }

  SourcePos pos;
  if (const toml::node* grid = doc.get("grid")) pos = pos_of(*grid);
  auto refuse = [&](const std::string& message) {
    throw ConfigError(plan.source, pos.line, pos.column, "grid", message);
  };
  const std::string cell_text =
      cells == std::numeric_limits<std::uint64_t>::max() ? "more than 2^64" : grouped(cells);
  if (cells > kMaxCells) {
    refuse(
        fmt::format("the grid expands to {} cells, more than {} (the panel stores the cell "
                    "index /runs/cell as uint32)",
                    cell_text, grouped(kMaxCells)));
  }
  if (!checked_mul(cells, plan.repetitions)) {
    refuse(fmt::format("{} cells x {} repetitions does not fit in 64 bits", cell_text,
                       grouped(plan.repetitions)));
  }
  const std::size_t base_bytes = serialise(scenario_table(doc)).size();
  const std::uint64_t per_cell = cell_bytes(plan, base_bytes);
  const std::uint64_t bytes = saturating_mul(cells, per_cell);
  if (bytes > kMaxGridBytes) {
    refuse(fmt::format(
        "the grid expands to {} cells, which every rank holds resolved: about {} MiB at {:.1f} "
        "KiB per cell, above the limit of {} MiB (docs/sweep-config.md, 'Limits'); split the "
        "sweep into several files or sweep fewer values",
        cell_text, grouped(bytes >> 20), static_cast<double>(per_cell) / 1024.0,
        kMaxGridBytes >> 20));
  }
  return bytes;
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

  // Expansion: plain axes in row-major order, then the cell mechanism's own axes.
  std::string default_mechanism(engine::to_string(engine::RunSpec{}.mechanism));
  if (auto m = doc.at_path(kMechanismKey).value<std::string>()) default_mechanism = *m;
  std::vector<std::size_t> plain;
  std::map<std::string, std::vector<std::size_t>> own;
  for (std::size_t a = 0; a < plan.axes.size(); ++a) {
    if (plan.axes[a].mechanism.empty())
      plain.push_back(a);
    else
      own[plan.axes[a].mechanism].push_back(a);
  }
  plan.grid_bytes = check_grid_size(plan, doc, plain, own, default_mechanism);
  const auto names = short_names(plan.axes);
  std::set<std::string> mechanisms_used;
  auto odometer = [&plan](const std::vector<std::size_t>& axes, auto&& visit) {
    std::vector<std::size_t> idx(axes.size(), 0);
    while (true) {
      visit(idx);
      std::size_t d = axes.size();
      while (d > 0) {
        --d;
        if (++idx[d] < plan.axes[axes[d]].points.size()) break;
        idx[d] = 0;
        if (d == 0) return;
      }
      if (axes.empty()) return;
    }
  };
  odometer(plain, [&](const std::vector<std::size_t>& idx) {
    Cell base;
    base.point.assign(plan.axes.size(), kNotApplicable);
    base.mechanism = default_mechanism;
    for (std::size_t i = 0; i < plain.size(); ++i) {
      const Axis& axis = plan.axes[plain[i]];
      base.point[plain[i]] = idx[i];
      for (std::size_t k = 0; k < axis.keys.size(); ++k) {
        base.settings.push_back({axis.keys[k], axis.points[idx[i]][k]});
        if (axis.keys[k] == kMechanismKey) base.mechanism = to_text(axis.points[idx[i]][k]);
      }
    }
    mechanisms_used.insert(base.mechanism);
    const auto& extra = own[base.mechanism];
    odometer(extra, [&](const std::vector<std::size_t>& jdx) {
      Cell cell = base;
      for (std::size_t j = 0; j < extra.size(); ++j) {
        const Axis& axis = plan.axes[extra[j]];
        cell.point[extra[j]] = jdx[j];
        for (std::size_t k = 0; k < axis.keys.size(); ++k) {
          cell.settings.push_back({axis.keys[k], axis.points[jdx[j]][k]});
        }
      }
      std::vector<std::string> parts;
      for (const auto& s : cell.settings) parts.push_back(names.at(s.key) + "=" + to_text(s.value));
      cell.label = parts.empty() ? "base" : fmt::format("{}", fmt::join(parts, ", "));
      plan.cells.push_back(std::move(cell));
    });
  });
  for (const auto& [mech, axes] : own) {
    if (!mechanisms_used.contains(mech) && !axes.empty()) {
      const Axis& axis = plan.axes[axes.front()];
      throw ConfigError(
          plan.source, axis.pos.line, axis.pos.column, axis.keys.front(),
          fmt::format("grid.per_mechanism.{}: no cell has mechanism '{}'", mech, mech));
    }
  }
  return plan;
}

void resolve_cells(SweepPlan& plan) {
  const toml::table doc = parse_document(plan.config_text, plan.source);
  toml::table base = scenario_table(doc);
  set_dotted(base, "run.seed", static_cast<std::int64_t>(plan.master_seed));
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    Cell& cell = plan.cells[c];
    toml::table scenario = base;
    for (const auto& s : cell.settings) {
      if (!set_dotted(scenario, s.key, s.value)) {
        const auto a = axes_of_key(plan, s.key).front();
        throw ConfigError(plan.source, plan.axes[a].pos.line, plan.axes[a].pos.column, s.key,
                          fmt::format("'{}' names a value, not a table, in the scenario", s.key));
      }
    }
    cell.scenario_toml = serialise(scenario);
    try {
      cell.spec = engine::load_scenario(cell.scenario_toml, plan.source);
    } catch (const ConfigError& e) {
      // Point at the axis that set the key, else at the key in the file, else at [grid].
      SourcePos pos;
      const auto axes = axes_of_key(plan, e.key());
      if (!axes.empty()) {
        pos = plan.axes[axes.front()].pos;
      } else if (const toml::node* n = find_dotted(doc, e.key())) {
        pos = pos_of(*n);
      } else if (const toml::node* g = doc.get("grid")) {
        pos = pos_of(*g);
      }
      throw ConfigError(
          plan.source, pos.line, pos.column, e.key(),
          fmt::format("cell {} ({}): {}", c, engine::excerpt(cell.label), strip_location(e)));
    }
    if (c == 0) {
      plan.environment = engine::to_string(cell.spec.run.environment);
    } else if (engine::to_string(cell.spec.run.environment) != plan.environment) {
      throw ConfigError(
          plan.source, 0, 0, "run.environment",
          fmt::format("cell {} ({}) has environment '{}' but cell 0 has '{}': a "
                      "panel holds one environment",
                      c, engine::excerpt(cell.label), engine::to_string(cell.spec.run.environment),
                      plan.environment));
    }
  }
  set_plan_metrics(plan);
}

void set_plan_metrics(SweepPlan& plan) {
  // The panel has one column per metric of any cell: the adverse-selection horizons of all
  // cells, ascending; a cell's run fills its own columns and leaves the others NaN.
  std::vector<double> horizons;
  for (const Cell& cell : plan.cells) {
    const auto& h = cell.spec.metrics.as_horizons_ms;
    horizons.insert(horizons.end(), h.begin(), h.end());
  }
  std::sort(horizons.begin(), horizons.end());
  horizons.erase(std::unique(horizons.begin(), horizons.end()), horizons.end());
  plan.as_horizons_ms = horizons;
  plan.metrics = engine::metric_registry(plan.environment, horizons);
  for (Cell& cell : plan.cells) {
    cell.metric_columns.clear();
    for (const engine::MetricInfo& m : engine::metric_registry(cell.spec)) {
      cell.metric_columns.push_back(plan.metrics.index_of(m.name).value());
    }
  }
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
