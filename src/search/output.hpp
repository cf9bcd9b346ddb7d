// Files the searches write: candidate tables (CSV), JSON documents, one-line descriptions.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "search/adversarial.hpp"
#include "search/space.hpp"

namespace proteus::search {

/// "key=value, ..." of a candidate, keys shortened to their last two parts.
std::string describe_point(const std::vector<Dimension>& space,
                           const std::vector<sweep::AxisValue>& values);

/// The dimensions as JSON objects (key, lo, hi, log, int).
nlohmann::ordered_json space_json(const std::vector<Dimension>& space);

/// A candidate's statistics as a JSON object (NaN as null).
nlohmann::ordered_json stats_json(const CandidateStats& stats);

/// A scored candidate: generation, index, values by key, statistics and `file` when not empty.
nlohmann::ordered_json scored_json(const std::vector<Dimension>& space, const Scored& s,
                                   const std::string& file = {});

/// One row per candidate: generation, index, the keys, then the statistics.
void write_scored_csv(const std::filesystem::path& path, const std::vector<Dimension>& space,
                      const std::vector<Scored>& rows);

/// Writes `doc` indented by 2 with a final newline.
void write_json(const std::filesystem::path& path, const nlohmann::ordered_json& doc);

/// Writes `text` to `path`.
void write_text_file(const std::filesystem::path& path, const std::string& text);

/// A finite number, or null.
nlohmann::ordered_json number_or_null(double x);

}  // namespace proteus::search
