#include "settings/settings_schema.h"

#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "churn/settings/v1/setting_options.pb.h"
#include "settings/bool_words.h"

namespace churn::settings {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status AddFields(const Descriptor& descriptor, std::vector<const FieldDescriptor*> parents,
                       std::vector<SettingField>* fields) {
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor* field = descriptor.field(i);
    if (field->is_repeated()) {
      return absl::InternalError(
          absl::StrCat(field->full_name(), ": a setting holds one value, not a list"));
    }
    std::vector<const FieldDescriptor*> path = parents;
    path.push_back(field);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (absl::Status s = AddFields(*field->message_type(), path, fields); !s.ok()) return s;
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_BOOL:
      case FieldDescriptor::CPPTYPE_DOUBLE: break;
      default:
        return absl::InternalError(absl::StrCat(field->full_name(),
                                                ": settings are string, int32, int64, bool or "
                                                "double"));
    }
    const v1::SettingOptions& options = field->options().GetExtension(v1::setting);
    SettingField setting;
    setting.key = field->name();
    setting.path = std::move(path);
    if (options.has_default_value()) setting.default_value = options.default_value();
    setting.help = options.help();
    setting.restart_needed = options.restart_needed();
    setting.reread = options.reread();
    setting.env = options.env();
    setting.env_only = options.env_only();
    fields->push_back(std::move(setting));
  }
  return absl::OkStatus();
}

// The message holding the setting's field, created along the path as needed.
Message* Holder(const SettingField& setting, Message* settings) {
  Message* message = settings;
  for (size_t i = 0; i + 1 < setting.path.size(); ++i) {
    message = message->GetReflection()->MutableMessage(message, setting.path[i]);
  }
  return message;
}

const Message& Holder(const SettingField& setting, const Message& settings) {
  const Message* message = &settings;
  for (size_t i = 0; i + 1 < setting.path.size(); ++i) {
    message = &message->GetReflection()->GetMessage(*message, setting.path[i]);
  }
  return *message;
}

}  // namespace

const char* SettingField::type_name() const {
  switch (field().cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64: return "int";
    case FieldDescriptor::CPPTYPE_BOOL: return "bool";
    case FieldDescriptor::CPPTYPE_DOUBLE: return "double";
    default: return "string";
  }
}

absl::StatusOr<SettingsSchema> SettingsSchema::Of(const Descriptor& descriptor) {
  SettingsSchema schema;
  if (absl::Status s = AddFields(descriptor, {}, &schema.fields_); !s.ok()) return s;
  for (size_t i = 0; i < schema.fields_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (schema.fields_[i].key == schema.fields_[j].key) {
        return absl::InternalError(absl::StrCat(descriptor.full_name(), ": setting '",
                                                schema.fields_[i].key, "' declared twice"));
      }
    }
  }
  for (const v1::DefaultOverride& override :
       descriptor.options().GetExtension(v1::settings).default_override()) {
    bool found = false;
    for (SettingField& setting : schema.fields_) {
      if (setting.key != override.key()) continue;
      setting.default_value = override.value();
      found = true;
    }
    if (!found) {
      return absl::InternalError(absl::StrCat(descriptor.full_name(), ": default_override of '",
                                              override.key(), "', which is no setting"));
    }
  }
  // Every declared default must be a value of its type, or the first Load would
  // fail on it.
  for (const SettingField& setting : schema.fields_) {
    if (!setting.default_value) continue;
    std::unique_ptr<Message> scratch(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(&descriptor)->New());
    if (absl::Status s = SetSettingFromText(setting, *setting.default_value, scratch.get());
        !s.ok()) {
      return absl::InternalError(
          absl::StrCat(descriptor.full_name(), ": default of ", setting.key, ": ", s.message()));
    }
  }
  return schema;
}

const SettingField* SettingsSchema::Find(std::string_view key) const {
  for (const SettingField& setting : fields_) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

std::vector<std::string> SettingsSchema::keys() const {
  std::vector<std::string> keys;
  for (const SettingField& setting : fields_) {
    if (!setting.env_only) keys.push_back(setting.key);
  }
  return keys;
}

absl::Status SetSettingFromText(const SettingField& setting, std::string_view text,
                                Message* settings) {
  Message* holder = Holder(setting, settings);
  const Reflection* reflection = holder->GetReflection();
  const FieldDescriptor* field = &setting.field();
  const absl::string_view given(text.data(), text.size());
  auto wrong = [&](absl::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat("must be ", expected, ", got '", given, "'"));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection->SetString(holder, field, std::string(text));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value = 0;
      if (!absl::SimpleAtoi(given, &value)) return wrong("int");
      reflection->SetInt64(holder, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value = 0;
      if (!absl::SimpleAtoi(given, &value)) return wrong("int (32 bits)");
      reflection->SetInt32(holder, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      std::optional<bool> value = ParseBoolWord(text);
      if (!value) {
        return wrong(
            absl::StrCat("bool (", absl::string_view(kBoolWords.data(), kBoolWords.size()), ")"));
      }
      reflection->SetBool(holder, field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double value = 0;
      if (!absl::SimpleAtod(given, &value) || !std::isfinite(value)) return wrong("a number");
      reflection->SetDouble(holder, field, value);
      return absl::OkStatus();
    }
    default: return absl::InternalError(absl::StrCat(setting.key, ": unsupported type"));
  }
}

std::string SettingValueText(const SettingField& setting, const Message& settings) {
  const Message& holder = Holder(setting, settings);
  const Reflection* reflection = holder.GetReflection();
  const FieldDescriptor* field = &setting.field();
  if (field->has_presence() && !reflection->HasField(holder, field)) return "";
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: return reflection->GetString(holder, field);
    case FieldDescriptor::CPPTYPE_INT64: return absl::StrCat(reflection->GetInt64(holder, field));
    case FieldDescriptor::CPPTYPE_INT32: return absl::StrCat(reflection->GetInt32(holder, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(holder, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_DOUBLE: return absl::StrCat(reflection->GetDouble(holder, field));
    default: return "";
  }
}

}  // namespace churn::settings
