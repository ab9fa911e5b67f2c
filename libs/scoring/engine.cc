#include "scoring/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "scoring/evaluation.h"

namespace churn::scoring {
namespace internal {
namespace {

SignalReading Count(int64_t count) { return {static_cast<double>(count), count}; }
SignalReading Flag(bool flag) { return {flag ? 1.0 : 0.0, std::nullopt}; }

// nullopt when the rule has nothing to judge (satisfaction without a usable score).
std::optional<SignalReading> ReadSignal(SignalKind kind, const CustomerSignals& signals) {
  switch (kind) {
    case SignalKind::kUsageDropPct:
      // A non-finite drop is bad data, not evidence of a drop: score it as no drop.
      return SignalReading{std::isfinite(signals.usage_drop_pct) ? signals.usage_drop_pct : 0.0,
                           std::nullopt};
    case SignalKind::kTickets30d: return Count(signals.tickets_30d);
    case SignalKind::kErrors30d: return Count(signals.errors_30d);
    case SignalKind::kChurnIntent30d: return Count(signals.churn_intent_30d);
    case SignalKind::kSatisfaction:
      // Absent, NaN or infinite: the customer has no usable score, so the rule does not apply.
      if (!signals.satisfaction_score.has_value() || !std::isfinite(*signals.satisfaction_score)) {
        return std::nullopt;
      }
      return SignalReading{*signals.satisfaction_score, std::nullopt};
    case SignalKind::kEscalation: return Flag(signals.escalation_flag);
    case SignalKind::kDowngrade: return Flag(signals.downgrade_flag);
    case SignalKind::kTrial: return Flag(signals.is_trial);
  }
  return std::nullopt;
}

bool TierMatches(SignalKind kind, const Tier& tier, double value) {
  switch (kind) {
    case SignalKind::kUsageDropPct:
    case SignalKind::kTickets30d:
    case SignalKind::kErrors30d:
    case SignalKind::kChurnIntent30d: return value >= tier.threshold;
    case SignalKind::kSatisfaction: return value <= tier.threshold;
    case SignalKind::kEscalation:
    case SignalKind::kDowngrade:
    case SignalKind::kTrial: return value != 0;
  }
  return false;
}

// Whole percent, halves rounded up. The epsilon absorbs binary error: 0.575 * 100 is
// 57.49999999999999 in doubles, and a person reading 0.575 expects 58%.
std::string FormatPercent(double fraction) {
  return absl::StrFormat("%.0f", std::floor(fraction * 100 + 0.5 + 1e-9));
}

// Fixed formatting (determinism): at most two decimals, trailing zeros dropped.
std::string FormatValue(const SignalReading& reading) {
  if (reading.count.has_value()) return absl::StrCat(*reading.count);
  std::string text = absl::StrFormat("%.2f", reading.value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

}  // namespace

// The parser has rejected any placeholder but {pct}, {count} and {value}; one in a hand-built rule
// set is left as written.
std::string FormatReason(std::string_view reason, const SignalReading& reading) {
  if (reason.find('{') == std::string_view::npos) return std::string(reason);
  std::string text;
  text.reserve(reason.size() + 8);
  std::size_t done = 0;
  for (std::size_t open = reason.find('{'); open != std::string_view::npos; open = reason.find('{', done)) {
    const std::size_t close = reason.find('}', open);
    if (close == std::string_view::npos) break;
    const std::string_view name = reason.substr(open, close - open + 1);
    text.append(reason.substr(done, open - done));
    if (name == "{pct}") {
      text += FormatPercent(reading.value);
    } else if (name == "{count}") {
      text += reading.count.has_value() ? absl::StrCat(*reading.count) : FormatValue(reading);
    } else if (name == "{value}") {
      text += FormatValue(reading);
    } else {
      text.append(name);
    }
    done = close + 1;
  }
  text.append(reason.substr(done));
  return text;
}

namespace {

// A `when` entry is "rule" (any tier) or "rule/tier".
bool ReferenceMatches(std::string_view reference, const FiredTierRef& fired) {
  const std::size_t slash = reference.find('/');
  if (slash == std::string_view::npos) return reference == fired.rule->id;
  return reference.substr(0, slash) == fired.rule->id &&
         reference.substr(slash + 1) == fired.tier->id;
}

bool GroupMatches(const ActionGroup& group,
                  const absl::InlinedVector<FiredTierRef, 8>& fired_tiers) {
  for (const std::string& reference : group.when) {
    for (const FiredTierRef& fired : fired_tiers) {
      if (ReferenceMatches(reference, fired)) return true;
    }
  }
  return false;
}

}  // namespace

bool IsCountSignal(SignalKind kind) {
  return kind == SignalKind::kTickets30d || kind == SignalKind::kErrors30d ||
         kind == SignalKind::kChurnIntent30d;
}

Evaluation Evaluate(const RuleSet& rules, const CustomerSignals& signals) {
  Evaluation evaluation;
  // 64-bit so that many large point values cannot overflow before the cap.
  int64_t total_points = 0;
  int32_t tier_offset = 0;
  for (const Rule& rule : rules.rules) {
    const int32_t first_tier = tier_offset;
    tier_offset += static_cast<int32_t>(rule.tiers.size());
    const std::optional<SignalReading> reading = ReadSignal(rule.signal, signals);
    if (!reading.has_value()) continue;
    const auto tier = std::find_if(rule.tiers.begin(), rule.tiers.end(), [&](const Tier& t) {
      return TierMatches(rule.signal, t, reading->value);
    });
    // A tier worth nothing explains nothing: no reason, no audit entry. (Negative points cannot
    // come from a validated rule set; ignoring them keeps the score from going below 0.)
    if (tier == rule.tiers.end() || tier->points <= 0) continue;
    total_points += tier->points;
    evaluation.fired.push_back(FiredTierRef{
        &rule, &*tier, first_tier + static_cast<int32_t>(tier - rule.tiers.begin()), *reading});
  }

  evaluation.risk_score = static_cast<int>(std::min<int64_t>(total_points, rules.max_score));
  if (evaluation.risk_score >= rules.high_min) {
    evaluation.risk_level = RiskLevel::kHigh;
  } else if (evaluation.risk_score >= rules.medium_min) {
    evaluation.risk_level = RiskLevel::kMedium;
  }

  const std::size_t max_actions = static_cast<std::size_t>(std::max(rules.max_actions, 0));
  int32_t action_offset = 0;
  for (const ActionGroup& group : rules.action_groups) {
    const int32_t first_action = action_offset;
    action_offset += static_cast<int32_t>(group.actions.size());
    if (evaluation.actions.size() >= max_actions) continue;  // counting the offsets only
    if (!GroupMatches(group, evaluation.fired)) continue;
    for (std::size_t a = 0; a < group.actions.size(); ++a) {
      if (evaluation.actions.size() >= max_actions) break;
      evaluation.actions.push_back(
          ChosenAction{&group.actions[a], first_action + static_cast<int32_t>(a)});
    }
  }
  if (evaluation.actions.empty()) {
    evaluation.actions.push_back(ChosenAction{&rules.default_action, action_offset});
  }
  return evaluation;
}

void FinishTexts(int max_reasons, std::string_view separator, Assessment* assessment) {
  const std::size_t limit = static_cast<std::size_t>(std::max(max_reasons, 0));
  assessment->reasons.reserve(std::min(limit, assessment->fired_rules.size()));
  for (const FiredRule& fired : assessment->fired_rules) {
    if (assessment->reasons.size() >= limit) break;
    assessment->reasons.push_back(fired.reason);
  }
  assessment->top_reasons = JoinTexts(assessment->reasons, separator);
  assessment->recommended_actions = JoinTexts(assessment->actions, separator);
}

}  // namespace internal

std::string_view RiskLevelName(RiskLevel level) {
  switch (level) {
    case RiskLevel::kLow: return "Low";
    case RiskLevel::kMedium: return "Medium";
    case RiskLevel::kHigh: return "High";
  }
  return "Low";
}

Assessment ScoreCustomer(const RuleSet& rules, const CustomerSignals& signals) {
  const internal::Evaluation evaluation = internal::Evaluate(rules, signals);
  Assessment assessment;
  assessment.customer_id = signals.customer_id;
  assessment.risk_score = evaluation.risk_score;
  assessment.risk_level = evaluation.risk_level;
  assessment.fired_rules.reserve(evaluation.fired.size());
  for (const internal::FiredTierRef& fired : evaluation.fired) {
    assessment.fired_rules.push_back({fired.rule->id, fired.tier->id, fired.tier->points,
                                      internal::FormatReason(fired.tier->reason, fired.reading)});
  }
  assessment.actions.reserve(evaluation.actions.size());
  for (const internal::ChosenAction& action : evaluation.actions) {
    assessment.actions.push_back(*action.text);
  }
  internal::FinishTexts(rules.max_reasons, rules.reason_separator, &assessment);
  return assessment;
}

bool AtRiskBefore(const Assessment& a, double arr_a, const Assessment& b, double arr_b) {
  if (a.risk_score != b.risk_score) return a.risk_score > b.risk_score;
  // A NaN ARR sorts after every real one, keeping this a strict weak ordering.
  const bool a_unknown = std::isnan(arr_a);
  const bool b_unknown = std::isnan(arr_b);
  if (a_unknown != b_unknown) return b_unknown;
  if (!a_unknown && arr_a != arr_b) return arr_a > arr_b;
  return a.customer_id < b.customer_id;
}

}  // namespace churn::scoring
