#include "common/metric_registrar.h"

namespace churn::service {

prometheus::Family<prometheus::Counter>& MetricRegistrar::CounterFamily(const std::string& name,
                                                                        const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry_);
}

prometheus::Family<prometheus::Gauge>& MetricRegistrar::GaugeFamily(const std::string& name,
                                                                    const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry_);
}

prometheus::Family<prometheus::Histogram>& MetricRegistrar::HistogramFamily(
    const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry_);
}

prometheus::Counter* MetricRegistrar::Counter(const std::string& name, const std::string& help) {
  return &CounterFamily(name, help).Add({});
}

prometheus::Gauge* MetricRegistrar::Gauge(const std::string& name, const std::string& help) {
  return &GaugeFamily(name, help).Add({});
}

prometheus::Histogram* MetricRegistrar::Histogram(
    const std::string& name, const std::string& help,
    const prometheus::Histogram::BucketBoundaries& buckets) {
  return &HistogramFamily(name, help).Add({}, buckets);
}

}  // namespace churn::service
