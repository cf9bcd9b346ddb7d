// A deliberate leak, built only in sanitizer builds: proves that the LeakSanitizer
// suppressions for Open MPI and HDF5 (lsan.supp) do not hide leaks in Proteus's own code.
#include <mpi.h>

#include <cstdio>

namespace {

// The allocation stack of this leak holds only this file, main and libc, so no suppression
// applies and LeakSanitizer must report it.
[[gnu::noinline]] int* proteus_leak_on_purpose() {
  return new int[64]{};  // NOLINT(cppcoreguidelines-owning-memory): the point of the test
}

}  // namespace

int main(int argc, char** argv) {
  // Open MPI keeps allocations until exit: with the suppressions these are not reported.
  MPI_Init(&argc, &argv);
  volatile int* leaked = proteus_leak_on_purpose();
  std::printf("leaked %p\n", static_cast<void*>(const_cast<int*>(leaked)));
  leaked = nullptr;
  MPI_Finalize();
  return 0;
}
