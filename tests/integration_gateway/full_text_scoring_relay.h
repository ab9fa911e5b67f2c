// A scoring service that predates the compact ScoreBatch form, made from the real one: an
// in-process gRPC server on loopback that relays GetRules and ScoreBatch to the real churn-scoring,
// ScoreBatch with the response form cleared (FULL, every text in every assessment). A gateway
// pointed at it takes its full-text branch against the real engine's answers.
#ifndef CHURN_TESTS_INTEGRATION_GATEWAY_FULL_TEXT_SCORING_RELAY_H_
#define CHURN_TESTS_INTEGRATION_GATEWAY_FULL_TEXT_SCORING_RELAY_H_

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <atomic>
#include <memory>
#include <string>

#include "churn/v1/scoring.grpc.pb.h"

namespace churn::testing {

class FullTextScoringRelay final : public v1::ScoringService::Service {
 public:
  // Relays to the scoring service at `scoring_target` (host:port); port() is 0 when the server
  // could not start.
  explicit FullTextScoringRelay(const std::string& scoring_target)
      : scoring_(v1::ScoringService::NewStub(
            grpc::CreateChannel(scoring_target, grpc::InsecureChannelCredentials()))) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr) port_ = 0;
  }
  ~FullTextScoringRelay() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  int port() const { return port_; }
  // ScoreBatch calls whose caller asked for the compact form, and the assessments relayed in
  // full text.
  int64_t compact_requests() const { return compact_requests_.load(); }
  int64_t full_text_assessments() const { return full_text_assessments_.load(); }

  grpc::Status GetRules(grpc::ServerContext* context, const v1::GetRulesRequest* request,
                        v1::GetRulesResponse* response) override {
    auto relayed = grpc::ClientContext::FromServerContext(*context);
    return scoring_->GetRules(relayed.get(), *request, response);
  }

  grpc::Status ScoreBatch(grpc::ServerContext* context, const v1::ScoreBatchRequest* request,
                          v1::ScoreBatchResponse* response) override {
    if (request->response_form() == v1::SCORE_RESPONSE_FORM_COMPACT) ++compact_requests_;
    v1::ScoreBatchRequest full_text = *request;
    full_text.clear_response_form();
    full_text.clear_known_rules_sha256();
    auto relayed = grpc::ClientContext::FromServerContext(*context);
    grpc::Status status = scoring_->ScoreBatch(relayed.get(), full_text, response);
    if (status.ok()) full_text_assessments_ += response->assessments_size();
    return status;
  }

 private:
  std::unique_ptr<v1::ScoringService::Stub> scoring_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<int64_t> compact_requests_{0};
  std::atomic<int64_t> full_text_assessments_{0};
};

}  // namespace churn::testing

#endif  // CHURN_TESTS_INTEGRATION_GATEWAY_FULL_TEXT_SCORING_RELAY_H_
