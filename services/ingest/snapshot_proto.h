#pragma once
// The ingest library's types as churn.v1 messages: snapshot info, ticket text sets and tickets.
// (CustomerSignals go through services/common/proto_convert.h.)

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "churn/v1/ingest.pb.h"
#include "snapshots/customer_directory.h"
#include "snapshots/snapshot.h"
#include "snapshots/ticket_catalog.h"

namespace churn::ingest_service {

// At most this many warnings per table travel in SnapshotInfo; warning_count has the total.
inline constexpr size_t kMaxWarningsPerTable = 20;

void SnapshotToProto(const snapshots::Snapshot& snapshot, v1::SnapshotInfo* info);

// `directory` (null before the first snapshot) checks how many keys match a customer: a set is
// linked when it has a key column and, once customers are known, at least one key matches.
void TicketSetToProto(const snapshots::TicketSetEntry& entry,
                      const snapshots::CustomerDirectory* directory, v1::TicketTextSet* set);

}  // namespace churn::ingest_service
