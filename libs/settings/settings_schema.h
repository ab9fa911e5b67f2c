#pragma once
// The settings a settings message declares
// (churn/settings/v1/setting_options.proto): one per scalar field, keyed by the
// field name; fields of message type are groups whose settings join the same
// flat key space. Values are read and written through protobuf reflection, so a
// new setting is one field declaration and nothing else.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace churn::settings {

struct SettingField {
  std::string key;  // the field name, snake_case
  // From the settings message down to the field: the groups, then the field
  // itself.
  std::vector<const google::protobuf::FieldDescriptor*> path;
  std::optional<std::string> default_value;  // as written in YAML; nullopt: unset / zero
  std::string help;
  bool restart_needed = true;
  std::string reread;  // what a running process re-reads of what the setting names
  std::string env;     // an environment variable of its own; empty: <prefix><KEY>
  bool env_only = false;

  const google::protobuf::FieldDescriptor& field() const { return *path.back(); }
  // "string", "int", "bool" or "double".
  const char* type_name() const;
};

class SettingsSchema {
 public:
  // INTERNAL when the message cannot be a settings message: a key declared
  // twice, a repeated or map field, an unsupported type, a default that does
  // not parse, an override of no key.
  static absl::StatusOr<SettingsSchema> Of(const google::protobuf::Descriptor& descriptor);

  const std::vector<SettingField>& fields() const { return fields_; }
  const SettingField* Find(std::string_view key) const;
  // Keys settable from the file and flags (not the environment-only ones), in
  // declaration order.
  std::vector<std::string> keys() const;

 private:
  std::vector<SettingField> fields_;
};

// Parses `text` as the setting's type and stores it in `settings`. The error
// says what was expected and what came ("must be int, got 'many'"), without the
// key: callers add where.
absl::Status SetSettingFromText(const SettingField& setting, std::string_view text,
                                google::protobuf::Message* settings);

// The value in `settings` as text ("" for an unset optional field).
std::string SettingValueText(const SettingField& setting,
                             const google::protobuf::Message& settings);

}  // namespace churn::settings
