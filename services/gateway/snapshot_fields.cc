#include "snapshot_fields.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace churn::gateway {
namespace {

using google::protobuf::FieldDescriptor;

const FieldDescriptor* FirstField(const google::protobuf::Descriptor* descriptor,
                                  std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (const FieldDescriptor* field = descriptor->FindFieldByName(name)) return field;
  }
  return nullptr;
}

}  // namespace

std::map<std::string, int64_t> ChurnReasonCounts(const v1::SnapshotInfo& snapshot) {
  std::map<std::string, int64_t> counts;
  const FieldDescriptor* field =
      FirstField(snapshot.GetDescriptor(), {"churn_reason_counts", "churn_reasons"});
  if (field == nullptr || !field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return counts;
  }
  const google::protobuf::Reflection* reflection = snapshot.GetReflection();
  for (int i = 0; i < reflection->FieldSize(snapshot, field); ++i) {
    const google::protobuf::Message& entry = reflection->GetRepeatedMessage(snapshot, field, i);
    const FieldDescriptor* key = FirstField(entry.GetDescriptor(), {"key", "reason_code"});
    const FieldDescriptor* value = FirstField(entry.GetDescriptor(), {"value", "count"});
    if (key == nullptr || value == nullptr || key->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      return {};
    }
    const google::protobuf::Reflection* entry_reflection = entry.GetReflection();
    int64_t count = 0;
    switch (value->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT64: count = entry_reflection->GetInt64(entry, value); break;
      case FieldDescriptor::CPPTYPE_INT32: count = entry_reflection->GetInt32(entry, value); break;
      case FieldDescriptor::CPPTYPE_UINT32: count = entry_reflection->GetUInt32(entry, value); break;
      case FieldDescriptor::CPPTYPE_UINT64:
        count = static_cast<int64_t>(entry_reflection->GetUInt64(entry, value));
        break;
      default: return {};
    }
    counts[entry_reflection->GetString(entry, key)] += count;
  }
  return counts;
}

std::optional<dataset::Day> WindowEnd(const std::string& date) {
  if (date.empty()) return std::nullopt;
  return dataset::ParseDate(date);
}

}  // namespace churn::gateway
