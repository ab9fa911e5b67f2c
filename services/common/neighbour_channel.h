#pragma once
// Channels to a neighbour service (the gateway's to ingest, scoring and enrichment; churnctl's to
// any service): TLS when a CA is configured (presenting our own certificate for mTLS), and the
// caller's bearer token on every call.

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace churn::service {

struct ClientSecurity {
  std::string bearer_token;  // empty: no Authorization header
  std::string ca_pem;        // empty: plaintext
  std::string cert_pem;      // our certificate for mTLS (optional)
  std::string key_pem;
  std::string server_name;   // name to verify instead of the address's host (optional)

  // Reads the files named (each may be empty): the token file is trimmed.
  static absl::StatusOr<ClientSecurity> FromFiles(const std::string& token_file,
                                                  const std::string& ca_file,
                                                  const std::string& cert_file,
                                                  const std::string& key_file,
                                                  std::string server_name);
};

std::shared_ptr<grpc::Channel> NeighbourChannel(const std::string& address,
                                                const ClientSecurity& security,
                                                grpc::ChannelArguments args = {});

}  // namespace churn::service
