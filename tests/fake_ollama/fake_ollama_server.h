#pragma once
// A fake Ollama server for tests and the local demo: it speaks the real HTTP API (GET /,
// /api/version, /api/tags, /api/ps, POST /api/chat with stream:false, durations in ns,
// eval_count, Ollama's error bodies) and misbehaves on demand.
//
// Normal tickets get a sensible answer: the rule-based fallback's analysis of the ticket text
// (found between the prompt's markers) as the model's JSON in message.content. A behaviour is
// picked per request by a marker anywhere in the chat messages, e.g. "[[fake:hang]]" or
// "[[fake:slow=3000]]", else by the default (set in the options, by SetDefaultBehaviour or by
// POST /fake/behaviour with the spec as body):
//
//   answer            the analysis JSON (after the default answer delay)
//   slow=MS           the analysis JSON after MS milliseconds
//   hang              accepts the request and sends nothing, ever (until the fake stops)
//   trickle           status 200 and headers, then one byte of whitespace every 100 ms, forever
//   drop              status 200 and headers announcing the full length, half the body, then
//                     the connection closes
//   not_found         404 {"error":"model \"X\" not found, try pulling it first"}
//   busy              503 {"error":"server busy, please try again.  maximum pending requests ..."}
//   server_error      500 {"error":"llama runner process has terminated: signal: killed"}
//   malformed         message.content is cut-off JSON (done_reason "length")
//   garbage           the HTTP body itself is not JSON
//   schema_violation  valid JSON breaking the schema (unknown category, string churn_intent)
//   invalid_once      schema_violation the first time a ticket text is seen, then answer
//   xml               message.content is XML, as a model obeying an injected instruction might
//
// A model name missing from `models` gets the real 404. GET /fake/stats reports the counters as
// JSON; POST /fake/reset clears them. Stop() (and the destructor) returns promptly even with
// hung or trickling requests in flight.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace churn::testing {

struct FakeOllamaOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = a free port
  std::vector<std::string> models = {"llama3.1:8b"};
  std::string version = "0.5.7";
  std::string default_behaviour = "answer";
  std::chrono::milliseconds answer_delay{0};  // before every "answer"
};

struct FakeOllamaStats {
  int chat_requests = 0;   // /api/chat with messages (warm-ups not included)
  int warmups = 0;         // /api/chat with no messages
  int max_concurrent = 0;  // most /api/chat requests in progress at once
  int in_flight = 0;
  int version_requests = 0;
  int tags_requests = 0;
  std::string last_chat_body;  // the raw JSON of the last chat with messages
};

class FakeOllamaServer {
 public:
  static absl::StatusOr<std::unique_ptr<FakeOllamaServer>> Start(FakeOllamaOptions options);
  ~FakeOllamaServer();
  FakeOllamaServer(const FakeOllamaServer&) = delete;
  FakeOllamaServer& operator=(const FakeOllamaServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;

  FakeOllamaStats stats() const;
  void ResetStats();
  // INVALID_ARGUMENT for an unknown spec.
  absl::Status SetDefaultBehaviour(const std::string& spec);

  // Releases hung requests, stops listening and joins the server threads. Idempotent.
  void Stop();

 private:
  explicit FakeOllamaServer(FakeOllamaOptions options);
  void InstallRoutes();
  void HandleChat(const httplib::Request& request, httplib::Response& response);
  // Sleeps up to `duration`; false when the fake is stopping.
  bool Pause(std::chrono::milliseconds duration) ABSL_LOCKS_EXCLUDED(mu_);

  FakeOllamaOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;

  mutable concurrency::Mutex mu_;
  concurrency::CondVar stopping_cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::string default_behaviour_ ABSL_GUARDED_BY(mu_);
  FakeOllamaStats stats_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> seen_tickets_ ABSL_GUARDED_BY(mu_);  // for invalid_once
  bool model_loaded_ ABSL_GUARDED_BY(mu_) = false;
  std::once_flag stop_once_;
};

}  // namespace churn::testing
