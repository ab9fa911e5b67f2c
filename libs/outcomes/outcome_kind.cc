#include "outcomes/outcome_kind.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace churn::outcomes {

std::string_view OutcomeKindName(OutcomeKind kind) {
  for (const OutcomeKindEntry &entry : kOutcomeKinds) {
    if (entry.kind == kind) return entry.name;
  }
  return kOutcomeKinds[0].name;
}

absl::StatusOr<OutcomeKind> ParseOutcomeKind(std::string_view name) {
  std::string accepted;
  for (const OutcomeKindEntry &entry : kOutcomeKinds) {
    if (entry.name == name) return entry.kind;
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", std::string(entry.name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("outcome: must be one of ", accepted, ", got '", std::string(name), "'"));
}

std::string OutcomeKindSqlList() {
  std::string list;
  for (const OutcomeKindEntry &entry : kOutcomeKinds) {
    absl::StrAppend(&list, list.empty() ? "'" : ", '", std::string(entry.name), "'");
  }
  return list;
}

}  // namespace churn::outcomes
