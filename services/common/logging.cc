#include "common/logging.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/absl_compat.h"
#include "timefmt/rfc3339.h"

namespace churn::service {
namespace {

std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
std::string& ServiceName() {
  static std::string* name = new std::string("churn");
  return *name;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// Values with spaces, quotes, '=' or control characters are quoted and escaped so one event
// always stays one parseable line.
void AppendValue(std::string* out, std::string_view value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\x%02x", static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void WriteLine(LogLevel level, std::string_view event, const LogField* fields, size_t count) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string ts = timefmt::FormatRfc3339Millis(absl::Now());
  std::string line = FormatLogLine(ts, level, ServiceName(), event, fields, count);
  line.push_back('\n');
  // One fwrite per line under a lock: lines from different threads never interleave.
  static std::mutex* mu = new std::mutex;
  std::lock_guard<std::mutex> lock(*mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {{"debug", LogLevel::kDebug},
                                                                     {"info", LogLevel::kInfo},
                                                                     {"warn", LogLevel::kWarn},
                                                                     {"warning", LogLevel::kWarn},
                                                                     {"error", LogLevel::kError}};
  for (const auto& [name, value] : kNames) {
    if (text == name) {
      *level = value;
      return true;
    }
  }
  return false;
}

LogField::LogField(std::string_view key, std::string_view value) : key_(key), value_(value) {}
LogField::LogField(std::string_view key, bool value)
    : key_(key), value_(value ? "true" : "false") {}
LogField::LogField(std::string_view key, double value)
    : key_(key),
      value_(std::isfinite(value) ? absl::StrFormat("%.6g", value) : absl::StrCat(value)) {}
LogField::LogField(std::string_view key, const absl::Status& status)
    : key_(key), value_(status.ToString()) {}

void SetLogServiceName(std::string_view service) { ServiceName() = std::string(service); }
void SetMinLogLevel(LogLevel level) { g_min_level.store(level, std::memory_order_relaxed); }

std::string FormatLogLine(std::string_view ts, LogLevel level, std::string_view service,
                          std::string_view event, const LogField* fields, size_t field_count) {
  std::string line =
      absl::StrCat("ts=", ToAbsl(ts), " level=", ToAbsl(LevelName(level)), " service=");
  AppendValue(&line, service);
  line.append(" event=");
  AppendValue(&line, event);
  for (size_t i = 0; i < field_count; ++i) {
    const LogField& field = fields[i];
    absl::StrAppend(&line, " ", field.key(), "=");
    AppendValue(&line, field.value());
  }
  return line;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  WriteLine(level, event, fields.begin(), fields.size());
}

void Log(LogLevel level, std::string_view event, const std::vector<LogField>& fields) {
  WriteLine(level, event, fields.data(), fields.size());
}

}  // namespace churn::service
