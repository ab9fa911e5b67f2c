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

}  // namespace churn::gateway
