// Shared options of the search commands (see search_options.hpp).
#include "app/search_options.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "app/errors.hpp"
#include "app/exit_codes.hpp"

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

int fail_setup(const sweep::MpiSession& mpi, const std::exception& e) {
  if (mpi.rank() == 0 && mpi.size() > 1) {
    report_error(e);
    mpi.abort(exit_code_of(e));
  }
  return report_error(e);
}

int fail_collective(const sweep::MpiSession& mpi, const std::exception& e) {
  const int code = exit_code_of(e);
  if (code == kExitUsage || mpi.size() == 1) return report_error(e);
  report_error(e, fmt::format("rank {}", mpi.rank()));
  mpi.abort(code);
}

}  // namespace proteus::app
