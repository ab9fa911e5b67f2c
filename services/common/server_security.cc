#include "common/server_security.h"

#include <tuple>

#include <grpc/grpc_security.h>
#include <grpcpp/security/auth_context.h>

#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "auth/bearer_token.h"
#include "auth/listen_address.h"
#include "common/absl_compat.h"
#include "common/logging.h"
#include "common/secret_files.h"
#include "status/status_macros.h"

namespace churn::service {
namespace {

constexpr char kCallerProperty[] = "churn.caller";
constexpr char kRoleProperty[] = "churn.role";

std::string_view SliceView(const grpc_slice& slice) {
  return std::string_view(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(slice)),
                          GRPC_SLICE_LENGTH(slice));
}

// gRPC core calls this for every incoming call, before the handler, with the request headers
// (":path" included). Deciding is a hash lookup, so it answers synchronously.
void CheckCall(void* state, grpc_auth_context* context, const grpc_metadata* md, size_t md_count,
               grpc_process_auth_metadata_done_cb done, void* user_data) {
  const auth::CallerRegistry* callers =
      static_cast<const std::shared_ptr<const auth::CallerRegistry>*>(state)->get();
  std::string_view path;
  std::string_view authorization;
  const grpc_metadata* authorization_md = nullptr;
  for (size_t i = 0; i < md_count; ++i) {
    std::string_view key = SliceView(md[i].key);
    if (key == ":path") {
      path = SliceView(md[i].value);
    } else if (key == "authorization") {
      authorization = SliceView(md[i].value);
      authorization_md = &md[i];
    }
  }
  const auth::Permission permission = auth::PermissionForMethod(path);
  absl::StatusOr<auth::Caller> caller = auth::Authorize(callers, authorization, permission);
  if (!caller.ok()) {
    LogWarn("call_refused", {{"method", std::string(path)},
                             {"code", absl::StatusCodeToString(caller.status().code())},
                             {"token_given", !authorization.empty()}});
    const std::string message(caller.status().message());
    done(user_data, nullptr, 0, nullptr, 0, static_cast<grpc_status_code>(caller.status().code()),
         message.c_str());
    return;
  }
  grpc_auth_context_add_cstring_property(context, kCallerProperty, caller->name.c_str());
  grpc_auth_context_add_cstring_property(context, kRoleProperty,
                                         std::string(auth::RoleName(caller->role)).c_str());
  // Consumed: the token is removed from the metadata the handlers see.
  done(user_data, authorization_md, authorization_md == nullptr ? 0 : 1, nullptr, 0, GRPC_STATUS_OK,
       nullptr);
}

// grpc++ offers no public way to attach a processor to insecure credentials, and its own
// AuthMetadataProcessor hops through a thread pool per call; so the port is added through the
// core API, which supports both transports the same way.
class AuthorizingServerCredentials final : public grpc::ServerCredentials {
 public:
  explicit AuthorizingServerCredentials(ServerSecurity security) : security_(std::move(security)) {}

  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    // The token check is the only processor; nothing in the project sets another.
  }

 private:
  int AddPortToServer(const std::string& address, grpc_server* server) override {
    grpc_server_credentials* credentials = nullptr;
    if (security_.tls.enabled()) {
      grpc_ssl_pem_key_cert_pair pair{security_.tls.key_pem.c_str(),
                                      security_.tls.cert_pem.c_str()};
      const bool mutual = !security_.tls.ca_pem.empty();
      credentials = grpc_ssl_server_credentials_create_ex(
          mutual ? security_.tls.ca_pem.c_str() : nullptr, &pair, 1,
          mutual ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                 : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
          nullptr);
    } else {
      credentials = grpc_insecure_server_credentials_create();
    }
    if (credentials == nullptr) return 0;
    if (security_.callers) {
      // Core owns its own reference to the registry and releases it with the credentials.
      grpc_server_credentials_set_auth_metadata_processor(
          credentials,
          grpc_auth_metadata_processor{
              CheckCall,
              [](void* state) {
                delete static_cast<std::shared_ptr<const auth::CallerRegistry>*>(state);
              },
              new std::shared_ptr<const auth::CallerRegistry>(security_.callers)});
    }
    const int port = grpc_server_add_http2_port(server, address.c_str(), credentials);
    grpc_server_credentials_release(credentials);
    return port;
  }

  const ServerSecurity security_;
};

}  // namespace

absl::StatusOr<ServerSecurity> ServerSecurity::FromSettings(
    const settings::v1::ProcessSettings& settings) {
  ServerSecurity security;
  security.allow_unauthenticated = settings.allow_unauthenticated();
  if (const std::string& path = settings.auth_tokens_file(); !path.empty()) {
    absl::StatusOr<auth::CallerRegistry> callers = auth::CallerRegistry::LoadFile(path);
    if (!callers.ok()) {
      return absl::Status(callers.status().code(),
                          absl::StrCat("auth_tokens_file: ", callers.status().message()));
    }
    security.callers = std::make_shared<const auth::CallerRegistry>(*std::move(callers));
  }
  for (auto [key, path, target] :
       {std::tuple{"tls_cert_file", &settings.tls_cert_file(), &security.tls.cert_pem},
        std::tuple{"tls_key_file", &settings.tls_key_file(), &security.tls.key_pem},
        std::tuple{"tls_ca_file", &settings.tls_ca_file(), &security.tls.ca_pem}}) {
    CHURN_ASSIGN_OR_RETURN(std::string pem, ReadSecretFile(key, *path));
    *target = std::move(pem);
  }
  if (security.tls.cert_pem.empty() != security.tls.key_pem.empty()) {
    return absl::InvalidArgumentError("tls_cert_file and tls_key_file: give both or neither");
  }
  if (!security.tls.ca_pem.empty() && !security.tls.enabled()) {
    return absl::InvalidArgumentError(
        "tls_ca_file: mutual TLS needs the service's own tls_cert_file and tls_key_file too");
  }
  return security;
}

absl::Status ServerSecurity::CheckListenAddress(std::string_view key,
                                                const std::string& address) const {
  return auth::CheckListenAddress(key, address, callers != nullptr, allow_unauthenticated);
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ServerSecurity& security) {
  return std::make_shared<AuthorizingServerCredentials>(security);
}

auth::Caller CallerOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth_context = context.auth_context();
  if (auth_context) {
    std::vector<grpc::string_ref> names = auth_context->FindPropertyValues(kCallerProperty);
    std::vector<grpc::string_ref> roles = auth_context->FindPropertyValues(kRoleProperty);
    if (!names.empty() && !roles.empty()) {
      absl::StatusOr<auth::Role> role =
          auth::ParseRole(std::string_view(roles.front().data(), roles.front().size()));
      if (role.ok())
        return auth::Caller{std::string(names.front().data(), names.front().size()), *role};
    }
  }
  return auth::AnonymousCaller();
}

}  // namespace churn::service
