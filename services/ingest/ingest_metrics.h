#pragma once
// Domain metrics of the ingest service, created once in the service's registry:
//   churn_ingest_rows_total{table}            rows of every published snapshot, per table
//   churn_ingest_rows_rejected_total{table}   rows skipped as bad in published snapshots
//   churn_ingest_snapshot_version             version of the current snapshot (0 = none)
//   churn_ingest_snapshot_age_seconds         seconds since the current snapshot was loaded
//   churn_ingest_load_failures_total          loads (folder, watch, upload) that were rejected
//   churn_ingest_load_seconds                 time to hash, load and build one snapshot
//   churn_ingest_loads_total{result}          loads by result: published, unchanged, failed
//   churn_ingest_table_parses_total{table}    tables parsed by successful loads (an unchanged
//                                             table is kept parsed, not read again)
//   churn_ingest_table_hashes_total{table}    files read to hash them (an unchanged, settled
//                                             file keeps its hash)

#include <array>
#include <cstdint>

#include "common/metric_registrar.h"
#include "dataset/loader.h"

namespace churn::ingest_service {

class IngestMetrics {
 public:
  explicit IngestMetrics(prometheus::Registry& registry);

  void CountPublished(const dataset::LoadReport& report, int64_t version, double seconds);
  void CountUnchanged(double seconds);
  void CountFailure(double seconds);
  // Indexed by dataset::Table.
  void CountTableReads(const std::array<bool, 5>& parsed, const std::array<bool, 5>& hashed);
  // Nothing loaded yet: 0.
  void SetSnapshotAge(double seconds);

 private:
  prometheus::Counter* rows_[5];      // indexed by dataset::Table
  prometheus::Counter* rejected_[5];  // indexed by dataset::Table
  prometheus::Counter* parses_[5];    // indexed by dataset::Table
  prometheus::Counter* hashes_[5];    // indexed by dataset::Table
  prometheus::Gauge* version_;
  prometheus::Gauge* age_seconds_;
  prometheus::Counter* failures_;
  prometheus::Counter* loads_published_;
  prometheus::Counter* loads_unchanged_;
  prometheus::Counter* loads_failed_;
  prometheus::Histogram* load_seconds_;
};

}  // namespace churn::ingest_service
