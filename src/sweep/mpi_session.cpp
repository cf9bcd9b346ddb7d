// MPI initialisation, finalisation and job abort; the one check of MPI return codes.
#include "sweep/mpi_session.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <cstdlib>

#include "sweep/errors.hpp"
#include "sweep/mpi_check.hpp"

namespace proteus::sweep {

void check_mpi(int code, std::string_view what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  throw MpiError(fmt::format("MPI: {}: {}", what,
                             length > 0 ? std::string_view(text, static_cast<std::size_t>(length))
                                        : std::string_view("unknown MPI error")));
}

MpiSession::MpiSession() {
  int initialized = 0;
  check_mpi(MPI_Initialized(&initialized), "MPI_Initialized");
  if (initialized != 0) throw MpiError("MPI is already initialised");
  check_mpi(MPI_Init(nullptr, nullptr), "MPI_Init");
  // From here on errors come back as codes (checked at every call) instead of aborting.
  check_mpi(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "set error handler");
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  // A destructor cannot report: a failing MPI_Finalized or MPI_Finalize at exit leaves nothing
  // to clean up that the process end does not.
  int finalized = 1;
  if (MPI_Finalized(&finalized) == MPI_SUCCESS && finalized == 0) MPI_Finalize();
}

void MpiSession::broadcast(std::uint64_t& value) const {
  if (size_ == 1) return;
  check_mpi(MPI_Bcast(&value, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "broadcast value");
}

void MpiSession::broadcast(std::string& text) const {
  if (size_ == 1) return;
  std::uint64_t size = text.size();
  broadcast(size);
  text.resize(size);
  if (size > 0) {
    check_mpi(MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD),
              "broadcast text");
  }
}

std::string MpiSession::library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return "unknown";
  std::string out(text, static_cast<std::size_t>(length));
  out = out.substr(0, out.find_first_of("\n,"));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);  // does not return on success; if it fails, exit anyway
  std::_Exit(code);
}

}  // namespace proteus::sweep
