#include "bench_flags.h"

#include <cstdio>
#include <utility>

#include "absl/strings/numbers.h"

namespace churn::bench {

BenchFlags::BenchFlags(std::string program, std::string usage)
    : program_(std::move(program)), usage_(std::move(usage)) {}

void BenchFlags::String(const std::string& key, std::string* out) {
  setters_[key] = [out](const std::string& value) {
    *out = value;
    return true;
  };
}

void BenchFlags::Int(const std::string& key, int* out, int min) {
  setters_[key] = [out, min](const std::string& value) {
    return absl::SimpleAtoi(value, out) && *out >= min;
  };
}

void BenchFlags::Double(const std::string& key, double* out, double min, bool inclusive_min) {
  setters_[key] = [out, min, inclusive_min](const std::string& value) {
    return absl::SimpleAtod(value, out) && (inclusive_min ? *out >= min : *out > min);
  };
}

void BenchFlags::Custom(const std::string& key, std::function<bool(const std::string& value)> set) {
  setters_[key] = std::move(set);
}

std::optional<int> BenchFlags::Parse(int argc, const char* const* argv) const {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage_.c_str(), stdout);
      return 0;
    }
    const size_t equals = arg.find('=');
    if (arg.rfind("--", 0) != 0 || equals == std::string::npos) {
      std::fprintf(stderr, "%s: expected --key=value, got '%s'\n%s", program_.c_str(), arg.c_str(),
                   usage_.c_str());
      return 2;
    }
    const std::string key = arg.substr(2, equals - 2);
    const std::string value = arg.substr(equals + 1);
    auto setter = setters_.find(key);
    if (setter == setters_.end()) {
      std::fprintf(stderr, "%s: unknown flag --%s\n%s", program_.c_str(), key.c_str(),
                   usage_.c_str());
      return 2;
    }
    if (!setter->second(value)) {
      std::fprintf(stderr, "%s: bad value for --%s: '%s'\n", program_.c_str(), key.c_str(),
                   value.c_str());
      return 2;
    }
  }
  return std::nullopt;
}

}  // namespace churn::bench
