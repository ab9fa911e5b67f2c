#include "convert/snapshot_convert.h"

#include <filesystem>
#include <optional>
#include <string>

#include "convert/time_convert.h"
#include "dataset/table_schema.h"
#include "dataset/value_parsers.h"

namespace churn::convert {
namespace {

// Callers learn which file, not where it sits on the ingest host (source_dir says that, for
// the services that need it).
std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::optional<dataset::Day> DayFromProto(const std::string& date) {
  if (date.empty()) return std::nullopt;
  return dataset::ParseDate(date);
}

}  // namespace

void ToProto(const snapshots::Snapshot& snapshot, v1::SnapshotInfo* info) {
  const SignalSnapshot& signals = snapshot.signals;
  info->set_version(snapshot.version);
  ToProto(snapshot.loaded_at, info->mutable_loaded_at());
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

std::optional<dataset::Table> FromProto(v1::TableKind kind) {
  switch (kind) {
    case v1::TABLE_KIND_ACCOUNTS: return dataset::Table::kAccounts;
    case v1::TABLE_KIND_SUBSCRIPTIONS: return dataset::Table::kSubscriptions;
    case v1::TABLE_KIND_FEATURE_USAGE: return dataset::Table::kFeatureUsage;
    case v1::TABLE_KIND_CHURN_EVENTS: return dataset::Table::kChurnEvents;
    case v1::TABLE_KIND_SUPPORT_TICKETS: return dataset::Table::kSupportTickets;
    default: return std::nullopt;
  }
}

void FromProto(const v1::SnapshotInfo& info, viewsets::ViewSetInputs* inputs) {
  inputs->snapshot_version = info.version();
  inputs->snapshot_instance = info.instance_id();
  inputs->usage_window_end = DayFromProto(info.usage_window_end());
  inputs->support_window_end = DayFromProto(info.support_window_end());
  inputs->churn_reason_counts = {info.churn_reason_counts().begin(),
                                 info.churn_reason_counts().end()};
}

}  // namespace churn::convert
