// Errors of the sweep layer that the CLI maps to exit codes (docs/sweep-config.md).
#pragma once

#include <stdexcept>

namespace proteus::sweep {

/// A request that cannot be carried out as asked: output exists, config changed on resume,
/// parity violated. The CLI exits with code 2.
class SweepUsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An HDF5 failure; what() carries the library's own message. The CLI exits with code 1.
class PanelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A panel that fails verification (a checksum, a size, a digest): the input is damaged. Named
/// after the dataset. A usage error (exit 2): nothing is read from or written to it.
class PanelDamagedError : public SweepUsageError {
 public:
  using SweepUsageError::SweepUsageError;
};

/// An MPI or message failure. The CLI exits with code 1 (after MPI_Abort on several ranks).
class MpiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace proteus::sweep
