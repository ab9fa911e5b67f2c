#pragma once
// Which past dates a new installation replays to fill its risk history: every `step_days` back
// from the latest snapshot date over `span_days`, minus the dates already stored (so a restart
// resumes where the last one stopped), newest first (a partial backfill still shows the recent
// trend).

#include <vector>

#include "dataset/value_parsers.h"

namespace churn::riskhistory {

inline constexpr int kBackfillStepDays = 7;

std::vector<dataset::Day> BackfillDates(dataset::Day latest, int span_days,
                                        const std::vector<dataset::Day>& stored,
                                        int step_days = kBackfillStepDays);

}  // namespace churn::riskhistory
