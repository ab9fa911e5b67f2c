#pragma once
// churnctl tokens: creating the callers of a deployment. Tokens are printed once and only their
// SHA-256 is stored in the tokens file the services read (auth_tokens_file).

#include <string>
#include <vector>

#include "churn/settings/v1/churnctl_flags.pb.h"

namespace churnctl {

// `tokens init --dir DIR`: when DIR/tokens.yaml is absent, one `service` caller per service
// (ingest, scoring, enrichment, gateway) with its token in DIR/<name>.token, and one `admin`
// caller whose token is printed once. Does nothing when the file exists.
// `tokens add --file FILE --name NAME --role ROLE`: appends a caller and prints its token.
// Returns the process exit code.
int RunTokensCommand(const churn::settings::v1::TokensFlags& flags,
                     const std::vector<std::string>& positional);

}  // namespace churnctl
