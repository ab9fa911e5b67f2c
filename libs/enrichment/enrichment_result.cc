#include "enrichment/enrichment_result.h"

namespace churn::enrichment {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kTimeout: return "timeout";
    case Outcome::kInvalidOutput: return "invalid_output";
    case Outcome::kUnavailable: return "unavailable";
    case Outcome::kError: return "error";
  }
  return "error";
}

}  // namespace churn::enrichment
