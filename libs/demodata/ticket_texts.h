#pragma once
// Free text for generated support tickets: what a customer would write, given how the account
// is doing. Troubled tickets of accounts that are leaving sometimes say so, which is what the
// ticket analysers look for.

#include <string>

#include "demodata/random.h"

namespace churn::demodata {

struct TicketText {
  std::string subject;
  std::string body;
};

// `troubled`: part of a burst of bad tickets; `leaving`: the account is drifting or churning.
TicketText MakeTicketText(Rng& rng, bool troubled, bool leaving);

}  // namespace churn::demodata
