// Fuzzes the gateway's JSON request bodies: the input is a body as posted to every JSON route
// (record outcome, analyze ticket, analyze ticket set, refresh). Properties: no crash,
// exception, sanitizer report or stack exhaustion (bodies are up to 8 MB); errors are
// INVALID_ARGUMENT; an accepted body gives a request with the route's own invariants (the
// path's customer and set name, limits >= 0) that survives protobuf's binary parse and reads
// back the same from its own JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "http_request_parsing.h"
#include "fuzz_check.h"

namespace {

namespace gateway = churn::gateway;
namespace v1 = churn::v1;

constexpr char kPathCustomer[] = "C-00042";
constexpr char kPathSet[] = "ticket_texts.csv";

using churn::fuzz::Check;

void CheckError(const absl::Status& status) {
  Check(status.code() == absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
  Check(!status.message().empty(), "errors explain themselves");
}

std::string JsonOf(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  Check(google::protobuf::util::MessageToJsonString(message, &json, options).ok(),
        "an accepted request prints as JSON");
  return json;
}

template <typename Message, typename Parse>
void CheckRoundTrip(const absl::StatusOr<Message>& request, Parse parse) {
  Message copy;
  Check(copy.ParseFromString(request->SerializeAsString()), "protobuf parses it back");
  Check(google::protobuf::util::MessageDifferencer::Equals(*request, copy), "binary round trip");
  const absl::StatusOr<Message> again = parse(JsonOf(*request));
  Check(again.ok(), "its own JSON is accepted");
  Check(google::protobuf::util::MessageDifferencer::Equals(*request, *again), "JSON round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);

  auto outcome = [](const std::string& text) {
    return gateway::RecordOutcomeRequestFromBody(text, kPathCustomer);
  };
  const absl::StatusOr<v1::RecordOutcomeRequest> recorded = outcome(body);
  if (recorded.ok()) {
    Check(recorded->customer_id() == kPathCustomer, "the path's customer");
    CheckRoundTrip(recorded, outcome);
  } else {
    CheckError(recorded.status());
  }

  const absl::StatusOr<v1::AnalyzeTicketTextRequest> ticket =
      gateway::AnalyzeTicketTextRequestFromBody(body);
  if (ticket.ok()) {
    CheckRoundTrip(ticket, gateway::AnalyzeTicketTextRequestFromBody);
  } else {
    CheckError(ticket.status());
  }

  auto set_request = [](const std::string& text) {
    return gateway::TicketSetRequestFromBody(text, kPathSet);
  };
  const absl::StatusOr<v1::AnalyzeTicketSetRequest> set = set_request(body);
  if (set.ok()) {
    Check(
        set->source_case() == v1::AnalyzeTicketSetRequest::kSetName && set->set_name() == kPathSet,
        "the path's set");
    Check(set->limit() >= 0 && set->timeout_ms() >= 0, "limit and timeout >= 0");
    CheckRoundTrip(set, set_request);
  } else {
    CheckError(set.status());
  }

  const absl::StatusOr<v1::RefreshRequest> refresh = gateway::RefreshRequestFromBody(body);
  if (refresh.ok()) {
    CheckRoundTrip(refresh, gateway::RefreshRequestFromBody);
  } else {
    CheckError(refresh.status());
  }
  return 0;
}
