// What the search commands (calibrate, search, gate) share: where experiments are found and
// how progress is printed.
#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sweep/mpi_session.hpp"
#include "sweep/runner.hpp"

namespace proteus::app {

/// Where experiment names are looked up: `explicit_dir`, else $PROTEUS_EXPERIMENTS,
/// ./configs/experiments and the source tree the binary was built in.
std::vector<std::filesystem::path> experiment_search_dirs(const std::string& explicit_dir);

/// Prints the final progress line of each sweep ("progress: done/total runs, s") unless quiet.
std::function<void(const sweep::Progress&)> progress_printer(bool quiet);

/// Prints `line` on stderr with a "search: " prefix.
void print_search_line(const std::string& line);

/// Ends a command whose set-up (reading files, on rank 0 alone) threw: the error line, and under
/// mpirun an abort, since the other ranks already wait in the first sweep's broadcast.
int fail_setup(const sweep::MpiSession& mpi, const std::exception& e);

/// Ends a collective command after an exception: one error line, every rank stopped.
int fail_collective(const sweep::MpiSession& mpi, const std::exception& e);

}  // namespace proteus::app
