#pragma once
// The open-loop unary Score driver of the scoring benches: calls are sent on a fixed schedule
// whatever the answers do, and a call's latency runs from its scheduled send time to its answer,
// so queueing (in the client, the connection or the service) counts (no coordinated omission).
// One sender thread keeps the absolute schedule (a late send does not shift the ones after it),
// sleeping to each send time itself (a completion queue's own wait has millisecond steps), and
// only starts calls; who takes the answers is a StartScore: gRPC's callback threads
// (CallbackStartScore) or one thread of the bench's own on a completion queue
// (ScoreQueueClient). How late the sender was (its lag) is reported: a lagging sender is the
// client's share of the latency, not the service's.

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "churn/v1/scoring.grpc.pb.h"

namespace churn::bench {

// Starts one Score; `done` runs once with its status, on whichever thread takes the answer.
using StartScore = std::function<void(grpc::ClientContext*, const v1::ScoreRequest*,
                                      v1::ScoreResponse*, std::function<void(grpc::Status)> done)>;

// gRPC's callback API: its callback threads (two on 2 cores, handing polling to each other on
// every wake-up) take the answers.
StartScore CallbackStartScore(v1::ScoringService::Stub& stub);

// Score through the async API: the call is started (and its request written) on the caller's
// thread, and one thread of this client takes the answers from the completion queue. That
// thread is then the process's only poller: gRPC's callback threads are not started.
class ScoreQueueClient {
 public:
  explicit ScoreQueueClient(v1::ScoringService::Stub& stub);
  // After every call has ended (RunOpenLoopScore waits for them).
  ~ScoreQueueClient();
  ScoreQueueClient(const ScoreQueueClient&) = delete;
  ScoreQueueClient& operator=(const ScoreQueueClient&) = delete;

  void Start(grpc::ClientContext* context, const v1::ScoreRequest* request,
             v1::ScoreResponse* response, std::function<void(grpc::Status)> done);
  StartScore AsStartScore();

 private:
  struct Pending;
  void Receive();

  v1::ScoringService::Stub& stub_;
  grpc::CompletionQueue queue_;
  std::thread receiver_;
};

struct OpenLoopResult {
  double rate = 0;        // asked, calls/s
  int64_t scheduled = 0;  // calls in the window
  int64_t completed = 0;
  int64_t errors = 0;
  std::string first_error;
  std::vector<double> latencies_us;       // from the scheduled send, sorted
  std::vector<double> sent_latencies_us;  // from the actual send, sorted
  std::vector<double> send_lags_us;       // actual send - scheduled send, sorted
  double client_cpu = 0;
  std::optional<double> server_cpu;
  std::optional<int64_t> server_switches;
  std::optional<int64_t> server_voluntary_switches;  // of server_switches
  std::optional<int64_t> client_switches;  // this process's threads, the window's
  std::optional<int64_t> client_voluntary_switches;
  double seconds = 0;
};

// Nearest rank of sorted `values`.
double PercentileOf(const std::vector<double>& values, double p);

// `rate` calls/s for `warmup` + `seconds`, cycling through `requests`; each answer must name the
// request's customer. CPU and context switches of the window: this process's, and the service's
// when `server_pid` > 0.
OpenLoopResult RunOpenLoopScore(const StartScore& start_score,
                                const std::vector<v1::ScoreRequest>& requests, double rate,
                                double warmup, double seconds, std::chrono::milliseconds deadline,
                                pid_t server_pid);

}  // namespace churn::bench
