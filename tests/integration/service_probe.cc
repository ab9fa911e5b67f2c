#include "integration/service_probe.h"

#include <grpc/health/v1/health.grpc.pb.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>

#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

namespace churn::testing {
namespace {

// Parses `{a="x",b="y"}` (values without escaped quotes, which is all our labels need).
std::map<std::string, std::string> ParseLabels(const std::string& text) {
  std::map<std::string, std::string> labels;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eq = text.find('=', pos);
    if (eq == std::string::npos) break;
    size_t open = text.find('"', eq);
    size_t close = text.find('"', open + 1);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string key = text.substr(pos, eq - pos);
    while (!key.empty() && (key.front() == ',' || key.front() == ' ')) key.erase(0, 1);
    labels[key] = text.substr(open + 1, close - open - 1);
    pos = close + 1;
  }
  return labels;
}

}  // namespace

absl::StatusOr<std::string> HealthStatus(const std::string& target, const std::string& service) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("health check: ", status.error_message()));
  }
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

absl::Status WaitForServing(const std::string& target, std::chrono::milliseconds timeout,
                            const std::string& service) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<std::string> status = HealthStatus(target, service);
    if (status.ok() && *status == "SERVING") return absl::OkStatus();
    last = status.ok() ? *status : std::string(status.status().message());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(target, " not SERVING: ", last));
}

absl::StatusOr<std::string> ScrapeMetrics(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  httplib::Result result = client.Get("/metrics");
  if (!result) {
    return absl::UnavailableError(
        absl::StrCat("GET /metrics on port ", port, ": ", httplib::to_string(result.error())));
  }
  if (result->status != 200) {
    return absl::UnavailableError(absl::StrCat("GET /metrics: HTTP ", result->status));
  }
  return result->body;
}

std::optional<double> SumSamples(const std::string& metrics_text, const std::string& name,
                                 const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  std::istringstream lines(metrics_text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string::npos || line.compare(0, name_end, name) != 0 ||
        name_end != name.size()) {
      continue;
    }
    std::map<std::string, std::string> sample_labels;
    size_t value_start = name_end;
    if (line[name_end] == '{') {
      size_t close = line.rfind('}');
      if (close == std::string::npos) continue;
      sample_labels = ParseLabels(line.substr(name_end + 1, close - name_end - 1));
      value_start = close + 1;
    }
    bool matches = true;
    for (const auto& [key, value] : labels) {
      auto it = sample_labels.find(key);
      if (it == sample_labels.end() || it->second != value) matches = false;
    }
    if (!matches) continue;
    sum = sum.value_or(0) + std::stod(line.substr(value_start));
  }
  return sum;
}

}  // namespace churn::testing
