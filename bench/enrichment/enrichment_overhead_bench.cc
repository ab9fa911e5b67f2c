// Per-ticket overhead of the enrichment path outside the model, against the in-process fake
// Ollama with zero delay (so the "model" costs next to nothing):
//
//   BM_RawHttpRoundTrip        baseline: one plain cpp-httplib POST /api/chat to the fake
//   BM_BoundedHttpRoundTrip    the same through CallWithDeadline (libcurl multi handle driven
//                              on the calling thread, with the deadline and a stop callback)
//   BM_AnalyzeThroughModel     TicketEnricher::Analyze, no cache: sanitise, prompt build,
//                              bounded HTTP, parse + validate
//   BM_AnalyzeThroughModelWithCache  the same with a SQLite cache (a miss and a store per ticket)
//   BM_AnalyzeCacheHit         a repeated ticket: sanitise, SHA-256, SQLite lookup, validate
//   BM_LocalStages             sanitise + prompt/body build + parse/validate, no I/O
//
// Overhead per ticket outside the model = BM_AnalyzeThroughModel* - BM_RawHttpRoundTrip.
// Run: enrichment_overhead_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "enrichment/analysis_schema.h"
#include "enrichment/ticket_enricher.h"
#include "enrichment/ticket_prompt.h"
#include "fake_ollama/fake_ollama_server.h"
#include "ollama/bounded_http_call.h"
#include "ollama/ollama_client.h"

namespace {

using churn::enrichment::AnalyzeOptions;
using churn::enrichment::TicketEnricher;
using churn::enrichment::TicketInput;
using churn::testing::FakeOllamaServer;

constexpr const char* kSubject = "Renewal quote";
constexpr const char* kBody =
    "Hi team, the renewal quote we received yesterday is well beyond our budget for next year. "
    "We have been happy with the product, but unless we can find a better price we may have to "
    "downgrade to the basic plan or cancel altogether. Could someone walk us through the options "
    "before the end of the month? Thanks, Dana";

FakeOllamaServer& Fake() {
  static std::unique_ptr<FakeOllamaServer> fake = [] {
    auto started = FakeOllamaServer::Start({});
    if (!started.ok()) std::abort();
    return *std::move(started);
  }();
  return *fake;
}

churn::ollama::OllamaClientOptions ClientOptions() {
  churn::ollama::OllamaClientOptions options;
  options.base_url = Fake().base_url();
  return options;
}

std::string ChatBodyFor(const std::string& text) {
  return churn::ollama::OllamaClient(ClientOptions())
      .ChatBody(churn::enrichment::TicketChatRequest(text))
      .dump();
}

TicketInput Ticket(int64_t n) {
  TicketInput ticket;
  ticket.ticket_id = absl::StrCat("T-", n);
  ticket.subject = kSubject;
  ticket.body = absl::StrCat(kBody, " (ref ", n, ")");
  return ticket;
}

std::string FreshCachePath(const char* name) {
  const auto dir = std::filesystem::temp_directory_path() / "enrichment-bench" / name;
  std::filesystem::remove_all(dir);
  return (dir / "cache.sqlite").string();
}

void BM_RawHttpRoundTrip(benchmark::State& state) {
  const std::string body = ChatBodyFor(absl::StrCat("Subject: ", kSubject, "\n\n", kBody));
  for (auto _ : state) {
    httplib::Client client(Fake().base_url());
    auto response = client.Post("/api/chat", body, "application/json");
    if (!response || response->status != 200) state.SkipWithError("fake did not answer");
    benchmark::DoNotOptimize(response->body.data());
  }
}
BENCHMARK(BM_RawHttpRoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_BoundedHttpRoundTrip(benchmark::State& state) {
  churn::ollama::HttpRequest request;
  request.method = "POST";
  request.path = "/api/chat";
  request.body = ChatBodyFor(absl::StrCat("Subject: ", kSubject, "\n\n", kBody));
  const churn::ollama::HttpEndpoint endpoint{Fake().base_url()};
  for (auto _ : state) {
    auto response = churn::ollama::CallWithDeadline(
        endpoint, request, churn::ollama::Clock::now() + std::chrono::seconds(10));
    if (!response.ok()) state.SkipWithError("fake did not answer");
    benchmark::DoNotOptimize(response->body.data());
  }
}
BENCHMARK(BM_BoundedHttpRoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();

void AnalyzeLoop(benchmark::State& state, TicketEnricher& enricher, bool same_ticket) {
  AnalyzeOptions options;
  options.timeout = std::chrono::seconds(10);
  int64_t n = 0;
  const TicketInput repeated = Ticket(0);
  for (auto _ : state) {
    auto result = enricher.Analyze(same_ticket ? repeated : Ticket(++n), options);
    if (!result.ok() || result->outcome != churn::enrichment::ModelCallOutcome::kOk) {
      state.SkipWithError("analysis failed");
      break;
    }
    benchmark::DoNotOptimize(result->analysis.category.data());
  }
}

void BM_AnalyzeThroughModel(benchmark::State& state) {
  TicketEnricher enricher({}, std::make_unique<churn::ollama::OllamaClient>(ClientOptions()),
                          nullptr, nullptr);
  AnalyzeLoop(state, enricher, /*same_ticket=*/false);
}
BENCHMARK(BM_AnalyzeThroughModel)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_AnalyzeThroughModelWithCache(benchmark::State& state) {
  auto cache = churn::enrichment::ResultCache::Open(FreshCachePath("miss"));
  if (!cache.ok()) {
    state.SkipWithError("cannot open the cache");
    return;
  }
  TicketEnricher enricher({}, std::make_unique<churn::ollama::OllamaClient>(ClientOptions()),
                          *std::move(cache), nullptr);
  AnalyzeLoop(state, enricher, /*same_ticket=*/false);
}
BENCHMARK(BM_AnalyzeThroughModelWithCache)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_AnalyzeCacheHit(benchmark::State& state) {
  auto cache = churn::enrichment::ResultCache::Open(FreshCachePath("hit"));
  if (!cache.ok()) {
    state.SkipWithError("cannot open the cache");
    return;
  }
  TicketEnricher enricher({}, std::make_unique<churn::ollama::OllamaClient>(ClientOptions()),
                          *std::move(cache), nullptr);
  AnalyzeOptions options;
  (void)enricher.Analyze(Ticket(0), options);  // fills the cache
  AnalyzeLoop(state, enricher, /*same_ticket=*/true);
}
BENCHMARK(BM_AnalyzeCacheHit)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_LocalStages(benchmark::State& state) {
  TicketEnricher enricher({}, nullptr, nullptr, nullptr);
  const churn::ollama::OllamaClient client(ClientOptions());
  const std::string answer =
      R"({"summary":"Renewal quote beyond budget; may downgrade or cancel.","category":"billing",)"
      R"("sentiment":"negative","churn_intent":true,)"
      R"("recommended_action":"Call within 24 hours to review pricing options."})";
  int64_t n = 0;
  for (auto _ : state) {
    const std::string text = enricher.PrepareText(Ticket(++n));
    const std::string body = client.ChatBody(churn::enrichment::TicketChatRequest(text)).dump();
    auto analysis = churn::enrichment::ParseModelAnalysis(answer);
    benchmark::DoNotOptimize(body.data());
    benchmark::DoNotOptimize(analysis->category.data());
  }
}
BENCHMARK(BM_LocalStages)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
