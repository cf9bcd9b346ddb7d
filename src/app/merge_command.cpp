// `proteus merge OUT.h5 SHARD...`: checks and joins shard panels (src/sweep/merge.hpp).
#include "app/merge_command.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "sweep/merge.hpp"

namespace proteus::app {
namespace {

struct MergeArgs {
  std::string out;
  std::vector<std::string> shards;
  bool overwrite = false;
};

int run_merge_command(const MergeArgs& args) {
  sweep::MergeOptions options;
  options.out = args.out;
  options.overwrite = args.overwrite;
  for (const auto& s : args.shards) options.shards.emplace_back(s);
  // Errors propagate to main's boundary (errors.hpp).
  const sweep::MergeSummary summary = sweep::merge_panels(options);
  fmt::print(stderr, "merged {} runs from {} panels into {}\n", summary.rows, args.shards.size(),
             args.out);
  if (summary.failed > 0) {
    fmt::print(stderr, "warning: {} of {} runs failed (status and /errors in {})\n", summary.failed,
               summary.rows, args.out);
  }
  return kExitOk;
}

}  // namespace

void register_merge_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* merge = app.add_subcommand(
      "merge", "Join the shard panels of one sweep (proteus sweep --shard I/N) into one panel");
  merge->add_option("OUT.h5", args->out, "Merged panel to write")->required();
  merge->add_option("SHARD.h5", args->shards, "Shard panels (together: every run exactly once)")
      ->required()
      ->check(CLI::ExistingFile);
  merge->add_flag("--overwrite", args->overwrite, "Replace an existing OUT.h5");
  merge->callback([args, &exit_code] { exit_code = run_merge_command(*args); });
}

}  // namespace proteus::app
