// churn-scoring: the scoring rules behind gRPC. Settings: churn/settings/v1/scoring_settings.proto
// (config/scoring-service.yaml, CHURN_SCORING_<KEY>, --key=value; see --help).
#include <algorithm>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "churn/settings/v1/scoring_settings.pb.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/run_service.h"
#include "common/completion_queue_server.h"
#include "common/unary_completion_queue_method.h"
#include "scoring_service.h"

namespace {

namespace svc = churn::service;
using churn::scoring_service::ScoringServiceOptions;

struct ScoringProcessOptions {
  ScoringServiceOptions service;
  int score_threads = 1;  // the unary methods' completion-queue threads
};

absl::StatusOr<ScoringProcessOptions> OptionsFromSettings(
    const churn::settings::v1::ScoringSettings& settings, const svc::ServiceProcessOptions&) {
  ScoringServiceOptions options;
  options.rules_file = settings.rules_file();
  options.max_batch = settings.max_batch();
  options.max_rules_bytes = settings.max_rules_bytes();
  if (options.max_batch < 1 || options.max_rules_bytes < 1) {
    return absl::InvalidArgumentError("max_batch and max_rules_bytes must be >= 1");
  }
  if (settings.score_threads() < 0 || settings.score_threads() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("score_threads: must be 0..256, got ", settings.score_threads()));
  }
  const int score_threads =
      settings.score_threads() > 0
          ? static_cast<int>(settings.score_threads())
          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (!settings.model().model_file().empty()) {
    // A configured model that cannot be read stops the start: the operator asked for it.
    absl::StatusOr<churn::churnmodel::ChurnModel> model =
        churn::churnmodel::ChurnModel::Load(settings.model().model_file());
    if (!model.ok()) return model.status();
    options.model = std::make_shared<const churn::churnmodel::ChurnModel>(std::move(*model));
    svc::LogInfo(
        "model_loaded",
        {{"model_file", settings.model().model_file()},
         {"trained_through", churn::dataset::FormatDate(options.model->metadata().trained_through)},
         {"horizon_days", options.model->metadata().horizon_days}});
  }
  return ScoringProcessOptions{.service = std::move(options), .score_threads = score_threads};
}

template <typename Request, typename Response>
using Method = svc::UnaryCompletionQueueMethod<Request, Response>;
namespace v1 = churn::v1;

// An absl::Status handler as the methods' grpc::Status one.
template <typename F>
auto Answering(F answer) {
  return [answer](grpc::ServerContext&, const auto& request, auto* response) {
    return svc::ToGrpcStatus(answer(request, response));
  };
}

