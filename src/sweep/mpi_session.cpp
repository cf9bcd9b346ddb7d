// MPI initialisation, finalisation and job abort.
#include "sweep/mpi_session.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <cstdlib>

#include "sweep/errors.hpp"

namespace proteus::sweep {

MpiSession::MpiSession() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) throw MpiError("MPI is already initialised");
  if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw MpiError("MPI_Init failed");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized == 0) MPI_Finalize();
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

}  // namespace proteus::sweep
