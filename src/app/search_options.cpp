// Shared options of the search commands (see search_options.hpp).
#include "app/search_options.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace proteus::app {

std::vector<std::filesystem::path> experiment_search_dirs(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return {explicit_dir};
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("PROTEUS_EXPERIMENTS"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  dirs.emplace_back("configs/experiments");
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = exe.parent_path();
    for (int up = 0; up < 5 && !dir.empty(); ++up, dir = dir.parent_path()) {
      if (std::filesystem::is_directory(dir / "configs/experiments")) {
        dirs.push_back(dir / "configs/experiments");
        break;
      }
    }
  }
  return dirs;
}

std::function<void(const sweep::Progress&)> progress_printer(bool quiet) {
  if (quiet) return {};
  return [](const sweep::Progress& p) {
    if (p.final) {
      fmt::print(stderr, "progress: {}/{} runs, {:.1f} s, {} failed\n", p.done, p.total,
                 p.elapsed_s, p.failed);
    }
  };
}

void print_search_line(const std::string& line) {
  fmt::print(stderr, "search: {}\n", line);
}

}  // namespace proteus::app
