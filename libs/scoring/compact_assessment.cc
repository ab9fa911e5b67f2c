#include "scoring/compact_assessment.h"

#include <algorithm>
#include <utility>

#include "scoring/evaluation.h"

namespace churn::scoring {

RulesTexts BuildRulesTexts(const RuleSet& rules) {
  RulesTexts texts;
  for (const Rule& rule : rules.rules) {
    for (const Tier& tier : rule.tiers) {
      ReasonReading reading = ReasonReading::kNone;
      if (tier.reason.find('{') != std::string::npos) {
        reading =
            internal::IsCountSignal(rule.signal) ? ReasonReading::kCount : ReasonReading::kValue;
      }
      texts.tiers.push_back(TierText{rule.id, tier.id, tier.points, tier.reason, reading});
    }
  }
  for (const ActionGroup& group : rules.action_groups) {
    texts.actions.insert(texts.actions.end(), group.actions.begin(), group.actions.end());
  }
  texts.actions.push_back(rules.default_action);
  texts.separator = rules.reason_separator;
  texts.max_reasons = std::max(rules.max_reasons, 0);
  return texts;
}

CompactAssessment ScoreCustomerCompact(const RuleSet& rules, const CustomerSignals& signals) {
  const internal::Evaluation evaluation = internal::Evaluate(rules, signals);
  CompactAssessment compact;
  compact.risk_score = evaluation.risk_score;
  compact.risk_level = evaluation.risk_level;
  for (const internal::FiredTierRef& fired : evaluation.fired) {
    compact.fired.push_back(
        CompactFiredTier{fired.index, fired.reading.value, fired.reading.count.value_or(0)});
  }
  for (const internal::ChosenAction& action : evaluation.actions) {
    compact.actions.push_back(action.index);
  }
  return compact;
}

namespace {

// The assessment's own fields, before its fired tiers and actions.
Assessment StartAssessment(const CompactAssessment& compact, std::string customer_id) {
  Assessment assessment;
  assessment.customer_id = std::move(customer_id);
  assessment.risk_score = compact.risk_score;
  assessment.risk_level = compact.risk_level;
  assessment.fired_rules.reserve(compact.fired.size());
  return assessment;
}

}  // namespace

Assessment ExpandAssessment(const RulesTexts& texts, const CompactAssessment& compact,
                            std::string customer_id) {
  Assessment assessment = StartAssessment(compact, std::move(customer_id));
  for (const CompactFiredTier& fired : compact.fired) {
    const TierText& tier = texts.tiers[static_cast<size_t>(fired.tier)];
    internal::SignalReading reading{fired.value, std::nullopt};
    if (tier.reading == ReasonReading::kCount) {
      reading = internal::SignalReading{static_cast<double>(fired.count), fired.count};
    }
    assessment.fired_rules.push_back(
        {tier.rule, tier.tier, tier.points, internal::FormatReason(tier.reason, reading)});
  }
  assessment.actions.reserve(compact.actions.size());
  for (int32_t action : compact.actions) {
    assessment.actions.push_back(texts.actions[static_cast<size_t>(action)]);
  }
  internal::FinishTexts(texts.max_reasons, texts.separator, &assessment);
  return assessment;
}

SharedRulesTexts ShareRulesTexts(const RulesTexts& texts, TextInterner* interner) {
  SharedRulesTexts shared;
  shared.tiers.reserve(texts.tiers.size());
  for (const TierText& tier : texts.tiers) {
    shared.tiers.push_back(
        {interner->Intern(tier.rule), interner->Intern(tier.tier), interner->Intern(tier.reason)});
  }
  shared.actions.reserve(texts.actions.size());
  for (const std::string& action : texts.actions)
    shared.actions.push_back(interner->Intern(action));
  return shared;
}

Assessment ExpandAssessment(const RulesTexts& texts, const SharedRulesTexts& shared,
                            const CompactAssessment& compact, std::string customer_id,
                            TextInterner* interner) {
  Assessment assessment = StartAssessment(compact, std::move(customer_id));
  for (const CompactFiredTier& fired : compact.fired) {
    const size_t index = static_cast<size_t>(fired.tier);
    const TierText& tier = texts.tiers[index];
    const SharedRulesTexts::Tier& held = shared.tiers[index];
    if (tier.reading == ReasonReading::kNone) {
      assessment.fired_rules.push_back({held.rule, held.tier, tier.points, held.reason});
      continue;
    }
    internal::SignalReading reading{fired.value, std::nullopt};
    if (tier.reading == ReasonReading::kCount) {
      reading = internal::SignalReading{static_cast<double>(fired.count), fired.count};
    }
    assessment.fired_rules.push_back(
        {held.rule, held.tier, tier.points,
         interner->Intern(internal::FormatReason(tier.reason, reading))});
  }
  assessment.actions.reserve(compact.actions.size());
  for (int32_t action : compact.actions) {
    assessment.actions.push_back(shared.actions[static_cast<size_t>(action)]);
  }
  // As internal::FinishTexts, the joined texts interned.
  const size_t limit = static_cast<size_t>(std::max(texts.max_reasons, 0));
  assessment.reasons.reserve(std::min(limit, assessment.fired_rules.size()));
  for (const FiredRule& fired : assessment.fired_rules) {
    if (assessment.reasons.size() >= limit) break;
    assessment.reasons.push_back(fired.reason);
  }
  assessment.top_reasons = interner->Intern(JoinTexts(assessment.reasons, texts.separator));
  assessment.recommended_actions = interner->Intern(JoinTexts(assessment.actions, texts.separator));
  return assessment;
}

}  // namespace churn::scoring
