// Process-wide allocator settings of the `proteus` command and the benchmarks.
#pragma once

#include <malloc.h>

namespace proteus::app {

/// Keeps freed heap memory in the process instead of returning it to the kernel after every
/// run: a sweep runs thousands of simulations back to back, and glibc's default trim and mmap
/// thresholds (128 KiB, adapted at run time) made each run re-fault its pages (about a third of
/// a short run's time, docs/performance.md). Memory stays bounded by the largest run.
inline void tune_allocator() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
}

}  // namespace proteus::app
