// Output files of the searches (see output.hpp).
#include "search/output.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <cmath>

#include "engine/config/toml_text.hpp"

namespace proteus::search {
namespace {

std::string short_key(const std::string& key) {
  const auto last = key.rfind('.');
  if (last == std::string::npos || last == 0) return key;
  const auto before = key.rfind('.', last - 1);
  return before == std::string::npos ? key : key.substr(before + 1);
}

std::string csv_number(double x) {
  return std::isfinite(x) ? engine::render_double(x) : "";
}

}  // namespace

nlohmann::ordered_json number_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

std::string describe_point(const std::vector<Dimension>& space,
                           const std::vector<sweep::AxisValue>& values) {
  std::vector<std::string> parts;
  for (std::size_t d = 0; d < space.size() && d < values.size(); ++d)
    parts.push_back(fmt::format("{}={}", short_key(space[d].key), toml_literal(values[d])));
  return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::ordered_json space_json(const std::vector<Dimension>& space) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& d : space) {
    out.push_back({{"key", d.key}, {"lo", d.lo}, {"hi", d.hi}, {"log", d.log}, {"int", d.integer}});
  }
  return out;
}

nlohmann::ordered_json stats_json(const CandidateStats& s) {
  nlohmann::ordered_json j;
  j["n"] = s.n;
  j["kills"] = s.kills;
  j["kill_p"] = number_or_null(s.kill_p);
  j["kill_wilson_low"] = number_or_null(s.kill_low);
  j["kill_wilson_high"] = number_or_null(s.kill_high);
  j["pnl_mean"] = number_or_null(s.pnl_mean);
  j["pnl_cvar_95"] = number_or_null(s.pnl_cvar);
  j["drawdown_mean"] = number_or_null(s.drawdown_mean);
  j["drawdown_cvar_95"] = number_or_null(s.drawdown_cvar);
  j["time_to_kill_mean"] = number_or_null(s.time_to_kill_mean);
  return j;
}

nlohmann::ordered_json scored_json(const std::vector<Dimension>& space, const Scored& s,
                                   const std::string& file) {
  nlohmann::ordered_json j;
  j["generation"] = s.generation;
  j["index"] = s.index;
  j["values"] = nlohmann::ordered_json::object();
  for (std::size_t d = 0; d < space.size(); ++d) {
    std::visit([&](const auto& v) { j["values"][space[d].key] = v; }, s.values[d]);
  }
  j["stats"] = stats_json(s.stats);
  j["killed_reps"] = s.killed_reps;
  if (!file.empty()) j["file"] = file;
  return j;
}

void write_scored_csv(const std::filesystem::path& path, const std::vector<Dimension>& space,
                      const std::vector<Scored>& rows) {
  std::string out = "generation,index";
  for (const auto& d : space) out += fmt::format(",{}", d.key);
  out +=
      ",n,kills,kill_p,kill_wilson_low,kill_wilson_high,pnl_mean,pnl_cvar_95,drawdown_mean,"
      "drawdown_cvar_95,time_to_kill_mean\n";
  for (const auto& r : rows) {
    out += fmt::format("{},{}", r.generation, r.index);
    for (const auto& v : r.values) out += fmt::format(",{}", toml_literal(v));
    const auto& s = r.stats;
    out += fmt::format(",{},{},{},{},{},{},{},{},{},{}\n", s.n, s.kills, csv_number(s.kill_p),
                       csv_number(s.kill_low), csv_number(s.kill_high), csv_number(s.pnl_mean),
                       csv_number(s.pnl_cvar), csv_number(s.drawdown_mean),
                       csv_number(s.drawdown_cvar), csv_number(s.time_to_kill_mean));
  }
  write_text_file(path, out);
}

void write_json(const std::filesystem::path& path, const nlohmann::ordered_json& doc) {
  write_text_file(path, doc.dump(2) + "\n");
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  auto file = fmt::output_file(path.string());
  file.print("{}", text);
  file.close();
}

}  // namespace proteus::search
