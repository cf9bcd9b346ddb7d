// The scenario loader: TOML text -> ScenarioSpec through the key table, with unknown keys,
// wrong types and out-of-range values reported at their position; and the config file reader.
#include "engine/config/loader.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/config.hpp"
#include "engine/config/suggest.hpp"
#include "engine/config/toml_text.hpp"

namespace proteus::engine {
namespace {

std::string format_what(const std::string& file, int line, int column, const std::string& message) {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string key,
                         const std::string& message)
    : std::runtime_error(format_what(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)) {}

namespace detail {
namespace {

/// What a TOML node is, with its value: `string "abc"`, `integer 3`, `a table`.
std::string describe(const toml::node& node) {
  if (const auto* v = node.as_string()) return "string " + quote_excerpt(v->get());
  if (const auto* v = node.as_integer()) return fmt::format("integer {}", v->get());
  if (const auto* v = node.as_floating_point()) return "float " + render_double(v->get());
  if (const auto* v = node.as_boolean()) return v->get() ? "boolean true" : "boolean false";
  if (const auto* arr = node.as_array()) {
    std::string out = "array [";
    for (std::size_t i = 0; i < arr->size(); ++i) {
      if (i > 0) out += ", ";
      const toml::node& element = *arr->get(i);
      if (const auto* s = element.as_string()) {
        out += quote_excerpt(s->get());
      } else if (const auto* n = element.as_integer()) {
        out += fmt::format("{}", n->get());
      } else if (const auto* f = element.as_floating_point()) {
        out += render_double(f->get());
      } else if (const auto* b = element.as_boolean()) {
        out += b->get() ? "true" : "false";
      } else {
        out += "...";
      }
    }
    return out + "]";
  }
  if (node.is_table()) return "a table";
  return "a date/time";
}

std::string render_range(const Range& r) {
  return fmt::format("{}{}, {}{}", r.lo_open ? '(' : '[', r.lo, r.hi, r.hi_open ? ')' : ']');
}

}  // namespace

Origin Loader::origin_of(const toml::source_region& region) const {
  if (!region.path) return Origin{source_, 0, 0};
  // Override values are parsed with the override text as their path; positions inside that
  // one-line snippet would mislead, so they report no line.
  if (*region.path != source_) return Origin{*region.path, 0, 0};
  return Origin{source_, static_cast<int>(region.begin.line),
                static_cast<int>(region.begin.column)};
}

void Loader::fail(const Origin& where, std::string_view key, const std::string& message) const {
  throw ConfigError(where.file, where.line, where.column, std::string(key), message);
}

void Loader::fail_type(const toml::node& node, std::string_view key,
                       std::string_view expected) const {
  fail(origin_of(node.source()), key,
       fmt::format("{}: expected {}, got {}", key, expected, describe(node)));
}

void Loader::check_range(const Entry& e, const toml::node& node, double value,
                         const std::string& shown) const {
  const Range& r = e.range;
  const bool lo_ok = r.lo_open ? value > r.lo : value >= r.lo;
  const bool hi_ok = r.hi_open ? value < r.hi : value <= r.hi;
  if (!(lo_ok && hi_ok)) {
    fail(origin_of(node.source()), e.key,
         fmt::format("{} = {} is out of range: allowed {}", e.key, shown, render_range(r)));
  }
  if (auto problem = clock_problem(e.key, r, value, shown)) {
    fail(origin_of(node.source()), e.key, *problem);
  }
}

std::optional<double> as_number(const toml::node& node) {
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  return std::nullopt;
}

std::int64_t Loader::as_checked_integer(const Entry& e, const toml::node& node) const {
  const auto* i = node.as_integer();
  if (i == nullptr) fail_type(node, e.key, "an integer");
  check_range(e, node, static_cast<double>(i->get()), fmt::format("{}", i->get()));
  return i->get();
}

double Loader::as_checked_double(const Entry& e, const toml::node& node) const {
  const std::optional<double> v = as_number(node);
  if (!v) fail_type(node, e.key, "a number (float or integer)");
  check_range(e, node, *v, render_double(*v));
  return *v;
}

void Loader::assign(const Entry& e, const toml::node& node, ScenarioSpec& spec) {
  struct Visitor {
    const Loader& self;
    const Entry& e;
    const toml::node& node;
    void operator()(double* p) const { *p = self.as_checked_double(e, node); }
    void operator()(int* p) const { *p = static_cast<int>(self.as_checked_integer(e, node)); }
    void operator()(std::int64_t* p) const { *p = self.as_checked_integer(e, node); }
    void operator()(std::uint64_t* p) const {
      *p = static_cast<std::uint64_t>(self.as_checked_integer(e, node));
    }
    void operator()(bool* p) const {
      const auto* b = node.as_boolean();
      if (b == nullptr) self.fail_type(node, e.key, "a boolean (true or false)");
      *p = b->get();
    }
    void operator()(const ChoiceRef& r) const {
      const auto* s = node.as_string();
      if (s == nullptr) self.fail_type(node, e.key, "a string");
      const std::string& value = s->get();
      if (auto message = choice_error(e, value)) {
        self.fail(self.origin_of(node.source()), e.key, *message);
      }
      const auto found = std::find(e.choices.begin(), e.choices.end(), value);
      r.type->assign(r.field, static_cast<std::size_t>(found - e.choices.begin()));
    }
    void operator()(std::vector<double>* p) const {
      const auto* arr = node.as_array();
      if (arr == nullptr) self.fail_type(node, e.key, "an array of numbers");
      std::vector<double> values;
      for (const toml::node& element : *arr) {
        const std::optional<double> v = as_number(element);
        if (!v) self.fail_type(element, e.key, "an array of numbers");
        self.check_range(e, element, *v, render_double(*v));
        values.push_back(*v);
      }
      *p = std::move(values);
    }
  };
  std::visit(Visitor{*this, e, node}, e.ref(spec));
  origins_[e.key] = origin_of(node.source());
}

void Loader::collect(const toml::table& table, const std::string& prefix,
                     std::vector<std::pair<const Entry*, const toml::node*>>& out) const {
  const Registry& reg = registry();
  for (const auto& [k, node] : table) {
    const std::string key = join_key(prefix, k.str());
    // A quoted key with a dot ("agents.noise" = ...) is one segment in TOML, never a path.
    const bool one_segment = k.str().find('.') == std::string_view::npos;
    if (auto leaf = reg.leaves.find(key); one_segment && leaf != reg.leaves.end()) {
      out.emplace_back(leaf->second, &node);
    } else if (one_segment && reg.children.contains(key)) {
      const toml::table* sub = node.as_table();
      if (sub == nullptr) fail_type(node, key, "a table");
      collect(*sub, key, out);
    } else {
      std::string message = fmt::format("unknown key '{}'", excerpt(key));
      if (auto near = closest(k.str(), reg.children.find(prefix)->second)) {
        message += fmt::format(" (did you mean '{}'?)", join_key(prefix, *near));
      }
      fail(origin_of(k.source()), key, message);
    }
  }
}

Origin Loader::origin_of_key(std::string_view key) const {
  if (auto it = origins_.find(key); it != origins_.end()) return it->second;
  if (const auto inherited = latency_default_key(key)) {
    auto it = origins_.find(*inherited);
    if (it != origins_.end()) return it->second;
  }
  return Origin{source_, 0, 0};
}

std::pair<std::string_view, Origin> Loader::blame(
    std::initializer_list<std::string_view> keys) const {
  std::optional<std::pair<std::string_view, Origin>> explicit_key;
  for (std::string_view key : keys) {
    Origin o = origin_of_key(key);
    if (o.file != source_) return {key, o};
    if (o.line > 0 && !explicit_key) explicit_key.emplace(key, o);
  }
  if (explicit_key) return *explicit_key;
  return {*keys.begin(), origin_of_key(*keys.begin())};
}

void Loader::fail_cross(std::initializer_list<std::string_view> keys,
                        const std::string& message) const {
  const auto [key, where] = blame(keys);
  fail(where, key, message);
}

}  // namespace detail

ScenarioSpec load_scenario(std::string_view toml_text, std::string_view source,
                           std::span<const std::string> overrides) {
  detail::Loader loader(source);
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    const toml::source_position begin = error.source().begin;
    throw ConfigError(std::string(source), static_cast<int>(begin.line),
                      static_cast<int>(begin.column), "", std::string(error.description()));
  }
  for (const std::string& override_text : overrides)
    detail::apply_override(doc, override_text, loader);

