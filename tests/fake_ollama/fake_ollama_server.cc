#include "fake_ollama/fake_ollama_server.h"

#include <httplib.h>

#include <algorithm>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "enrichment/analysis_schema.h"
#include "enrichment/ticket_prompt.h"
#include "nlohmann/json.hpp"
#include "tickets/fallback_analyzer.h"
#include "timefmt/rfc3339.h"

namespace churn::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kMarkerStart = "[[fake:";
constexpr std::string_view kMarkerEnd = "]]";
constexpr const char* kKnownBehaviours[] = {
    "answer",       "slow",      "hang",    "trickle",          "drop",         "not_found", "busy",
    "server_error", "malformed", "garbage", "schema_violation", "invalid_once", "xml"};
// What the fake pretends loading the model took, reported once per load (as Ollama does).
constexpr int64_t kSimulatedLoadNs = 1'250'000'000;

struct Behaviour {
  std::string name = "answer";
  int64_t millis = 0;
};

std::optional<Behaviour> ParseBehaviour(std::string_view spec) {
  Behaviour behaviour;
  const size_t eq = spec.find('=');
  behaviour.name = std::string(spec.substr(0, eq));
  if (eq != std::string_view::npos &&
      !absl::SimpleAtoi(std::string(spec.substr(eq + 1)), &behaviour.millis)) {
    return std::nullopt;
  }
  if (std::find(std::begin(kKnownBehaviours), std::end(kKnownBehaviours), behaviour.name) ==
      std::end(kKnownBehaviours)) {
    return std::nullopt;
  }
  return behaviour;
}

std::string StringOf(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The first "[[fake:...]]" in the messages.
std::optional<std::string> MarkerIn(const json& messages) {
  for (const json& message : messages) {
    if (!message.is_object() || !message.contains("content") || !message["content"].is_string()) {
      continue;
    }
    const std::string& content = message["content"].get_ref<const std::string&>();
    const size_t start = content.find(kMarkerStart);
    if (start == std::string::npos) continue;
    const size_t end = content.find(kMarkerEnd, start);
    if (end == std::string::npos) continue;
    return content.substr(start + kMarkerStart.size(), end - start - kMarkerStart.size());
  }
  return std::nullopt;
}

// The ticket of the first user message (between the prompt's markers when present).
std::string TicketText(const json& messages) {
  for (const json& message : messages) {
    if (!message.is_object() || StringOf(message, "role") != "user") continue;
    const std::string content = StringOf(message, "content");
    return enrichment::TicketFromUserMessage(content).value_or(content);
  }
  return "";
}

std::string Now() { return timefmt::FormatRfc3339(absl::Now()); }

void SetJson(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json; charset=utf-8");
}

std::string AnswerFor(const std::string& ticket) {
  tickets::TicketAnalysis analysis = tickets::AnalyzeWithRules(ticket);
  return enrichment::AnalysisToJson(analysis).dump();
}

}  // namespace

FakeOllamaServer::FakeOllamaServer(FakeOllamaOptions options)
    : options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()),
      default_behaviour_(options_.default_behaviour) {}

