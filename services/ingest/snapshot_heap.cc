#include "snapshot_heap.h"

#include <malloc.h>

namespace churn::ingest_service {

void KeepSnapshotRowsInTheHeap() {
  // Blocks below 64 MiB (snapshots up to ~200k customers) come from the heap, and up to
  // 128 MiB of free heap top is kept for the next load rather than given back at once.
  // Fixed values also stop glibc moving the thresholds itself.
  (void)mallopt(M_MMAP_THRESHOLD, 64 << 20);
  (void)mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

}  // namespace churn::ingest_service
