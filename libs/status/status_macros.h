#pragma once
// Status propagation for functions returning absl::Status or absl::StatusOr<T>, so an error
// check is one line everywhere instead of a hand-written `if (!x.ok()) return x.status();`.
//
//   CHURN_RETURN_IF_ERROR(WriteHeader(out));
//   CHURN_ASSIGN_OR_RETURN(RuleSet rules, RuleSet::FromYaml(text));
//   CHURN_ASSIGN_OR_RETURN(auto rows, ReadRows(path));

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the current function when it is an
// error.
#define CHURN_RETURN_IF_ERROR(expr)                     \
  do {                                                  \
    ::absl::Status churn_status_macro_status_ = (expr); \
    if (!churn_status_macro_status_.ok()) {             \
      return churn_status_macro_status_;                \
    }                                                   \
  } while (0)

// Evaluates `expr` (an absl::StatusOr<T>); returns its error, or moves its value into `lhs`, which
// may be a declaration (`auto x`, `RuleSet rules`) or an existing variable.
#define CHURN_ASSIGN_OR_RETURN(lhs, expr)                                                        \
  CHURN_STATUS_MACRO_ASSIGN_OR_RETURN_IMPL(CHURN_STATUS_MACRO_CONCAT(churn_statusor_, __LINE__), \
                                           lhs, expr)

#define CHURN_STATUS_MACRO_CONCAT_INNER(a, b) a##b
#define CHURN_STATUS_MACRO_CONCAT(a, b) CHURN_STATUS_MACRO_CONCAT_INNER(a, b)
#define CHURN_STATUS_MACRO_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                             \
  if (!statusor.ok()) {                                               \
    return std::move(statusor).status();                              \
  }                                                                   \
  lhs = std::move(statusor).value()
