#include "playbook/outreach.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scored.h"

namespace churn::playbook {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Score;
using testing::Signals;
using testing::WorkedExampleHigh;

TEST(FormatArr, GroupsThousandsAndRoundsToWholeDollars) {
  EXPECT_EQ(FormatArr(0), "$0");
  EXPECT_EQ(FormatArr(999), "$999");
  EXPECT_EQ(FormatArr(12000), "$12,000");
  EXPECT_EQ(FormatArr(1234567.5), "$1,234,568");
  EXPECT_EQ(FormatArr(-1500), "-$1,500");
}

TEST(Outreach, WorkedExampleLeadsWithTheStrongestTheme) {
  OutreachDraft draft = BuildOutreach(WorkedExampleHigh());
  EXPECT_EQ(draft.email_subject, "Acme: a quick value review for your team");
  EXPECT_THAT(draft.email_body, HasSubstr("Hi Acme team,"));
  EXPECT_THAT(draft.email_body, HasSubstr("your Pro subscription"));
  EXPECT_THAT(draft.email_body, HasSubstr("- A value review"));
  EXPECT_THAT(draft.email_body, HasSubstr("- A short check-in to reset goals"));
  EXPECT_THAT(draft.email_body, HasSubstr("- A clear resolution plan"));
  EXPECT_THAT(draft.email_body, HasSubstr("in the next two days"));  // High risk
  EXPECT_THAT(draft.email_body, HasSubstr("[Your name]"));
}

TEST(Outreach, EmailNeverShowsInternalRiskLanguage) {
  OutreachDraft draft = BuildOutreach(WorkedExampleHigh());
  for (const char* internal : {"risk", "score", "cancel", "churn", "$12,000"}) {
    EXPECT_THAT(draft.email_body, Not(HasSubstr(internal))) << internal;
    EXPECT_THAT(draft.email_subject, Not(HasSubstr(internal))) << internal;
  }
}

TEST(Outreach, SlackMessageCarriesScoreArrReasonsAndNextAction) {
  OutreachDraft draft = BuildOutreach(WorkedExampleHigh());
  EXPECT_EQ(draft.slack_message,
            "[High risk 80/100] Acme (S-1, Pro, ARR $12,000): Usage dropped 60% (30d vs prior); "
            "High support load (6 tickets in 30d); Customer language suggests cancellation "
            "risk. Next: Schedule a check-in to reset goals.");
}

TEST(Outreach, StrategicArrOffersASeniorSponsor) {
  CustomerSignals s = Signals("S-9");
  s.arr = 60000;
  s.is_trial = true;
  OutreachDraft draft = BuildOutreach(Score(s));
  EXPECT_EQ(draft.email_subject, "Acme: getting the most out of your trial");
  EXPECT_THAT(draft.email_body, HasSubstr("senior member of our team"));
  EXPECT_THAT(draft.email_body, HasSubstr("this week"));  // Low risk
  EXPECT_THAT(draft.slack_message, HasSubstr("ARR $60,000, strategic"));

  OutreachOptions options;
  options.strategic_arr = 100000;
  EXPECT_THAT(BuildOutreach(Score(s), options).email_body, Not(HasSubstr("senior member")));
}

TEST(Outreach, HealthyCustomerGetsAPlainCheckIn) {
  CustomerSignals s = Signals("S-0");
  s.account_name.clear();
  s.churned = true;
  OutreachDraft draft = BuildOutreach(Score(s));
  EXPECT_EQ(draft.email_subject, "S-0: checking in on your Pro plan");
  EXPECT_THAT(draft.email_body, Not(HasSubstr("Here is what I suggest")));
  EXPECT_THAT(draft.slack_message,
              HasSubstr("[Low risk 0/100] S-0 (S-0, Pro, ARR $12,000) Next: Maintain regular"));
  EXPECT_THAT(draft.slack_message, HasSubstr("churn event"));
}

TEST(Outreach, IsDeterministic) {
  OutreachDraft a = BuildOutreach(WorkedExampleHigh());
  OutreachDraft b = BuildOutreach(WorkedExampleHigh());
  EXPECT_EQ(a.email_subject, b.email_subject);
  EXPECT_EQ(a.email_body, b.email_body);
  EXPECT_EQ(a.slack_message, b.slack_message);
}

}  // namespace
}  // namespace churn::playbook
