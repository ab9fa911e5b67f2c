#include "rules_store.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "digest/sha256.h"

namespace churn::scoring_service {

absl::StatusOr<std::shared_ptr<const LoadedRules>> ParseRules(std::string yaml,
                                                              std::string source) {
  absl::StatusOr<scoring::RuleSet> rules = scoring::ParseRuleSet(yaml, source);
  if (!rules.ok()) {
    // Whatever the parser's code, bad rules text is the caller's argument.
    return absl::InvalidArgumentError(rules.status().message());
  }
  auto loaded = std::make_shared<LoadedRules>();
  loaded->rules = *std::move(rules);
  loaded->texts = scoring::BuildRulesTexts(loaded->rules);
  loaded->sha256 = digest::Sha256Hex(yaml);
  loaded->yaml = std::move(yaml);
  loaded->source = std::move(source);
  loaded->loaded_at = absl::Now();
  return loaded;
}

absl::StatusOr<std::shared_ptr<const LoadedRules>> LoadRulesFile(const std::string& path) {
  if (path.empty()) {
    return ParseRules(std::string(scoring::DefaultRuleSetYaml()), "built-in");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read rules file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseRules(text.str(), path);
}

}  // namespace churn::scoring_service
