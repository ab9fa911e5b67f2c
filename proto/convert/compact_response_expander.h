#pragma once
// The client side of ScoreBatch's compact form: keeps the rules texts it has received (one rules
// version) and turns a compact response back into exactly the full-text response.
//
//   CompactResponseExpander expander;
//   expander.PrepareRequest(&request);            // COMPACT + the texts already held
//   ... stub->ScoreBatch(&context, request, &compact) ...
//   CHURN_RETURN_IF_ERROR(expander.Expand(request, compact, &full));

#include <string>

#include "absl/status/status.h"
#include "churn/v1/scoring.pb.h"
#include "scoring/compact_assessment.h"

namespace churn::convert {

class CompactResponseExpander {
 public:
  // Asks for the compact form and names the rules version whose texts are held.
  void PrepareRequest(v1::ScoreBatchRequest* request) const;
  // Learns the texts `compact` carries, then writes the full-text response for `request` (whose
  // customers give the ids). FAILED_PRECONDITION when the texts of compact.rules() are not held;
  // INVALID_ARGUMENT when the columns do not fit the request or the texts.
  absl::Status Expand(const v1::ScoreBatchRequest& request, const v1::ScoreBatchResponse& compact,
                      v1::ScoreBatchResponse* full);

  const std::string& known_rules_sha256() const { return rules_sha256_; }

 private:
  std::string rules_sha256_;  // empty until texts arrived
  scoring::RulesTexts texts_;
};

}  // namespace churn::convert
