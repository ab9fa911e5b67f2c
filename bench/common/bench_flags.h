#pragma once
// The command line of a bench binary: only --key=value flags and --help/-h. Each flag is declared
// with where its value goes and what it accepts; Parse says whether main goes on.
//
//   churn::bench::BenchFlags parser("soak_bench", kUsage);
//   parser.Int("clients", &flags.clients, /*min=*/1);
//   if (std::optional<int> exit_code = parser.Parse(argc, argv)) return *exit_code;

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace churn::bench {

class BenchFlags {
 public:
  // `program` starts every error message; `usage` is printed for --help and after a wrong flag.
  BenchFlags(std::string program, std::string usage);

  void String(const std::string& key, std::string* out);
  // Whole numbers >= min.
  void Int(const std::string& key, int* out, int min);
  // Numbers > min, or >= min with inclusive_min.
  void Double(const std::string& key, double* out, double min, bool inclusive_min);
  // Any other rule: `set` returns false for a bad value.
  void Custom(const std::string& key, std::function<bool(const std::string& value)> set);

  // std::nullopt when main should run; otherwise the exit code to return: 0 after --help (the
  // usage on stdout), 2 for a flag that is malformed, unknown or has a bad value (on stderr).
  std::optional<int> Parse(int argc, const char* const* argv) const;

 private:
  std::string program_;
  std::string usage_;
  std::map<std::string, std::function<bool(const std::string&)>> setters_;
};

}  // namespace churn::bench
