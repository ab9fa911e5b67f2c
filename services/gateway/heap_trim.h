#pragma once
// Gives the pages of memory the process freed back to the system. After a refresh swaps in new
// views (the old views, the streamed signals and the scoring batches freed) or a risk-history
// write, glibc keeps the freed heap mapped: without this the gateway's resident size would stay
// at its peak of two view sets until the pages happened to be reused.

namespace churn::gateway {

void ReturnFreedHeapToSystem();

}  // namespace churn::gateway
