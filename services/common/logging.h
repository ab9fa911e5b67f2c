#pragma once
// Structured logs: one line per event on stderr, key=value pairs in a fixed order
// (ts, level, service, event, then the caller's fields), so a log shipper or grep can parse them.
//   ts=2024-05-01T09:30:00.123Z level=info service=scoring event=rules_loaded version=1

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace churn::service {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Parses "debug", "info", "warn"/"warning", "error".
bool ParseLogLevel(std::string_view text, LogLevel* level);

// One key=value pair; the value is rendered to text at construction.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value);
  LogField(std::string_view key, const std::string& value)
      : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, const char* value) : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, bool value);
  template <typename Int,
            std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
  LogField(std::string_view key, Int value) : key_(key), value_(absl::StrCat(value)) {}
  LogField(std::string_view key, double value);
  LogField(std::string_view key, const absl::Status& status);

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  std::string key_;
  std::string value_;
};

// Set once at startup, before other threads log.
void SetLogServiceName(std::string_view service);
void SetMinLogLevel(LogLevel level);

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
void Log(LogLevel level, std::string_view event, const std::vector<LogField>& fields);
inline void LogInfo(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, event, fields);
}
inline void LogWarn(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarn, event, fields);
}
inline void LogError(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, event, fields);
}

// The line Log would write (without the trailing newline), for tests.
std::string FormatLogLine(std::string_view ts, LogLevel level, std::string_view service,
                          std::string_view event, const LogField* fields, size_t field_count);

}  // namespace churn::service
