// Grid expansion and cell resolution: the axes of a parsed sweep file become cells (plain axes
// row-major, then each cell mechanism's own axes) after a size check, and each cell's scenario
// is resolved through the engine's loader.
#include "sweep/grid_expansion.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "engine/config.hpp"
#include "sweep/grid_axes.hpp"

namespace proteus::sweep {
namespace detail {
namespace {

using engine::ConfigError;

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

void expand_grid(SweepPlan& plan, const toml::table& doc) {
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
}

}  // namespace detail

namespace {

using detail::axes_of_key;
using detail::find_dotted;
using detail::parse_document;
using detail::pos_of;
using detail::scenario_table;
using detail::serialise;
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

std::string strip_location(const ConfigError& e) {
  const std::string prefix = fmt::format("{}:{}:{}: ", e.file(), e.line(), e.column());
  const std::string what = e.what();
  return what.starts_with(prefix) ? what.substr(prefix.size()) : what;
}

}  // namespace

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

}  // namespace proteus::sweep
