// The small shared helpers of services/common: neighbour errors. The
// QueuedWriteReactor and FinishWith are exercised through the real services (enrichment's
// AnalyzeTickets and the gateway's AnalyzeTicketSet streams, every unary call).
#include "common/grpc_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::service {
namespace {

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