absl::StatusOr<std::unique_ptr<FakeOllamaServer>> FakeOllamaServer::Start(
    FakeOllamaOptions options) {
  if (!ParseBehaviour(options.default_behaviour)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown fake behaviour '", options.default_behaviour, "'"));
  }
  std::unique_ptr<FakeOllamaServer> fake(new FakeOllamaServer(std::move(options)));
  httplib::Server& server = *fake->server_;
  // Hung requests each hold a thread until Stop(): have plenty.
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  // One request per connection and short socket timeouts, so that stopping never waits for an
  // idle keep-alive connection or a silent client.
  server.set_keep_alive_max_count(1);
  server.set_read_timeout(2, 0);
  server.set_write_timeout(2, 0);
  fake->InstallRoutes();

  const FakeOllamaOptions& opts = fake->options_;
  if (opts.port == 0) {
    fake->port_ = server.bind_to_any_port(opts.host);
  } else if (server.bind_to_port(opts.host, opts.port)) {
    fake->port_ = opts.port;
  }
  if (fake->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("fake-ollama: cannot listen on ", opts.host, ":", opts.port));
  }
  fake->listener_ = std::thread([&server] { server.listen_after_bind(); });
  // Stop() only takes effect once the accept loop runs (httplib 0.11 has no wait_until_ready).
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!server.is_running()) {
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError("fake-ollama: the accept loop did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return fake;
}

FakeOllamaServer::~FakeOllamaServer() { Stop(); }

void FakeOllamaServer::Stop() {
  std::call_once(stop_once_, [this] {
    {
      concurrency::MutexLock lock(mu_);
      stopping_ = true;
    }
    stopping_cv_.NotifyAll();
    server_->stop();
    if (listener_.joinable()) listener_.join();
  });
}

std::string FakeOllamaServer::base_url() const {
  return absl::StrCat("http://", options_.host, ":", port_);
}

FakeOllamaStats FakeOllamaServer::stats() const {
  concurrency::MutexLock lock(mu_);
  return stats_;
}

void FakeOllamaServer::ResetStats() {
  concurrency::MutexLock lock(mu_);
  const int in_flight = stats_.in_flight;
  stats_ = FakeOllamaStats{};
  stats_.in_flight = in_flight;
  seen_tickets_.clear();
}

absl::Status FakeOllamaServer::SetDefaultBehaviour(const std::string& spec) {
  if (!ParseBehaviour(spec)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown fake behaviour '", spec, "'"));
  }
  concurrency::MutexLock lock(mu_);
  default_behaviour_ = spec;
  return absl::OkStatus();
}

bool FakeOllamaServer::Pause(std::chrono::milliseconds duration) {
  concurrency::MutexLock lock(mu_);
  return !stopping_cv_.WaitFor(mu_, duration,
                               [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; });
}

void FakeOllamaServer::InstallRoutes() {
  httplib::Server& server = *server_;
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("Ollama is running", "text/plain; charset=utf-8");
  });
  server.Get("/api/version", [this](const httplib::Request&, httplib::Response& response) {
    {
      concurrency::MutexLock lock(mu_);
      ++stats_.version_requests;
    }
    SetJson(response, 200, {{"version", options_.version}});
  });
  server.Get("/api/tags", [this](const httplib::Request&, httplib::Response& response) {
    {
      concurrency::MutexLock lock(mu_);
      ++stats_.tags_requests;
    }
    json models = json::array();
    for (const std::string& name : options_.models) {
      models.push_back(
          {{"name", name},
           {"model", name},
           {"modified_at", "2024-09-01T10:00:00.000000000Z"},
           {"size", 4920753328LL},
           {"digest", "46e0c10c039e019119339687c3c1757cc81b9da49709a3b3924863ba87ca666e"},
           {"details",
            {{"format", "gguf"},
             {"family", "llama"},
             {"parameter_size", "8.0B"},
             {"quantization_level", "Q4_K_M"}}}});
    }
    SetJson(response, 200, {{"models", models}});
  });
  server.Get("/api/ps", [this](const httplib::Request&, httplib::Response& response) {
    json models = json::array();
    concurrency::MutexLock lock(mu_);
    if (model_loaded_ && !options_.models.empty()) {
      models.push_back({{"name", options_.models.front()}, {"model", options_.models.front()}});
    }
    SetJson(response, 200, {{"models", models}});
  });
  server.Post("/api/chat", [this](const httplib::Request& request, httplib::Response& response) {
    HandleChat(request, response);
  });
  server.Get("/fake/stats", [this](const httplib::Request&, httplib::Response& response) {
    const FakeOllamaStats stats = this->stats();
    SetJson(response, 200,
            {{"chat_requests", stats.chat_requests},
             {"warmups", stats.warmups},
             {"max_concurrent", stats.max_concurrent},
             {"in_flight", stats.in_flight},
             {"version_requests", stats.version_requests},
             {"tags_requests", stats.tags_requests}});
  });
  server.Post("/fake/reset", [this](const httplib::Request&, httplib::Response& response) {
    ResetStats();
    SetJson(response, 200, json::object());
  });
  server.Post(
      "/fake/behaviour", [this](const httplib::Request& request, httplib::Response& response) {
        absl::Status status = SetDefaultBehaviour(request.body);
        SetJson(response, status.ok() ? 200 : 400,
                status.ok() ? json::object() : json{{"error", std::string(status.message())}});
      });
}

