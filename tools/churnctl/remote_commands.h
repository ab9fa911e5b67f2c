#pragma once
// churnctl's client mode: commands that talk to a running service set over gRPC. Their options
// are the messages of churn/settings/v1/churnctl_flags.proto.

#include <string>
#include <vector>

#include "churn/settings/v1/churnctl_flags.pb.h"

namespace churnctl {

// Each returns the process exit code.
int RunHealth(const churn::settings::v1::HealthFlags& flags);
int RunAtRisk(const churn::settings::v1::AtRiskFlags& flags);
int RunCustomer(const churn::settings::v1::CustomerFlags& flags,
                const std::vector<std::string>& positional);
int RunAnalyzeTicket(const churn::settings::v1::AnalyzeTicketFlags& flags);

}  // namespace churnctl
