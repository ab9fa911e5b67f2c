#include "convert/data_set_convert.h"

#include "convert/time_convert.h"

namespace churn::convert {

void ToProto(const data_sets::DataSetInfo& info, v1::DataSet* proto) {
  proto->set_name(info.name);
  for (const std::string& file : info.files) proto->add_files(file);
  proto->set_bytes(info.bytes);
  if (info.created_at != absl::Time()) ToProto(info.created_at, proto->mutable_created_at());
}

}  // namespace churn::convert
