#include "enrichment/enrichment_result.h"

namespace churn::enrichment {

std::string_view ModelCallOutcomeName(ModelCallOutcome outcome) {
  switch (outcome) {
    case ModelCallOutcome::kOk: return "ok";
    case ModelCallOutcome::kTimeout: return "timeout";
    case ModelCallOutcome::kInvalidOutput: return "invalid_output";
    case ModelCallOutcome::kUnavailable: return "unavailable";
    case ModelCallOutcome::kError: return "error";
  }
  return "error";
}

}  // namespace churn::enrichment