class ScoringParts : public svc::ServiceParts {
 public:
  ScoringParts(const ScoringProcessOptions& options, svc::ServiceProcess& host)
      : service_(options.service, host.metrics_registry()),
        queues_("scoring", options.score_threads),
        // Score and GetRules are a few microseconds: inline on the queue's thread.
        score_(
            queues_,
            [this](grpc::ServerContext* context, v1::ScoreRequest* request,
                   grpc::ServerAsyncResponseWriter<v1::ScoreResponse>* writer,
                   grpc::ServerCompletionQueue* cq,
                   void* tag) { service_.RequestScore(context, request, writer, cq, cq, tag); },
            Answering([this](const v1::ScoreRequest& request, v1::ScoreResponse* response) {
              absl::Status status = service_.ScoreOne(request, response);
              if (!status.ok()) response->Clear();
              return status;
            })),
        get_rules_(
            queues_,
            [this](grpc::ServerContext* context, v1::GetRulesRequest* request,
                   grpc::ServerAsyncResponseWriter<v1::GetRulesResponse>* writer,
                   grpc::ServerCompletionQueue* cq,
                   void* tag) { service_.RequestGetRules(context, request, writer, cq, cq, tag); },
            Answering([this](const v1::GetRulesRequest&, v1::GetRulesResponse* response) {
              return service_.AnswerGetRules(response);
            })),
        // Batches, dry runs and reloads take milliseconds (or a file read): on the executor,
        // so the queues' threads stay free for Score. Their request and response on one arena
        // (a 1,000-customer batch is about 100 KB in, up to 470 KB out).
        score_batch_(
            queues_,
            [this](grpc::ServerContext* context, v1::ScoreBatchRequest* request,
                   grpc::ServerAsyncResponseWriter<v1::ScoreBatchResponse>* writer,
                   grpc::ServerCompletionQueue* cq, void* tag) {
              service_.RequestScoreBatch(context, request, writer, cq, cq, tag);
            },
            Answering(
                [this](const v1::ScoreBatchRequest& request, v1::ScoreBatchResponse* response) {
                  return service_.AnswerScoreBatch(request, response);
                }),
            &host.executor(), 64 << 10, 1 << 20),
        dry_run_rules_(
            queues_,
            [this](grpc::ServerContext* context, v1::DryRunRulesRequest* request,
                   grpc::ServerAsyncResponseWriter<v1::DryRunRulesResponse>* writer,
                   grpc::ServerCompletionQueue* cq, void* tag) {
              service_.RequestDryRunRules(context, request, writer, cq, cq, tag);
            },
            Answering(
                [this](const v1::DryRunRulesRequest& request, v1::DryRunRulesResponse* response) {
                  absl::Status status = service_.AnswerDryRunRules(request, response);
                  if (!status.ok()) response->Clear();
                  return status;
                }),
            &host.executor(), 64 << 10, 1 << 20),
        reload_rules_(
            queues_,
            [this](grpc::ServerContext* context, v1::ReloadRulesRequest* request,
                   grpc::ServerAsyncResponseWriter<v1::ReloadRulesResponse>* writer,
                   grpc::ServerCompletionQueue* cq, void* tag) {
              service_.RequestReloadRules(context, request, writer, cq, cq, tag);
            },
            Answering(
                [this](const v1::ReloadRulesRequest& request, v1::ReloadRulesResponse* response) {
                  absl::Status status = service_.AnswerReloadRules(request, response);
                  if (!status.ok()) response->Clear();
                  return status;
                }),
            &host.executor()),
        rules_file_(options.service.rules_file) {
    host.AddService(&service_, v1::ScoringService::service_full_name());
    host.AddCompletionQueueServer(&queues_);
    host.UseSyncHealthService();  // no callback service left: gRPC's callback threads never start
    service_.SetOnReady([&host] { host.SetServing(true); });
  }

  absl::Status Start() override {
    // Not ready without rules: the process stays up NOT_SERVING so ReloadRules can fix it.
    if (absl::Status s = service_.LoadConfiguredRules(); !s.ok()) {
      svc::LogError("rules_load_failed", {{"error", s}, {"rules_file", rules_file_}});
    }
    return absl::OkStatus();
  }

 private:
  churn::scoring_service::ScoringService service_;
  svc::CompletionQueueServer queues_;  // the unary methods' threads
  Method<v1::ScoreRequest, v1::ScoreResponse> score_;
  Method<v1::GetRulesRequest, v1::GetRulesResponse> get_rules_;
  Method<v1::ScoreBatchRequest, v1::ScoreBatchResponse> score_batch_;
  Method<v1::DryRunRulesRequest, v1::DryRunRulesResponse> dry_run_rules_;
  Method<v1::ReloadRulesRequest, v1::ReloadRulesResponse> reload_rules_;
  std::string rules_file_;
};

absl::StatusOr<std::unique_ptr<svc::ServiceParts>> Build(const ScoringProcessOptions& options,
                                                         svc::ServiceProcess& host) {
  return std::make_unique<ScoringParts>(options, host);
}

}  // namespace

int main(int argc, char** argv) {
  return svc::RunService<churn::settings::v1::ScoringSettings>("scoring", argc, argv,
                                                               OptionsFromSettings, Build);
}
