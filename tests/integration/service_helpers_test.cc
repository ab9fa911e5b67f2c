// The small shared helpers of services/common: metric creation and neighbour errors. The
// QueuedWriteReactor and FinishWith are exercised through the real services (enrichment's
// AnalyzeTickets and the gateway's AnalyzeTicketSet streams, every unary call).
#include <prometheus/registry.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/grpc_status.h"
#include "common/metric_registrar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::service {
namespace {

const prometheus::MetricFamily* Find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name) {
  auto it =
      std::find_if(families.begin(), families.end(),
                   [&](const prometheus::MetricFamily& family) { return family.name == name; });
  return it == families.end() ? nullptr : &*it;
}

TEST(MetricRegistrarTest, CreatesNamedFamiliesAndSeries) {
  prometheus::Registry registry;
  MetricRegistrar metrics(registry);
  metrics.Counter("demo_events_total", "Events.")->Increment(2);
  metrics.Gauge("demo_level", "Level.")->Set(7);
  metrics.Histogram("demo_seconds", "Durations.", {0.1, 1})->Observe(0.5);
  auto& by_result = metrics.CounterFamily("demo_loads_total", "Loads by result.");
  by_result.Add({{"result", "ok"}}).Increment();
  by_result.Add({{"result", "failed"}});
  metrics.GaugeFamily("demo_sizes", "Sizes.").Add({{"table", "a"}}).Set(3);
  metrics.HistogramFamily("demo_latency_seconds", "Latency.")
      .Add({{"path", "x"}}, prometheus::Histogram::BucketBoundaries{1});

  const std::vector<prometheus::MetricFamily> families = registry.Collect();
  const prometheus::MetricFamily* events = Find(families, "demo_events_total");
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(events->help, "Events.");
  EXPECT_EQ(events->type, prometheus::MetricType::Counter);
  ASSERT_EQ(events->metric.size(), 1u);
  EXPECT_TRUE(events->metric[0].label.empty());
  EXPECT_EQ(events->metric[0].counter.value, 2);

  const prometheus::MetricFamily* level = Find(families, "demo_level");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->type, prometheus::MetricType::Gauge);
  EXPECT_EQ(level->metric[0].gauge.value, 7);

  const prometheus::MetricFamily* seconds = Find(families, "demo_seconds");
  ASSERT_NE(seconds, nullptr);
  EXPECT_EQ(seconds->type, prometheus::MetricType::Histogram);
  EXPECT_EQ(seconds->metric[0].histogram.sample_count, 1u);
  EXPECT_EQ(seconds->metric[0].histogram.bucket.size(), 3u);  // 0.1, 1, +Inf

  const prometheus::MetricFamily* loads = Find(families, "demo_loads_total");
  ASSERT_NE(loads, nullptr);
  EXPECT_EQ(loads->metric.size(), 2u);
  ASSERT_NE(Find(families, "demo_sizes"), nullptr);
  EXPECT_EQ(Find(families, "demo_sizes")->type, prometheus::MetricType::Gauge);
  ASSERT_NE(Find(families, "demo_latency_seconds"), nullptr);
}

TEST(DownstreamErrorTest, NamesTheNeighbourAndKeepsTheCode) {
  absl::Status error = DownstreamError(
      "ingest StreamSignals", grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "too slow"));
  EXPECT_EQ(error.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(error.message(), "ingest StreamSignals: too slow");

  error = DownstreamError("scoring GetRules", grpc::Status(grpc::StatusCode::UNAVAILABLE, ""));
  EXPECT_EQ(error.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(error.message(), "scoring GetRules: ");
}

}  // namespace
}  // namespace churn::service
