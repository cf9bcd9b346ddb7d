// MPI lifetime for one process: initialises MPI (also as a singleton without mpirun) and
// finalises it; MPI types stay inside the .cpp.
#pragma once

#include <cstdint>
#include <string>

namespace proteus::sweep {

/// Owns MPI_Init/MPI_Finalize for the process; at most one may exist. Errors on
/// MPI_COMM_WORLD return codes, which the sweep layer turns into MpiError.
class MpiSession {
 public:
  MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  ~MpiSession();  ///< finalises MPI unless abort() ended the job

  /// This process's rank in MPI_COMM_WORLD.
  int rank() const { return rank_; }
  /// Number of ranks in MPI_COMM_WORLD.
  int size() const { return size_; }

  /// Collective: every rank gets rank 0's `value`.
  void broadcast(std::uint64_t& value) const;
  /// Collective: every rank gets rank 0's `text`.
  void broadcast(std::string& text) const;

  /// The MPI library's own version line (MPI_Get_library_version), first line only.
  static std::string library_version();

  /// Ends every rank of the job with `code` (MPI_Abort); used after an unexpected error.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace proteus::sweep
