#pragma once
// Gives the pages of memory the process freed back to the system. After a refresh swaps in new
// views (the old views, the streamed signals and the scoring batches freed) or a risk-history
// write, glibc keeps the freed heap mapped: without this the gateway's resident size would stay
// at its peak of two view sets until the pages happened to be reused.

#include <cstdint>

namespace churn::gateway {

void ReturnFreedHeapToSystem();

// The bytes malloc has handed out and not yet been given back (0 where unknown): logged at each
// refresh stage, so a log shows which stage holds the memory.
int64_t HeapBytesInUse();

}  // namespace churn::gateway
