#pragma once
// Who may reach a service, over which transport: the caller registry (bearer tokens with roles)
// and optional TLS/mTLS, turned into the gRPC server credentials. Every call's token is checked
// once, in gRPC core's auth-metadata step, before any handler runs: a missing or unknown token is
// UNAUTHENTICATED, a weaker role PERMISSION_DENIED (libs/auth decides); health checking and
// reflection stay open for probes. The accepted caller is attached to the call's AuthContext,
// where CallerOf() finds it; the token itself is consumed and never reaches a handler.

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "auth/caller_registry.h"
#include "churn/settings/v1/process_settings.pb.h"

namespace churn::service {

struct TlsMaterial {
  std::string cert_pem;  // certificate chain
  std::string key_pem;
  std::string ca_pem;  // when set: peers must present a certificate signed by this CA (mTLS)
  bool enabled() const { return !cert_pem.empty(); }
};

struct ServerSecurity {
  std::shared_ptr<const auth::CallerRegistry> callers;  // null: authentication is off
  bool allow_unauthenticated = false;
  TlsMaterial tls;

  // From auth_tokens_file, allow_unauthenticated and tls_{cert,key,ca}_file; reads the files, so
  // a missing or malformed one is an error naming the setting.
  static absl::StatusOr<ServerSecurity> FromSettings(const settings::v1::ProcessSettings& settings);

  // FAILED_PRECONDITION when `address` (the value of setting `key`) is reachable from other
  // machines but callers need not authenticate and the operator did not allow it.
  absl::Status CheckListenAddress(std::string_view key, const std::string& address) const;
};

// TLS when configured, and the token check when callers are configured.
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const ServerSecurity& security);

// The caller the token check accepted; AnonymousCaller() when authentication is off.
auth::Caller CallerOf(const grpc::ServerContextBase& context);

}  // namespace churn::service
