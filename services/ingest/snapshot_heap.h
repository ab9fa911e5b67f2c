#pragma once
// How ingest's heap treats a snapshot's rows. A snapshot of 100k customers is one ~32 MB vector;
// glibc maps a block that large afresh and unmaps it when freed, so every reload paid ~8,000
// page faults and the kernel's zeroing for the new rows (a quarter of a tickets-only reload).
// Kept in the heap instead, the rows of the snapshot a publish retires are the pages the next
// snapshot's rows take. Much larger blocks (a million customers) are still mapped on their own.

namespace churn::ingest_service {

// Call once, first thing in main, before any thread starts.
void KeepSnapshotRowsInTheHeap();

}  // namespace churn::ingest_service
