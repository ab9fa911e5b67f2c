#include "snapshot_proto.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "dataset/table_schema.h"

namespace churn::ingest_service {

namespace {

// Callers learn which file, not where it sits on the ingest host (source_dir says that, for
// the services that need it).
std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

void SnapshotToProto(const snapshots::Snapshot& snapshot, v1::SnapshotInfo* info) {
  const SignalSnapshot& signals = snapshot.signals;
  info->set_version(snapshot.version);
  service::TimeToProto(snapshot.loaded_at, info->mutable_loaded_at());
  if (signals.usage_window_end) {
    info->set_usage_window_end(dataset::FormatDate(*signals.usage_window_end));
  }
  if (signals.support_window_end) {
    info->set_support_window_end(dataset::FormatDate(*signals.support_window_end));
  }
  for (dataset::Table table : dataset::kAllTables) {
    const dataset::TableStats& stats = signals.report.of(table);
    const std::string name(dataset::SchemaOf(table).name);
    v1::TableStats* out = info->add_tables();
    out->set_name(name);
    out->set_file(FileName(snapshot.files.of(table)));
    out->set_rows(stats.rows);
    out->set_rejected(stats.rejected);
    out->set_warning_count(static_cast<int64_t>(stats.warnings.size()));
    for (size_t i = 0; i < stats.warnings.size() && i < kMaxWarningsPerTable; ++i) {
      v1::TableWarning* warning = out->add_warnings();
      warning->set_table(name);
      warning->set_file(FileName(snapshot.files.of(table)));
      warning->set_message(stats.warnings[i]);
    }
  }
  info->set_source_dir(snapshot.source_dir);
  info->set_instance_id(snapshot.store_instance);
  info->set_customer_count(static_cast<int64_t>(signals.customers.size()));
  for (const auto& [reason, count] : signals.churn_reason_counts) {
    (*info->mutable_churn_reason_counts())[reason] = count;
  }
  info->set_content_hash(snapshot.content_hash);
}

void TicketSetToProto(const snapshots::TicketSetEntry& entry,
                      const snapshots::CustomerDirectory* directory, v1::TicketTextSet* set) {
  set->set_name(entry.name);
  set->set_file(FileName(entry.file));
  set->set_uploaded(entry.uploaded);
  auto warn = [&](std::string message) {
    v1::TableWarning* warning = set->add_warnings();
    warning->set_table("ticket_text");
    warning->set_file(FileName(entry.file));
    warning->set_message(std::move(message));
  };
  if (!entry.set) {
    warn(entry.error);
    return;
  }
  const tickets::TicketSet& tickets = *entry.set;
  set->set_rows(tickets.rows_total);
  set->set_text_columns(tickets.text_columns);
  set->set_key_column(tickets.key_column);
  if (static_cast<int64_t>(tickets.tickets.size()) < tickets.rows_total) {
    warn(absl::StrCat("only the first ", tickets.tickets.size(), " of ", tickets.rows_total,
                      " tickets are held"));
  }
  if (tickets.key_column.empty()) {
    set->set_linked(false);
    return;
  }
  if (directory == nullptr) {
    set->set_linked(true);  // a real key column; matching waits for the first snapshot
    return;
  }
  int64_t matched = 0;
  for (const tickets::TicketRecord& ticket : tickets.tickets) {
    if (!directory->Resolve(tickets.key_column, ticket.key).empty()) ++matched;
  }
  const auto held = static_cast<int64_t>(tickets.tickets.size());
  set->set_linked(matched > 0);
  if (matched < held) {
    warn(absl::StrCat(held - matched, " of ", held, " tickets have a ", tickets.key_column,
                      " that matches no customer (those stay unlinked)"));
  }
}

}  // namespace churn::ingest_service
