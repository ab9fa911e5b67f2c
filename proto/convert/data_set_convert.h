#pragma once
// Uploaded data sets as churn.v1 messages.

#include "churn/v1/data_set.pb.h"
#include "data_sets/data_set_library.h"

namespace churn::convert {

// Name, files, size and time; `configured` and `current` are the caller's. The folder stays
// server side.
void ToProto(const data_sets::DataSetInfo& info, v1::DataSet* proto);

}  // namespace churn::convert
