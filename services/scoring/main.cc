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
#include "common/unary_completion_queue_server.h"
#include "scoring_service.h"

namespace {

namespace svc = churn::service;
using churn::scoring_service::ScoringServiceOptions;

struct ScoringProcessOptions {
  ScoringServiceOptions service;
  int score_threads = 1;  // Score's completion-queue threads
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

using ScoreServer =
    svc::UnaryCompletionQueueServer<churn::v1::ScoreRequest, churn::v1::ScoreResponse>;

class ScoringParts : public svc::ServiceParts {
 public:
  ScoringParts(const ScoringProcessOptions& options, svc::ServiceProcess& host)
      : service_(options.service, host.metrics_registry()),
        score_server_(
            "score", options.score_threads,
            [this](grpc::ServerContext* context, churn::v1::ScoreRequest* request,
                   grpc::ServerAsyncResponseWriter<churn::v1::ScoreResponse>* writer,
                   grpc::ServerCompletionQueue* cq,
                   void* tag) { service_.RequestScore(context, request, writer, cq, cq, tag); },
            [this](grpc::ServerContext&, const churn::v1::ScoreRequest& request,
                   churn::v1::ScoreResponse* response) {
              absl::Status status = service_.ScoreOne(request, response);
              if (!status.ok()) response->Clear();
              return svc::ToGrpcStatus(status);
            }),
        rules_file_(options.service.rules_file) {
    host.AddService(&service_, churn::v1::ScoringService::service_full_name());
    host.AddCompletionQueueServer(&score_server_);
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
  ScoreServer score_server_;  // Score, answered inline on its own threads
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
