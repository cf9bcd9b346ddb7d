// Orphan watchdog of an MPI rank: a rank whose launcher (mpirun) was killed exits by itself
// instead of running on and holding the panel's write lock.
#pragma once

namespace proteus::sweep {

/// When this process was started by mpirun (OMPI_COMM_WORLD_SIZE is set), starts a detached
/// thread that checks every 150 ms whether the parent process changed; when it did (the
/// launcher is gone), prints one `error:` line and ends the process with _exit(1). Rows not
/// yet flushed are lost; flushed rows are in the journal. Does nothing otherwise. Idempotent.
void start_orphan_watchdog(int rank);

}  // namespace proteus::sweep