void FakeOllamaServer::HandleChat(const httplib::Request& request, httplib::Response& response) {
  const Clock::time_point started = Clock::now();
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    SetJson(response, 400, {{"error", "invalid character looking for beginning of value"}});
    return;
  }
  const std::string model = StringOf(body, "model");
  // Ollama streams unless told not to; the last line carries done:true and the figures.
  const bool stream =
      !(body.contains("stream") && body["stream"].is_boolean() && !body["stream"].get<bool>());
  if (std::find(options_.models.begin(), options_.models.end(), model) == options_.models.end()) {
    SetJson(response, 404,
            {{"error", absl::StrCat("model \"", model, "\" not found, try pulling it first")}});
    return;
  }
  const json messages =
      body.contains("messages") && body["messages"].is_array() ? body["messages"] : json::array();
  if (messages.empty()) {  // warm-up: load the model, generate nothing
    bool was_loaded;
    {
      concurrency::MutexLock lock(mu_);
      ++stats_.warmups;
      was_loaded = model_loaded_;
      model_loaded_ = true;
    }
    SetJson(response, 200,
            {{"model", model},
             {"created_at", Now()},
             {"message", {{"role", "assistant"}, {"content", ""}}},
             {"done_reason", "load"},
             {"done", true},
             {"load_duration", was_loaded ? 0 : kSimulatedLoadNs}});
    return;
  }

  const std::string ticket = TicketText(messages);
  Behaviour behaviour;
  bool first_sight;
  bool load_now;
  {
    concurrency::MutexLock lock(mu_);
    ++stats_.chat_requests;
    stats_.max_concurrent = std::max(stats_.max_concurrent, ++stats_.in_flight);
    stats_.last_chat_body = request.body;
    behaviour =
        ParseBehaviour(MarkerIn(messages).value_or(default_behaviour_)).value_or(Behaviour{});
    first_sight = seen_tickets_[ticket]++ == 0;
    load_now = !model_loaded_;
    model_loaded_ = true;
  }
  auto end_of_request = [this] {
    concurrency::MutexLock lock(mu_);
    --stats_.in_flight;
  };
  // Ends the request when the handler returns, unless a streamed body takes over that duty.
  struct InFlightGuard {
    std::function<void()> end;
    ~InFlightGuard() {
      if (end) end();
    }
  } guard{end_of_request};

  const std::string& name = behaviour.name;
  if (name == "hang") {
    Pause(std::chrono::hours(24));  // until Stop()
    response.status = 503;
    return;
  }
  if (name == "trickle") {
    response.status = 200;
    guard.end = nullptr;
    response.set_chunked_content_provider(
        "application/json",
        [this](size_t, httplib::DataSink& sink) {
          if (!Pause(std::chrono::milliseconds(100))) return false;
          return sink.write(" ", 1);
        },
        [end_of_request](bool) { end_of_request(); });
    return;
  }
  if (name == "drop") {
    // Content-Length announces the whole reply; a provider that fails after half of it makes
    // httplib close the connection.
    const std::string reply =
        json{{"model", model}, {"message", {{"content", AnswerFor(ticket)}}}}.dump();
    response.status = 200;
    response.set_content_provider(reply.size(), "application/json; charset=utf-8",
                                  [reply](size_t offset, size_t, httplib::DataSink& sink) {
                                    if (offset > 0) return false;
                                    return sink.write(reply.data(), reply.size() / 2);
                                  });
    return;
  }
  if (name == "not_found") {
    SetJson(response, 404,
            {{"error", absl::StrCat("model \"", model, "\" not found, try pulling it first")}});
    return;
  }
  if (name == "busy") {
    SetJson(response, 503,
            {{"error", "server busy, please try again.  maximum pending requests exceeded"}});
    return;
  }
  if (name == "server_error") {
    SetJson(response, 500, {{"error", "llama runner process has terminated: signal: killed"}});
    return;
  }
  if (name == "garbage") {
    response.status = 200;
    response.set_content("<html><body>upstream exploded</body></html>", "text/html");
    return;
  }

  std::chrono::milliseconds delay = options_.answer_delay;
  if (name == "slow") delay = std::chrono::milliseconds(behaviour.millis);
  if (delay.count() > 0 && !Pause(delay)) {
    response.status = 503;
    return;
  }

  std::string content;
  std::string done_reason = "stop";
  const json violation = {{"summary", "Customer unhappy about the price"},
                          {"category", "pricing"},
                          {"sentiment", "angry"},
                          {"churn_intent", "yes"},
                          {"recommended_action", "Call them"}};
  if (name == "malformed") {
    content = R"({"summary": "The customer wants to cancel because the renewal)";
    done_reason = "length";
  } else if (name == "schema_violation" || (name == "invalid_once" && first_sight)) {
    content = violation.dump();
  } else if (name == "xml") {
    content = "<analysis><category>billing</category><churn_intent>true</churn_intent></analysis>";
  } else {
    content = AnswerFor(ticket);
  }

  const int64_t elapsed_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count();
  const int64_t eval_count = static_cast<int64_t>(content.size() / 4 + 1);
  const int64_t prompt_eval_count = static_cast<int64_t>(request.body.size() / 4 + 1);
  json reply = {{"model", model},
                {"created_at", Now()},
                {"message", {{"role", "assistant"}, {"content", content}}},
                {"done_reason", done_reason},
                {"done", true},
                {"total_duration", elapsed_ns + (load_now ? kSimulatedLoadNs : 0)},
                {"load_duration", load_now ? kSimulatedLoadNs : 0},
                {"prompt_eval_count", prompt_eval_count},
                {"prompt_eval_duration", elapsed_ns / 3},
                {"eval_count", eval_count},
                {"eval_duration", elapsed_ns / 2 + eval_count * 1000}};
  if (!stream) {
    SetJson(response, 200, reply);
    return;
  }
  json chunk = {{"model", model},
                {"created_at", Now()},
                {"message", {{"role", "assistant"}, {"content", content}}},
                {"done", false}};
  reply["message"]["content"] = "";
  response.status = 200;
  response.set_content(chunk.dump() + "\n" + reply.dump() + "\n", "application/x-ndjson");
}

}  // namespace churn::testing
