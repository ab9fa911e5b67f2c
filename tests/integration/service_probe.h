#pragma once
// What integration tests ask a running service from the outside: its grpc.health.v1 status and
// its Prometheus /metrics text.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace churn::testing {

// "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN", ... for `service` ("" = the whole server).
absl::StatusOr<std::string> HealthStatus(const std::string& target,
                                         const std::string& service = "");

// Polls the health status until it is SERVING; DEADLINE_EXCEEDED with the last status otherwise.
absl::Status WaitForServing(const std::string& target,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30),
                            const std::string& service = "");

// GET http://127.0.0.1:<port>/metrics.
absl::StatusOr<std::string> ScrapeMetrics(int port);

// The sum of the samples named `name` whose labels include all of `labels` (nullopt when no
// sample matches). E.g. SumSamples(text, "grpc_server_handled_total",
// {{"grpc_method", "Score"}, {"grpc_code", "InvalidArgument"}}).
std::optional<double> SumSamples(const std::string& metrics_text, const std::string& name,
                                 const std::map<std::string, std::string>& labels = {});

}  // namespace churn::testing
