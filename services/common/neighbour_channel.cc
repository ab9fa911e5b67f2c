#include "common/neighbour_channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/client_interceptor.h>

#include <utility>
#include <vector>

#include "common/secret_files.h"
#include "status/status_macros.h"

namespace churn::service {
namespace {

// Adds the bearer token to every call of the channel. An interceptor rather than call
// credentials, because gRPC sends call credentials only over TLS and plaintext on loopback is a
// supported set-up.
class BearerTokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string* header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *header_);
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class BearerTokenInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenInterceptorFactory(const std::string& token) : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new BearerTokenInterceptor(&header_);
  }

 private:
  const std::string header_;
};

}  // namespace

absl::StatusOr<ClientSecurity> ClientSecurity::FromFiles(const std::string& token_file,
                                                         const std::string& ca_file,
                                                         const std::string& cert_file,
                                                         const std::string& key_file,
                                                         std::string server_name) {
  ClientSecurity security;
  security.server_name = std::move(server_name);
  for (auto [key, path, target, trim] :
       {std::tuple{"client_token_file", &token_file, &security.bearer_token, true},
        std::tuple{"tls_ca_file", &ca_file, &security.ca_pem, false},
        std::tuple{"tls_cert_file", &cert_file, &security.cert_pem, false},
        std::tuple{"tls_key_file", &key_file, &security.key_pem, false}}) {
    CHURN_ASSIGN_OR_RETURN(std::string content, ReadSecretFile(key, *path, trim));
    *target = std::move(content);
  }
  return security;
}

std::shared_ptr<grpc::Channel> NeighbourChannel(const std::string& address,
                                                const ClientSecurity& security,
                                                grpc::ChannelArguments args) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!security.ca_pem.empty()) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = security.ca_pem;
    tls.pem_cert_chain = security.cert_pem;
    tls.pem_private_key = security.key_pem;
    credentials = grpc::SslCredentials(tls);
    if (!security.server_name.empty()) {
      args.SetSslTargetNameOverride(security.server_name);
    }
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  if (!security.bearer_token.empty()) {
    interceptors.push_back(std::make_unique<BearerTokenInterceptorFactory>(security.bearer_token));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, credentials, args,
                                                                 std::move(interceptors));
}

}  // namespace churn::service
