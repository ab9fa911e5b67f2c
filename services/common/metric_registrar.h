#pragma once
// How every service's metrics class creates its families and series in the service's registry,
// so that class only names its own series:
//   service::MetricRegistrar metrics(registry);
//   version_ = metrics.Gauge("churn_ingest_snapshot_version", "Version of ...");
//   auto& loads = metrics.CounterFamily("churn_ingest_loads_total", "Load attempts by result.");
//   loads_failed_ = &loads.Add({{"result", "failed"}});
// The registry owns everything created; the registrar is a short-lived helper.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace churn::service {

class MetricRegistrar {
 public:
  explicit MetricRegistrar(prometheus::Registry& registry) : registry_(registry) {}

  // A family whose series the caller adds with their labels.
  prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name,
                                                         const std::string& help);
  prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name,
                                                     const std::string& help);
  prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name,
                                                             const std::string& help);

  // A family of one series without labels, and that series.
  prometheus::Counter* Counter(const std::string& name, const std::string& help);
  prometheus::Gauge* Gauge(const std::string& name, const std::string& help);
  prometheus::Histogram* Histogram(const std::string& name, const std::string& help,
                                   const prometheus::Histogram::BucketBoundaries& buckets);

 private:
  prometheus::Registry& registry_;
};

}  // namespace churn::service
