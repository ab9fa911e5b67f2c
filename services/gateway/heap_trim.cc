#include "heap_trim.h"

// Any C library header defines __GLIBC__ under glibc; without one before the test below it is
// never defined, and both calls compile to nothing.
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace churn::gateway {

void ReturnFreedHeapToSystem() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void KeepLargeBlocksOutOfHeap() {
#if defined(__GLIBC__)
  // Setting it also turns off glibc's dynamic raising of this threshold and of the trim one.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, kKeptHeapTop);
#endif
}

}  // namespace churn::gateway
