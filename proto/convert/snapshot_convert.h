#pragma once
// churn.v1.SnapshotInfo: ingest writes it from its snapshot; the gateway reads what its views
// need from it (window ends, churn reason counts, which snapshot).

#include <cstddef>

#include <optional>

#include "churn/v1/common.pb.h"
#include "churn/v1/ingest.pb.h"
#include "dataset/table_schema.h"
#include "snapshots/snapshot.h"
#include "viewsets/view_set.h"

namespace churn::convert {

// At most this many warnings per table travel in SnapshotInfo; warning_count has the total.
inline constexpr size_t kMaxWarningsPerTable = 20;

void ToProto(const snapshots::Snapshot& snapshot, v1::SnapshotInfo* info);
// One of the five data tables; none for TABLE_KIND_TICKET_TEXT, unspecified or unknown kinds.
std::optional<dataset::Table> FromProto(v1::TableKind kind);
// Fills the snapshot's part of the view inputs: version, instance, both window ends (none when
// empty or not a date) and the churn reason counts.
void FromProto(const v1::SnapshotInfo& info, viewsets::ViewSetInputs* inputs);

}  // namespace churn::convert
