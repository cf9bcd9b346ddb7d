// Panel growth: the repetitions edit of a sweep text and the copy of finished runs to the
// row layout of more repetitions (row = cell * repetitions + rep).
#include "sweep/panel_grow.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <system_error>
#include <vector>

#include "engine/config.hpp"
#include "sweep/errors.hpp"
#include "sweep/journal.hpp"
#include "sweep/panel.hpp"

namespace proteus::sweep {
namespace {

constexpr std::uint64_t kCopyBlockRows = 1 << 16;

/// Byte offset of 1-based (line, column) in `text`; npos when out of range.
std::size_t offset_of(std::string_view text, std::size_t line, std::size_t column) {
  std::size_t at = 0;
  for (std::size_t l = 1; l < line; ++l) {
    at = text.find('\n', at);
    if (at == std::string_view::npos) return at;
    ++at;
  }
  return at + column - 1 <= text.size() ? at + column - 1 : std::string_view::npos;
}

/// Position and length of the sweep.repetitions integer literal in `text`.
std::optional<std::pair<std::size_t, std::size_t>> repetitions_token(std::string_view text,
                                                                     std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw engine::ConfigError(std::string(source), static_cast<int>(e.source().begin.line),
                              static_cast<int>(e.source().begin.column), "",
                              std::string(e.description()));
  }
  const toml::node* node = doc.at_path("sweep.repetitions").node();
  if (node == nullptr || !node->is_integer()) return std::nullopt;
  const auto begin = node->source().begin;
  const std::size_t at = offset_of(text, begin.line, begin.column);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t end = at;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                               text[end] == '_' || text[end] == '+')) {
    ++end;
  }
  return std::make_pair(at, end - at);
}

}  // namespace

std::string with_repetitions(std::string_view text, std::string_view source,
                             std::uint64_t repetitions) {
  const auto token = repetitions_token(text, source);
  if (!token) {
    throw engine::ConfigError(std::string(source), 0, 0, "sweep.repetitions",
                              "missing integer sweep.repetitions");
  }
  std::string out(text.substr(0, token->first));
  out += std::to_string(repetitions);
  out += text.substr(token->first + token->second);
  return out;
}

std::optional<std::uint64_t> repetitions_only_change(std::string_view stored,
                                                     std::string_view text) {
  try {
    const auto token = repetitions_token(stored, "stored config");
    const auto other = repetitions_token(text, "config");
    if (!token || !other) return std::nullopt;
    const std::string old_value(stored.substr(token->first, token->second));
    std::uint64_t old_reps = 0;
    if (old_value.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    old_reps = std::stoull(old_value);
    const std::string new_value(text.substr(other->first, other->second));
    if (new_value.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    if (with_repetitions(stored, "stored config", std::stoull(new_value)) != text) {
      return std::nullopt;
    }
    return old_reps;
  } catch (const std::exception&) {
    return std::nullopt;  // unparsable text: not a repetitions-only change
  }
}

void grow_panel(const std::filesystem::path& path, const SweepPlan& plan, int ranks) {
  const std::string stored = read_panel_config(path);
  const auto old_reps = repetitions_only_change(stored, plan.config_text);
  if (!old_reps) {
    throw SweepUsageError(
        fmt::format("{}: cannot grow: its config differs from {} in more than sweep.repetitions",
                    path.string(), plan.source));
  }
  if (read_panel_shard(path)) {
    throw SweepUsageError(fmt::format(
        "{} is a shard; grow the merged panel instead (proteus merge first)", path.string()));
  }
  if (*old_reps > plan.repetitions) {
    throw SweepUsageError(fmt::format(
        "{} holds {} repetitions per cell, more than the {} asked for; a panel only grows",
        path.string(), *old_reps, plan.repetitions));
  }
  if (*old_reps == plan.repetitions) return;
  const SweepPlan old_plan = load_sweep(stored, path.string() + " (stored config)");
  {
    // Replays journaled runs the panel lost, so every finished run is copied.
    PanelWriter writer = PanelWriter::resume(path, old_plan, ranks, std::nullopt);
    const bool complete = writer.pending_ranges().empty();
    writer.close(complete);
  }
  const std::filesystem::path temp(path.string() + ".grow");
  std::error_code ignore;
  std::filesystem::remove(journal_path(temp), ignore);
  {
    const PanelReader reader = PanelReader::open(path);
    PanelWriter writer = PanelWriter::create(temp, plan, ranks);
    for (const auto& [begin, end] : reader.finished_ranges()) {
      for (std::uint64_t row = begin; row < end; row += kCopyBlockRows) {
        std::vector<RunRecord> records =
            reader.read(row, std::min<std::uint64_t>(kCopyBlockRows, end - row));
        for (auto& r : records) r.row = row_of(run_of(r.row, *old_reps), plan.repetitions);
        writer.add(std::move(records));
        writer.flush();
      }
    }
    writer.close(false);
  }
  // The grown panel replaces the old one in one rename, then its journal (written for the
  // temporary name, same config) replaces the old panel's. A crash in between leaves a journal
  // of another config or none: --resume then starts a new one from the finished rows.
  sync_path(temp);
  std::filesystem::rename(temp, path);
  sync_path(std::filesystem::absolute(path).parent_path());
  std::filesystem::remove(journal_path(path), ignore);
  std::filesystem::rename(journal_path(temp), journal_path(path), ignore);
}

}  // namespace proteus::sweep
