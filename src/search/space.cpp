// Search dimensions, regime fragments and base scenarios (see space.hpp).
#include "search/space.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <sstream>

#include "engine/config.hpp"
#include "engine/config/toml_text.hpp"
#include "engine/detmath.hpp"
#include "engine/rng.hpp"
#include "experiment/spec.hpp"
#include "sweep/errors.hpp"

namespace proteus::search {
namespace {

using engine::ConfigError;

toml::table parse_text(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source, static_cast<int>(e.source().begin.line),
                      static_cast<int>(e.source().begin.column), "", std::string(e.description()));
  }
}

void flatten(const std::string& file, const toml::table& table, const std::string& prefix,
             std::vector<sweep::Setting>& out) {
  for (const auto& [k, v] : table) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto at = v.source().begin;
    if (const toml::table* t = v.as_table()) {
      flatten(file, *t, key, out);
    } else if (auto b = v.value_exact<bool>()) {
      out.push_back({key, *b});
    } else if (auto i = v.value_exact<std::int64_t>()) {
      out.push_back({key, *i});
    } else if (auto d = v.value_exact<double>()) {
      out.push_back({key, *d});
    } else if (auto s = v.value_exact<std::string>()) {
      out.push_back({key, *s});
    } else {
      throw ConfigError(file, static_cast<int>(at.line), static_cast<int>(at.column), key,
                        fmt::format("a regime holds single values (number, string, boolean); {} "
                                    "is not one",
                                    key));
    }
  }
}

void set_dotted(toml::table& root, const std::string& key, const sweep::AxisValue& value) {
  toml::table* table = &root;
  std::string_view rest = key;
  for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
    const std::string part(rest.substr(0, dot));
    toml::node* node = table->get(part);
    if (node == nullptr || !node->is_table()) {
      table->insert_or_assign(part, toml::table{});
      node = table->get(part);
    }
    table = node->as_table();
    rest.remove_prefix(dot + 1);
  }
  const std::string leaf(rest);
  std::visit([&](const auto& v) { table->insert_or_assign(leaf, v); }, value);
}

double parse_number(std::string_view part, std::string_view text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(std::string(part), &used);
    if (used == part.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw sweep::SweepUsageError(fmt::format(
      "--space {}: '{}' is not a finite number (form KEY=LO:HI[:log][:int])", text, part));
}

/// A key as TOML writes it: bare when it can be, else quoted.
std::string key_text(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
  return bare ? std::string(key) : engine::quote_string(key);
}

/// A TOML value as text, floats in shortest round-trip form (toml++ writes 17 digits).
std::string value_text(const toml::node& v) {
  if (auto d = v.value_exact<double>()) return engine::render_double(*d);
  if (auto s = v.value_exact<std::string>()) return engine::quote_string(*s);
  if (const toml::array* a = v.as_array()) {
    std::vector<std::string> items;
    for (const auto& item : *a) items.push_back(value_text(item));
    return fmt::format("[{}]", fmt::join(items, ", "));
  }
  std::ostringstream os;
  os << toml::toml_formatter{v};
  return os.str();
}

/// A scenario table as TOML text: its values, then each subtable under its dotted header.
void table_text(const toml::table& table, const std::string& path, std::string& out) {
  bool header = path.empty();
  for (const auto& [k, v] : table) {
    if (v.is_table()) continue;
    if (!header) {
      out += fmt::format("\n[{}]\n", path);
      header = true;
    }
    out += fmt::format("{} = {}\n", key_text(k.str()), value_text(v));
  }
  for (const auto& [k, v] : table) {
    if (const toml::table* t = v.as_table()) {
      const std::string key = key_text(k.str());
      table_text(*t, path.empty() ? key : fmt::format("{}.{}", path, key), out);
    }
  }
}

std::string scenario_text(const toml::table& doc) {
  std::string out;
  table_text(doc, "", out);
  return out;
}

}  // namespace

Dimension parse_dimension(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw sweep::SweepUsageError(
        fmt::format("--space {}: expected KEY=LO:HI[:log][:int]", engine::excerpt(text)));
  }
  Dimension dim;
  dim.key = std::string(text.substr(0, eq));
  std::vector<std::string_view> parts;
  std::string_view rest = text.substr(eq + 1);
  while (true) {
    const auto colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() < 2) {
    throw sweep::SweepUsageError(fmt::format("--space {}: expected KEY=LO:HI[:log][:int]", text));
  }
  dim.lo = parse_number(parts[0], text);
  dim.hi = parse_number(parts[1], text);
  for (std::size_t i = 2; i < parts.size(); ++i) {
    if (parts[i] == "log") {
      dim.log = true;
    } else if (parts[i] == "int") {
      dim.integer = true;
    } else {
      throw sweep::SweepUsageError(
          fmt::format("--space {}: unknown flag '{}' (log or int)", text, parts[i]));
    }
  }
  if (dim.lo > dim.hi) {
    throw sweep::SweepUsageError(fmt::format("--space {}: LO is above HI", text));
  }
  if (dim.log && dim.lo <= 0.0) {
    throw sweep::SweepUsageError(fmt::format("--space {}: a log dimension needs LO > 0", text));
  }
  return dim;
}

