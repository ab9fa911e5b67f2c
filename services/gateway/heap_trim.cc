#include "heap_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace churn::gateway {

void ReturnFreedHeapToSystem() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

int64_t HeapBytesInUse() {
#if defined(__GLIBC__)
  const struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
#else
  return 0;
#endif
}

}  // namespace churn::gateway
