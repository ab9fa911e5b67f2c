#include "scoring_load/open_loop_score.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "scoring_load/process_stats.h"

namespace churn::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string StatusText(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ", status.error_message());
}

}  // namespace

StartScore CallbackStartScore(v1::ScoringService::Stub& stub) {
  return [&stub](grpc::ClientContext* context, const v1::ScoreRequest* request,
                 v1::ScoreResponse* response, std::function<void(grpc::Status)> done) {
    stub.async()->Score(context, request, response, std::move(done));
  };
}

struct ScoreQueueClient::Pending {
  std::function<void(grpc::Status)> done;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ScoreResponse>> reader;
};

ScoreQueueClient::ScoreQueueClient(v1::ScoringService::Stub& stub)
    : stub_(stub), receiver_([this] { Receive(); }) {}

ScoreQueueClient::~ScoreQueueClient() {
  queue_.Shutdown();
  receiver_.join();
}

void ScoreQueueClient::Start(grpc::ClientContext* context, const v1::ScoreRequest* request,
                             v1::ScoreResponse* response, std::function<void(grpc::Status)> done) {
  auto* pending = new Pending{std::move(done), grpc::Status(), nullptr};
  pending->reader = stub_.AsyncScore(context, *request, &queue_);
  pending->reader->Finish(response, &pending->status, pending);
}

StartScore ScoreQueueClient::AsStartScore() {
  return [this](grpc::ClientContext* context, const v1::ScoreRequest* request,
                v1::ScoreResponse* response, std::function<void(grpc::Status)> done) {
    Start(context, request, response, std::move(done));
  };
}

void ScoreQueueClient::Receive() {
  pthread_setname_np(pthread_self(), "score answers");
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(tag));
    pending->reader.reset();  // lives on the call's arena: before `done` frees the context
    pending->done(std::move(pending->status));
  }
}

// Nearest rank of sorted `values`.
double PercentileOf(const std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

OpenLoopResult RunOpenLoopScore(const StartScore& start_score,
                                const std::vector<v1::ScoreRequest>& requests, double rate,
                                double warmup, double seconds, std::chrono::milliseconds deadline,
                                pid_t server_pid) {
  struct Call {
    grpc::ClientContext context;
    v1::ScoreResponse response;
    const v1::ScoreRequest* request = nullptr;
    Clock::time_point scheduled;
    Clock::time_point sent;
    int64_t slot = -1;  // index into the window's vectors when inside the window, else -1
  };
  OpenLoopResult result;
  result.rate = rate;
  result.seconds = seconds;
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const int64_t warmup_calls = static_cast<int64_t>(warmup * rate);
  const int64_t window_calls = static_cast<int64_t>(seconds * rate);
  // Each slot written by one callback, read after every call has ended.
  std::vector<double> latencies(static_cast<size_t>(window_calls), -1);
  std::vector<double> sent_latencies(static_cast<size_t>(window_calls), -1);
  std::vector<double> lags(static_cast<size_t>(window_calls), 0);
  std::atomic<int64_t> outstanding{0};
  std::atomic<int64_t> errors{0};
  std::mutex error_mu;
  std::string first_error;

  const auto start = Clock::now() + std::chrono::milliseconds(20);
  double client_cpu_start = 0;
  std::optional<double> server_cpu_start;
  std::optional<int64_t> switches_start;
  std::optional<int64_t> client_switches_start;
  std::optional<int64_t> voluntary_start;
  std::optional<int64_t> client_voluntary_start;
  for (int64_t n = 0; n < warmup_calls + window_calls; ++n) {
    const auto scheduled =
        start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(n));
    if (n == warmup_calls) {
      std::this_thread::sleep_until(scheduled);
      client_cpu_start = SelfCpuSeconds();
      server_cpu_start = ProcessCpuSeconds(server_pid);
      switches_start = ProcessContextSwitches(server_pid);
      client_switches_start = ProcessContextSwitches(::getpid());
      voluntary_start = ProcessVoluntaryContextSwitches(server_pid);
      client_voluntary_start = ProcessVoluntaryContextSwitches(::getpid());
    }
    std::this_thread::sleep_until(scheduled);
    auto* call = new Call;
    call->scheduled = scheduled;
    call->sent = Clock::now();
    call->slot = n >= warmup_calls ? n - warmup_calls : -1;
    if (call->slot >= 0) {
      lags[static_cast<size_t>(call->slot)] =
          std::chrono::duration<double, std::micro>(call->sent - scheduled).count();
    }
    call->context.set_deadline(std::chrono::system_clock::now() + deadline);
    call->request = &requests[static_cast<size_t>(n) % requests.size()];
    outstanding.fetch_add(1, std::memory_order_relaxed);
    start_score(&call->context, call->request, &call->response, [&, call](grpc::Status status) {
      const auto done = Clock::now();
      if (!status.ok() ||
          call->response.assessment().customer_id() != call->request->signals().customer_id()) {
        if (errors.fetch_add(1) == 0) {
          std::lock_guard<std::mutex> lock(error_mu);
          first_error =
              status.ok() ? std::string("answer for another customer") : StatusText(status);
        }
      } else if (call->slot >= 0) {
        const auto slot = static_cast<size_t>(call->slot);
        latencies[slot] = std::chrono::duration<double, std::micro>(done - call->scheduled).count();
        sent_latencies[slot] = std::chrono::duration<double, std::micro>(done - call->sent).count();
      }
      delete call;
      outstanding.fetch_sub(1, std::memory_order_release);
    });
  }
  const auto window_end = start + std::chrono::duration_cast<Clock::duration>(
                                      interval * static_cast<double>(warmup_calls + window_calls));
  std::this_thread::sleep_until(window_end);
  result.client_cpu = SelfCpuSeconds() - client_cpu_start;
  if (std::optional<double> end = ProcessCpuSeconds(server_pid); end && server_cpu_start) {
    result.server_cpu = *end - *server_cpu_start;
  }
  if (std::optional<int64_t> end = ProcessContextSwitches(server_pid); end && switches_start) {
    result.server_switches = *end - *switches_start;
  }
  if (std::optional<int64_t> end = ProcessContextSwitches(::getpid());
      end && client_switches_start) {
    result.client_switches = *end - *client_switches_start;
  }
  if (std::optional<int64_t> end = ProcessVoluntaryContextSwitches(server_pid);
      end && voluntary_start) {
    result.server_voluntary_switches = *end - *voluntary_start;
  }
  if (std::optional<int64_t> end = ProcessVoluntaryContextSwitches(::getpid());
      end && client_voluntary_start) {
    result.client_voluntary_switches = *end - *client_voluntary_start;
  }
  while (outstanding.load(std::memory_order_acquire) > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  result.scheduled = window_calls;
  result.errors = errors.load();
  result.first_error = first_error;
  for (size_t i = 0; i < latencies.size(); ++i) {
    if (latencies[i] < 0) continue;
    result.latencies_us.push_back(latencies[i]);
    result.sent_latencies_us.push_back(sent_latencies[i]);
  }
  result.send_lags_us = std::move(lags);
  result.completed = static_cast<int64_t>(result.latencies_us.size());
  std::sort(result.latencies_us.begin(), result.latencies_us.end());
  std::sort(result.sent_latencies_us.begin(), result.sent_latencies_us.end());
  std::sort(result.send_lags_us.begin(), result.send_lags_us.end());
  return result;
}

}  // namespace churn::bench
