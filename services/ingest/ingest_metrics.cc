#include "ingest_metrics.h"

#include <string>

#include "common/metric_registrar.h"
#include "dataset/table_schema.h"

namespace churn::ingest_service {
namespace {

// From a small folder (milliseconds) to tens of millions of usage rows (minutes).
const prometheus::Histogram::BucketBoundaries kLoadBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

}  // namespace

IngestMetrics::IngestMetrics(prometheus::Registry& registry) {
  service::MetricRegistrar metrics(registry);
  auto& rows = metrics.CounterFamily("churn_ingest_rows_total",
                                     "Rows of every published snapshot, per table.");
  auto& rejected = metrics.CounterFamily("churn_ingest_rows_rejected_total",
                                         "Rows skipped as bad in published snapshots, per table.");
  auto& parses = metrics.CounterFamily(
      "churn_ingest_table_parses_total",
      "Tables parsed by successful loads, per table; an unchanged table is kept parsed.");
  auto& hashes = metrics.CounterFamily(
      "churn_ingest_table_hashes_total",
      "Files read to compute their content hash, per table; an unchanged file keeps its hash.");
  for (dataset::Table table : dataset::kAllTables) {
    const std::string name(dataset::SchemaOf(table).name);
    rows_[static_cast<int>(table)] = &rows.Add({{"table", name}});
    rejected_[static_cast<int>(table)] = &rejected.Add({{"table", name}});
    parses_[static_cast<int>(table)] = &parses.Add({{"table", name}});
    hashes_[static_cast<int>(table)] = &hashes.Add({{"table", name}});
  }
  version_ = metrics.Gauge("churn_ingest_snapshot_version",
                           "Version of the current snapshot; 0 until the first one is loaded.");
  age_seconds_ =
      metrics.Gauge("churn_ingest_snapshot_age_seconds",
                    "Seconds since the current snapshot was loaded (updated every second).");
  failures_ =
      metrics.Counter("churn_ingest_load_failures_total",
                      "Loads rejected (bad or missing file); the previous snapshot stayed.");
  auto& loads = metrics.CounterFamily(
      "churn_ingest_loads_total",
      "Load attempts by result: published, unchanged (same content), failed.");
  loads_published_ = &loads.Add({{"result", "published"}});
  loads_unchanged_ = &loads.Add({{"result", "unchanged"}});
  loads_failed_ = &loads.Add({{"result", "failed"}});
  load_seconds_ =
      metrics.Histogram("churn_ingest_load_seconds",
                        "Time to hash, load and build the signals of one snapshot.", kLoadBuckets);
}

void IngestMetrics::CountPublished(const dataset::LoadReport& report, int64_t version,
                                   double seconds) {
  for (dataset::Table table : dataset::kAllTables) {
    rows_[static_cast<int>(table)]->Increment(static_cast<double>(report.of(table).rows));
    rejected_[static_cast<int>(table)]->Increment(static_cast<double>(report.of(table).rejected));
  }
  version_->Set(static_cast<double>(version));
  age_seconds_->Set(0);
  loads_published_->Increment();
  load_seconds_->Observe(seconds);
}

void IngestMetrics::CountUnchanged(double seconds) {
  loads_unchanged_->Increment();
  load_seconds_->Observe(seconds);
}

void IngestMetrics::CountFailure(double seconds) {
  failures_->Increment();
  loads_failed_->Increment();
  load_seconds_->Observe(seconds);
}

void IngestMetrics::CountTableReads(const std::array<bool, 5>& parsed,
                                    const std::array<bool, 5>& hashed) {
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i]) parses_[i]->Increment();
    if (hashed[i]) hashes_[i]->Increment();
  }
}

void IngestMetrics::SetSnapshotAge(double seconds) { age_seconds_->Set(seconds); }

}  // namespace churn::ingest_service
