// Scenario libraries with a SHA-256 manifest (see library.hpp).
#include "search/library.hpp"

#include <fmt/format.h>
#include <fmt/os.h>

#include <map>
#include <nlohmann/json.hpp>

#include "engine/config.hpp"
#include "search/space.hpp"
#include "sweep/sha256.hpp"

namespace proteus::search {
namespace {

using json = nlohmann::ordered_json;

void write_text(const std::filesystem::path& path, const std::string& text) {
  auto file = fmt::output_file(path.string());
  file.print("{}", text);
  file.close();
}

json setting_json(const sweep::AxisValue& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

sweep::AxisValue setting_value(const std::filesystem::path& file, const std::string& key,
                               const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  throw engine::ConfigError(file.string(), 0, 0, key,
                            "a setting must be a number, string or boolean");
}

json read_json(const std::filesystem::path& path) {
  const std::string text = engine::read_config_file(path);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw engine::ConfigError(path.string(), 0, 0, "", fmt::format("not JSON: {}", e.what()));
  }
}

}  // namespace

void write_library(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<LibraryScenario>& scenarios, const std::string& index_json) {
  std::filesystem::create_directories(dir);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".toml" || ext == ".json"))
      std::filesystem::remove(entry.path());
  }
  json index;
  index["name"] = name;
  index["search"] = json::parse(index_json);
  index["scenarios"] = json::array();
  std::map<std::string, std::string> hashes;
  for (const auto& s : scenarios) {
    json entry;
    entry["id"] = s.id;
    entry["file"] = s.file;
    entry["settings"] = json::object();
    for (const auto& setting : s.settings)
      entry["settings"][setting.key] = setting_json(setting.value);
    entry["note"] = s.note;
    index["scenarios"].push_back(entry);
    write_text(dir / s.file, s.text);
    hashes[s.file] = sweep::sha256_hex(s.text);
  }
  const std::string index_text = index.dump(2) + "\n";
  write_text(dir / kIndexFile, index_text);
  hashes[kIndexFile] = sweep::sha256_hex(index_text);
  json manifest;
  manifest["algorithm"] = "sha256";
  manifest["files"] = json::object();
  for (const auto& [file, hash] : hashes) manifest["files"][file] = hash;
  write_text(dir / kManifestFile, manifest.dump(2) + "\n");
}

std::vector<LibraryScenario> load_library(const std::filesystem::path& dir) {
  const auto manifest_path = dir / kManifestFile;
  if (!std::filesystem::is_regular_file(manifest_path)) {
    throw LibraryTampered(
        fmt::format("scenario library {}: no {} (a library is verified before "
                    "use; write it with `proteus search adversarial`)",
                    dir.string(), kManifestFile));
  }
  const json manifest = read_json(manifest_path);
  if (!manifest.is_object() || manifest.value("algorithm", "") != "sha256" ||
      !manifest.contains("files") || !manifest["files"].is_object()) {
    throw LibraryTampered(fmt::format("{}: not a sha256 manifest", manifest_path.string()));
  }
  std::map<std::string, std::string> texts;
  for (const auto& [file, hash] : manifest["files"].items()) {
    const auto path = dir / file;
    if (file.find('/') != std::string::npos || !std::filesystem::is_regular_file(path)) {
      throw LibraryTampered(fmt::format(
          "scenario library {}: {} is listed in the manifest but missing", dir.string(), file));
    }
    std::string text = engine::read_config_file(path);
    const std::string actual = sweep::sha256_hex(text);
    if (!hash.is_string() || actual != hash.get<std::string>()) {
      throw LibraryTampered(fmt::format(
          "scenario library {}: {} does not match its manifest (sha256 {} expected, {} found): "
          "the file was changed after the search wrote it",
          dir.string(), file, hash.is_string() ? hash.get<std::string>() : "?", actual));
    }
    texts[file] = std::move(text);
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() == ".toml" && !texts.contains(file)) {
      throw LibraryTampered(
          fmt::format("scenario library {}: {} is not in the manifest", dir.string(), file));
    }
  }
  if (!texts.contains(kIndexFile)) {
    throw LibraryTampered(
        fmt::format("scenario library {}: {} is not in the manifest", dir.string(), kIndexFile));
  }
  json index;
  try {
    index = json::parse(texts[kIndexFile]);
  } catch (const json::exception& e) {
    throw engine::ConfigError((dir / kIndexFile).string(), 0, 0, "", e.what());
  }
  std::vector<LibraryScenario> out;
  for (const auto& entry : index.at("scenarios")) {
    LibraryScenario s;
    s.id = entry.at("id").get<std::string>();
    s.file = entry.at("file").get<std::string>();
    s.note = entry.value("note", "");
    for (const auto& [key, value] : entry.at("settings").items())
      s.settings.push_back({key, setting_value(dir / kIndexFile, key, value)});
    if (!texts.contains(s.file)) {
      throw LibraryTampered(
          fmt::format("scenario library {}: {} is not in the manifest", dir.string(), s.file));
    }
    s.text = texts[s.file];
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace proteus::search
