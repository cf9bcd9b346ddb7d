// Internal to src/sweep (include only from .cpp files): the one check of MPI return codes.
#pragma once

#include <string_view>

namespace proteus::sweep {

/// Returns when `code` is MPI_SUCCESS; otherwise throws MpiError naming `what` and carrying
/// MPI's own error string.
void check_mpi(int code, std::string_view what);

}  // namespace proteus::sweep
