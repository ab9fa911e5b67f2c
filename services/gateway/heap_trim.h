#pragma once
// How the gateway keeps its heap from holding freed memory. Its views at a million customers are
// a few hundred MB of long-lived rows next to a refresh's short-lived signals, scoring batches
// and multi-MB sort orders; glibc's defaults let the freed part stay resident.

namespace churn::gateway {

// Gives the pages of memory the process freed back to the system. After a refresh swaps in new
// views (the old views, the streamed signals and the scoring batches freed) or a risk-history
// write, glibc keeps the freed heap mapped: without this the gateway's resident size would stay
// at its peak of two view sets until the pages happened to be reused.
void ReturnFreedHeapToSystem();

// Keeps every block of 128 KiB or more in a mapping of its own, given back to the system when
// freed. glibc otherwise raises that threshold (up to 32 MiB) after the first such block is
// freed, so the views' multi-MB orders, columns and sort buffers land in the heap between small
// long-lived rows' strings, and the heap cannot shrink after a refresh frees them (measured at
// 1M customers: ~140-180 MiB more resident after a refresh). Call once, before any thread starts.
//
// It also lets each heap keep up to kKeptHeapTop free at its top on a free (glibc's default,
// 128 KiB, gave that back on nearly every at-risk page past the page cache: its 70-110 KiB body
// freed, a madvise, then page faults on the next body; perf at 1M customers). A refresh still
// gives everything back through ReturnFreedHeapToSystem.
inline constexpr int kKeptHeapTop = 1 << 20;
void KeepLargeBlocksOutOfHeap();

}  // namespace churn::gateway
