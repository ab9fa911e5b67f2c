#pragma once
// The client side of ScoreBatch's compact form: keeps the rules texts it has received (one rules
// version) and turns a compact response back into exactly the full-text response, or straight
// into the assessments (CompactAssessmentReader) without building the full-text protos.
//
//   CompactResponseExpander expander;
//   expander.PrepareRequest(&request);            // COMPACT + the texts already held
//   ... stub->ScoreBatch(&context, request, &compact) ...
//   CHURN_RETURN_IF_ERROR(expander.Expand(request, compact, &full));
// or, the expander shared by threads behind a lock and one reader per thread:
//   CHURN_ASSIGN_OR_RETURN(auto held, expander.Learn(compact));   // under the lock
//   CHURN_ASSIGN_OR_RETURN(auto assessments, reader.Read(*held, request, compact));

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "churn/v1/scoring.pb.h"
#include "scoring/compact_assessment.h"
#include "signals/text_interner.h"

namespace churn::convert {

// The texts of one rules version, as received (immutable once learnt: readers share them).
struct HeldRulesTexts {
  std::string rules_sha256;
  scoring::RulesTexts texts;
};

class CompactResponseExpander {
 public:
  // Asks for the compact form and names the rules version whose texts are held.
  void PrepareRequest(v1::ScoreBatchRequest* request) const;
  // Learns the texts `compact` carries and gives the texts of compact.rules().
  // FAILED_PRECONDITION when they are not held; INVALID_ARGUMENT when the texts carried are.
  absl::StatusOr<std::shared_ptr<const HeldRulesTexts>> Learn(
      const v1::ScoreBatchResponse& compact);
  // Learn, then writes the full-text response for `request` (whose customers give the ids).
  // INVALID_ARGUMENT when the columns do not fit the request or the texts.
  absl::Status Expand(const v1::ScoreBatchRequest& request, const v1::ScoreBatchResponse& compact,
                      v1::ScoreBatchResponse* full);

  const std::string& known_rules_sha256() const;

 private:
  std::shared_ptr<const HeldRulesTexts> held_;  // null until texts arrived
};

// One thread's reading of compact responses into assessments equal to FromProto of the expanded
// response's: the rules' texts shared once per rules version, the texts made per customer (quoted
// values, joined reasons and actions) interned, so equal texts of the rows it reads share one
// string. Not thread-safe: one per thread.
class CompactAssessmentReader {
 public:
  // The assessments of `compact` (customers in request order, ids from `request`), whose rules
  // texts are `held`. INVALID_ARGUMENT when the columns do not fit the request or the texts.
  absl::StatusOr<std::vector<scoring::Assessment>> Read(const HeldRulesTexts& held,
                                                        const v1::ScoreBatchRequest& request,
                                                        const v1::ScoreBatchResponse& compact);
  // Where the texts are interned, for assessments read from full-text responses too.
  TextInterner* interner() { return &interner_; }

 private:
  TextInterner interner_;
  std::string shared_sha256_;  // the rules shared_ is of
  scoring::SharedRulesTexts shared_;
};

}  // namespace churn::convert