sweep::Setting parse_setting(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw sweep::SweepUsageError(
        fmt::format("--fix {}: expected KEY=VALUE", engine::excerpt(text)));
  const std::string key(text.substr(0, eq));
  const std::string value(text.substr(eq + 1));
  try {
    const toml::table t = toml::parse("v = " + value);
    const toml::node& v = *t.get("v");
    if (auto b = v.value_exact<bool>()) return {key, *b};
    if (auto i = v.value_exact<std::int64_t>()) return {key, *i};
    if (auto d = v.value_exact<double>()) return {key, *d};
    if (auto s = v.value_exact<std::string>()) return {key, *s};
  } catch (const toml::parse_error&) {
  }
  return {key, value};
}

double from_unit(const Dimension& dim, double u) {
  u = std::clamp(u, 0.0, 1.0);
  double v = dim.log ? engine::det_exp(engine::det_log(dim.lo) +
                                       u * (engine::det_log(dim.hi) - engine::det_log(dim.lo)))
                     : dim.lo + u * (dim.hi - dim.lo);
  if (dim.integer) return std::clamp(std::round(v), std::ceil(dim.lo), std::floor(dim.hi));
  v = std::stod(fmt::format("{:.6g}", v));
  return std::clamp(v, dim.lo, dim.hi);
}

double to_unit(const Dimension& dim, double value) {
  if (dim.hi == dim.lo) return 0.5;
  const double u = dim.log ? (engine::det_log(value) - engine::det_log(dim.lo)) /
                                 (engine::det_log(dim.hi) - engine::det_log(dim.lo))
                           : (value - dim.lo) / (dim.hi - dim.lo);
  return std::clamp(u, 0.0, 1.0);
}

sweep::AxisValue axis_value(const Dimension& dim, double value) {
  if (dim.integer) return static_cast<std::int64_t>(value);
  return value;
}

double number_of(const sweep::AxisValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? 1.0 : 0.0;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::nan("");
}

std::string toml_literal(const sweep::AxisValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return engine::render_double(*d);
  return engine::quote_string(std::get<std::string>(value));
}

std::vector<sweep::Setting> read_regime(const std::filesystem::path& path) {
  const std::string text = engine::read_config_file(path);
  const toml::table doc = parse_text(text, path.string());
  for (const char* reserved : {"sweep", "grid", "experiment", "preset"}) {
    if (const toml::node* n = doc.get(reserved)) {
      const auto at = n->source().begin;
      throw ConfigError(path.string(), static_cast<int>(at.line), static_cast<int>(at.column),
                        reserved,
                        fmt::format("a regime file holds scenario keys only, not [{}]", reserved));
    }
  }
  std::vector<sweep::Setting> out;
  flatten(path.string(), doc, "", out);
  if (out.empty()) throw ConfigError(path.string(), 0, 0, "", "the regime sets no key");
  return out;
}

std::string regime_toml(const std::vector<sweep::Setting>& settings, std::string_view header) {
  std::string out;
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    out += fmt::format("# {}\n", rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  for (const auto& s : settings) out += fmt::format("{} = {}\n", s.key, toml_literal(s.value));
  return out;
}

BaseScenario load_base(const std::string& name, const std::string& preset,
                       const std::vector<std::filesystem::path>& experiment_dirs,
                       const std::vector<sweep::Setting>& settings) {
  BaseScenario base;
  const std::filesystem::path path(name);
  bool is_experiment = !std::filesystem::is_regular_file(path);
  if (is_experiment && (name.find('/') != std::string::npos || path.extension() == ".toml")) {
    throw ConfigError(name, 0, 0, "", "no such scenario file");
  }
  std::string text;
  if (!is_experiment) {
    text = engine::read_config_file(path);
    const toml::table doc = parse_text(text, path.string());
    is_experiment = doc.get("experiment") != nullptr;
  }
  if (is_experiment) {
    const auto spec =
        experiment::load_experiment(experiment::find_experiment(name, experiment_dirs));
    if (preset.empty()) {
      throw ConfigError(spec.file.string(), 0, 0, "preset",
                        "an experiment is searched at one of its presets: pass --preset");
    }
    text = experiment::preset_sweep_text(spec, spec.preset(preset), {});
    base.source = fmt::format("{} (preset {})", spec.file.string(), preset);
  } else {
    base.source = path.string();
  }
  toml::table doc = parse_text(text, base.source);
  doc.erase("sweep");
  doc.erase("grid");
  base.text = scenario_text(doc);
  if (!settings.empty()) base.text = apply_settings(base, settings);
  engine::load_scenario(base.text, base.source);
  return base;
}

std::vector<std::vector<double>> latin_hypercube(std::size_t count, std::size_t dims,
                                                 std::uint64_t seed, std::uint64_t stream) {
  engine::RandomStream rng(engine::repetition_key(seed, stream));
  std::vector<std::vector<double>> out(count, std::vector<double>(dims));
  for (std::size_t d = 0; d < dims; ++d) {
    std::vector<std::size_t> perm(count);
    std::iota(perm.begin(), perm.end(), 0);
    for (std::size_t i = count; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
    for (std::size_t i = 0; i < count; ++i)
      out[i][d] = (static_cast<double>(perm[i]) + rng.uniform()) / static_cast<double>(count);
  }
  return out;
}

std::string apply_settings(const BaseScenario& base, const std::vector<sweep::Setting>& settings) {
  toml::table doc = parse_text(base.text, base.source);
  for (const auto& s : settings) set_dotted(doc, s.key, s.value);
  std::string text = scenario_text(doc);
  engine::load_scenario(text, base.source);
  return text;
}

}  // namespace proteus::search