  std::vector<std::pair<const detail::Entry*, const toml::node*>> assignments;
  loader.collect(doc, "", assignments);

  // Class latency profiles start as copies of the finished default profile, so its keys go first.
  ScenarioSpec spec;
  auto is_default_latency = [](const detail::Entry* e) {
    return e->key.starts_with(detail::kDefaultLatencyPrefix);
  };
  for (const auto& [entry, node] : assignments) {
    if (is_default_latency(entry)) loader.assign(*entry, *node, spec);
  }
  for (const auto& [name, profile] : detail::kLatencyProfiles) {
    if (profile != &LatencyProfiles::default_profile) {
      spec.latency.*profile = spec.latency.default_profile;
    }
  }
  for (const auto& [entry, node] : assignments) {
    if (!is_default_latency(entry)) loader.assign(*entry, *node, spec);
  }
  loader.check_cross_fields(spec);
  return spec;
}

std::string read_config_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(name, 0, 0, "", "is a directory, not a config file");
  }
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) {
    throw ConfigError(name, 0, 0, "", fmt::format("cannot open: {}", std::strerror(errno)));
  }
  std::string text;
  std::array<char, 65536> buffer;
  std::size_t n = 0;
  // Reads at most one buffer past the cap, so an endless file (/dev/zero) fails at once.
  while (text.size() <= kMaxConfigBytes &&
         (n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    text.append(buffer.data(), n);
  }
  const int read_errno = errno;
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    throw ConfigError(name, 0, 0, "", fmt::format("read error: {}", std::strerror(read_errno)));
  }
  if (text.size() > kMaxConfigBytes) {
    throw ConfigError(
        name, 0, 0, "",
        fmt::format("larger than {} MiB, the limit for a config file", kMaxConfigBytes >> 20));
  }
  return text;
}

ScenarioSpec load_scenario_file(const std::filesystem::path& path,
                                std::span<const std::string> overrides) {
  return load_scenario(read_config_file(path), path.string(), overrides);
}

std::optional<std::string> choice_error(std::string_view key, std::string_view value) {
  const detail::Registry& reg = detail::registry();
  const auto leaf = reg.leaves.find(key);
  if (leaf == reg.leaves.end()) return std::nullopt;
  return detail::choice_error(*leaf->second, value);
}

}  // namespace proteus::engine
