#include "ingest_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "dataset/table_schema.h"

namespace churn::ingest_service {
namespace {

// From a small folder (milliseconds) to tens of millions of usage rows (minutes).
const prometheus::Histogram::BucketBoundaries kLoadBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

}  // namespace

IngestMetrics::IngestMetrics(prometheus::Registry& registry) {
  auto& rows = prometheus::BuildCounter()
                   .Name("churn_ingest_rows_total")
                   .Help("Rows of every published snapshot, per table.")
                   .Register(registry);
  auto& rejected = prometheus::BuildCounter()
                       .Name("churn_ingest_rows_rejected_total")
                       .Help("Rows skipped as bad in published snapshots, per table.")
                       .Register(registry);
  for (dataset::Table table : dataset::kAllTables) {
    const std::string name(dataset::SchemaOf(table).name);
    rows_[static_cast<int>(table)] = &rows.Add({{"table", name}});
    rejected_[static_cast<int>(table)] = &rejected.Add({{"table", name}});
  }
  version_ = &prometheus::BuildGauge()
                  .Name("churn_ingest_snapshot_version")
                  .Help("Version of the current snapshot; 0 until the first one is loaded.")
                  .Register(registry)
                  .Add({});
  age_seconds_ = &prometheus::BuildGauge()
                      .Name("churn_ingest_snapshot_age_seconds")
                      .Help("Seconds since the current snapshot was loaded (updated every second).")
                      .Register(registry)
                      .Add({});
  failures_ = &prometheus::BuildCounter()
                   .Name("churn_ingest_load_failures_total")
                   .Help("Loads rejected (bad or missing file); the previous snapshot stayed.")
                   .Register(registry)
                   .Add({});
  auto& loads = prometheus::BuildCounter()
                    .Name("churn_ingest_loads_total")
                    .Help("Load attempts by result: published, unchanged (same content), failed.")
                    .Register(registry);
  loads_published_ = &loads.Add({{"result", "published"}});
  loads_unchanged_ = &loads.Add({{"result", "unchanged"}});
  loads_failed_ = &loads.Add({{"result", "failed"}});
  load_seconds_ = &prometheus::BuildHistogram()
                       .Name("churn_ingest_load_seconds")
                       .Help("Time to hash, load and build the signals of one snapshot.")
                       .Register(registry)
                       .Add({}, kLoadBuckets);
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

void IngestMetrics::SetSnapshotAge(double seconds) { age_seconds_->Set(seconds); }

}  // namespace churn::ingest_service
