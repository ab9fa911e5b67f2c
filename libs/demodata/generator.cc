#include "demodata/generator.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "demodata/calendar.h"
#include "demodata/csv_output.h"
#include "demodata/random.h"
#include "demodata/ticket_texts.h"
#include "status/status_macros.h"

namespace churn::demodata {
namespace {

// ---------------------------------------------------------------------------------------------
// Vocabulary of the RavenStack sample (same spellings, similar frequencies).

constexpr std::array<std::string_view, 5> kIndustries = {"DevTools", "FinTech", "Cybersecurity",
                                                         "HealthTech", "EdTech"};
constexpr std::array<int, 5> kIndustryWeights = {23, 22, 20, 19, 16};

constexpr std::array<std::string_view, 7> kCountries = {"US", "UK", "IN", "AU", "DE", "CA", "FR"};
constexpr std::array<int, 7> kCountryWeights = {58, 12, 10, 6, 5, 5, 4};

constexpr std::array<std::string_view, 5> kReferralSources = {"organic", "other", "ads", "event",
                                                              "partner"};
constexpr std::array<int, 5> kReferralWeights = {23, 20, 20, 19, 18};

enum Tier : int { kBasic = 0, kPro = 1, kEnterprise = 2 };
constexpr std::array<std::string_view, 3> kTierNames = {"Basic", "Pro", "Enterprise"};
constexpr std::array<int, 3> kTierWeights = {34, 36, 30};
constexpr std::array<int, 3> kTrialTierWeights = {15, 60, 25};
constexpr std::array<int64_t, 3> kPricePerSeat = {19, 49, 199};  // the sample's mrr / seats
constexpr std::array<int64_t, 3> kMinSeats = {1, 5, 20};
constexpr std::array<int64_t, 3> kMaxSeats = {25, 80, 150};
constexpr std::array<double, 3> kAnnualBillingShare = {0.35, 0.5, 0.7};

constexpr std::array<std::string_view, 4> kPriorities = {"low", "medium", "high", "urgent"};
constexpr int kUrgent = 3;
constexpr std::array<int, 4> kCalmPriorityWeights = {35, 35, 20, 10};
constexpr std::array<int, 4> kTroubledPriorityWeights = {10, 25, 35, 30};
// Satisfaction 1..5 (index 0 = score 1).
constexpr std::array<int, 5> kCalmSatisfactionWeights = {2, 5, 18, 40, 35};
constexpr std::array<int, 3> kTroubledSatisfactionWeights = {25, 35, 40};  // scores 1..3

constexpr std::array<std::string_view, 6> kReasonCodes = {"features", "support",    "budget",
                                                          "unknown",  "competitor", "pricing"};
constexpr int kSupportReason = 1;
constexpr std::array<int, 6> kReasonWeights = {19, 17, 17, 16, 15, 16};
// Customer comments per reason code; some contain commas or quotes (quoted per RFC 4180).
constexpr std::array<std::array<std::string_view, 2>, 6> kFeedbackTexts = {{
    {"missing features", "missing features, especially SSO and audit logs"},
    {"support too slow", "tickets took days, nobody followed up"},
    {"budget cut", "budget frozen, will revisit next year"},
    {"no reason given", "no reason given"},
    {"switched to competitor", "moved to a competitor, \"good enough\" and cheaper"},
    {"too expensive", "price increase at renewal, too steep"},
}};

// Company names: prefix x domain x legal form, unique up to their product, numbered beyond.
constexpr std::array<std::string_view, 48> kNamePrefixes = {
    "Acme",    "Apex",      "Arbor",  "Atlas",   "Aurora",   "Beacon",  "Birch",  "Blue",
    "Bright",  "Cedar",     "Cinder", "Cobalt",  "Comet",    "Copper",  "Crest",  "Delta",
    "Ember",   "Evergreen", "Falcon", "Fern",    "Forge",    "Granite", "Harbor", "Helix",
    "Horizon", "Indigo",    "Iron",   "Juniper", "Keystone", "Lumen",   "Maple",  "Meridian",
    "Nimbus",  "North",     "Nova",   "Oak",     "Orbit",    "Pine",    "Quartz", "Raven",
    "River",   "Sage",      "Silver", "Summit",  "Tidal",    "Vertex",  "Willow", "Zephyr"};
constexpr std::array<std::string_view, 20> kNameDomains = {
    "Analytics", "Labs",     "Systems",   "Health", "Learning", "Security", "Finance",
    "Software",  "Robotics", "Logistics", "Media",  "Cloud",    "Data",     "Networks",
    "Bio",       "Payments", "Energy",    "Retail", "Studio",   "Works"};
constexpr std::array<std::string_view, 6> kNameForms = {"Inc", "LLC", "Ltd", "Group", "Co", "GmbH"};

// Product features feature_1..feature_40; every tenth is a beta feature (~10% of usage rows).
constexpr int kFeatureCount = 40;
bool IsBetaFeature(int feature_number) { return feature_number % 10 == 0; }

// Weekly seasonality, Monday first: weekends are much quieter.
constexpr std::array<double, 7> kWeekdayActivity = {1.0, 1.05, 1.05, 1.0, 0.85, 0.3, 0.25};

// Structural limits; the id widths are sized from them so ids can never collide.
constexpr int kMaxSubscriptionsPerAccount = 3;
constexpr int kMaxAdoptedFeatures = 12;
constexpr int kMaxBurstTickets = 10;
// Plan changes happen at least this many days before the account's last active day, so a replaced
// subscription has no usage in either 30-day signal window instead of a misleading 100% drop.
constexpr int64_t kMinChangeLeadDays = 61;
constexpr int64_t kMinDaysBetweenChanges = 30;
constexpr int64_t kOpenEnded = std::numeric_limits<int64_t>::max();

// Separate random streams per account, so tuning one table does not reshuffle the others.
// kTicketTextStream has its own stream so the ticket text never shifts the other tables' draws.
enum StreamPurpose : uint64_t {
  kStructureStream = 1,
  kUsageStream = 2,
  kTicketStream = 3,
  kTicketTextStream = 4,
  kNullLabelStream = 5,  // null mode: the reassigned churn labels
};

// ---------------------------------------------------------------------------------------------
// Ids that look random (like the sample's A-2e4581) but are a bijection of a running counter, so
// they never collide. The hex width is fixed up front from an upper bound of the row count.

class IdFormat {
 public:
  IdFormat(char prefix, uint64_t key, int64_t max_count) : prefix_(prefix) {
    width_ = 6;
    while (width_ < 15 && (uint64_t{1} << (4 * width_)) < static_cast<uint64_t>(max_count)) {
      ++width_;
    }
    bits_ = 4 * width_;
    mask_ = (uint64_t{1} << bits_) - 1;
    key_ = key & mask_;
  }

  uint64_t capacity() const { return mask_ + 1; }

  void Append(int64_t counter, std::string& out) const {
    static constexpr char kHexDigits[] = "0123456789abcdef";
    uint64_t value = Scramble(static_cast<uint64_t>(counter));
    char text[2 + 16];
    text[0] = prefix_;
    text[1] = '-';
    for (int i = width_ - 1; i >= 0; --i) {
      text[2 + i] = kHexDigits[value & 15];
      value >>= 4;
    }
    out.append(text, static_cast<size_t>(2 + width_));
  }

  std::string Make(int64_t counter) const {
    std::string id;
    Append(counter, id);
    return id;
  }

 private:
  // Each step is invertible modulo 2^bits (adding a key, xor with a right shift, multiplying by
  // an odd constant), so the whole map is a permutation of [0, 2^bits).
  uint64_t Scramble(uint64_t x) const {
    x = (x + key_) & mask_;
    x ^= x >> (bits_ / 2);
    x = (x * 0x9E3779B97F4A7C15ULL) & mask_;
    x ^= x >> (bits_ / 2 + 1);
    x = (x * 0xBF58476D1CE4E5B9ULL) & mask_;
    x ^= x >> (bits_ / 2);
    return x;
  }

  char prefix_;
  int width_;
  int bits_;
  uint64_t mask_;
  uint64_t key_;
};

// ---------------------------------------------------------------------------------------------
// The plan of one account: everything except the usage and ticket rows, which are streamed.

enum class Behaviour { kHealthy, kDrifting, kChurned };

// How an account's usage level moves over time (1.0 = its normal level).
enum class Trajectory {
  kSteady,   // flat or slowly growing/shrinking over the history
  kRampUp,   // a trial that is activating: usage grows over its first three weeks
  kDecline,  // usage decays from decline_start to decline_end, down to decline_floor
};

struct Subscription {
  std::string id;
  int64_t start_day = 0;
  int64_t end_day = kOpenEnded;  // last day of the subscription; kOpenEnded while active
  Tier tier = kBasic;
  int64_t seats = 1;
  bool is_trial = false;
  bool upgrade = false;
  bool downgrade = false;
  bool annual = false;
  bool auto_renew = true;

  int64_t mrr() const { return is_trial ? 0 : seats * kPricePerSeat[tier]; }
};

struct AdoptedFeature {
  int number = 1;           // feature_<number>
  double daily_rate = 0.3;  // chance of use on a normal weekday at level 1.0
  double mean_count = 8.0;  // mean usage_count on a day of use at level 1.0
  int64_t seconds_per_use = 60;
};

struct ChurnEvent {
  int64_t day = 0;
  int reason = 0;
  int64_t refund_cents = 0;
  bool preceding_upgrade = false;
  bool preceding_downgrade = false;
  bool reactivation = false;
  std::string_view feedback;
};

struct Account {
  int64_t index = 0;
  bool is_anchor = false;  // account 0 guarantees usage and a ticket on end_date
  std::string id;
  std::string name;
  int industry = 0, country = 0, referral = 0;
  int64_t signup_day = 0;
  bool is_trial = false;
  Behaviour behaviour = Behaviour::kHealthy;
  int64_t last_active_day = 0;  // churn day for churned accounts, else end_date

  std::array<Subscription, kMaxSubscriptionsPerAccount> subscriptions;
  int subscription_count = 0;

  std::array<AdoptedFeature, kMaxAdoptedFeatures> features;
  int feature_count = 0;

  Trajectory trajectory = Trajectory::kSteady;
  double growth = 0.0;  // kSteady: relative change of the level over the history window
  int64_t decline_start = 0, decline_end = 0;
  double decline_floor = 0.0;
  int decline_power = 1;            // 1 = linear decay, 2 = fast early decay
  double base_error_rate = 0.0;     // errors per use while healthy
  double decline_error_rate = 0.0;  // errors per use at the end of a decline

  double tickets_per_day = 0.0;
  bool has_ticket_burst = false;  // a cluster of troubled tickets in the last 30 active days

  bool churned = false;
  ChurnEvent churn;

  const Subscription& current() const { return subscriptions[subscription_count - 1]; }
};

struct Ticket {
  int64_t day = 0;
  bool troubled = false;
  int priority = 0;
  int64_t resolution_hours = 0;
  int64_t first_response_minutes = 0;
  int satisfaction = 0;  // 0 = not answered (blank)
  bool escalated = false;
};

int64_t SeatBits(int64_t seats) {
  return std::bit_width(static_cast<uint64_t>(std::max<int64_t>(seats, 1)));
}

// ---------------------------------------------------------------------------------------------

class Generator {
 public:
  Generator(const GeneratorOptions& options, int64_t end_day)
      : options_(options),
        end_day_(end_day),
        window_start_(end_day - options.history_days + 1),
        // Covers every signup, start, churn and close day the planner can produce.
        dates_(end_day - options.history_days - 1300, end_day + 10),
        account_ids_('A', Mix64(options.seed + 11), options.accounts),
        subscription_ids_('S', Mix64(options.seed + 12),
                          options.accounts * kMaxSubscriptionsPerAccount),
        // Subscriptions of one account never overlap in time, so an account has at most one
        // active subscription per day.
        usage_ids_('U', Mix64(options.seed + 13),
                   options.accounts * (options.history_days + 1) * kMaxAdoptedFeatures),
        churn_ids_('C', Mix64(options.seed + 14), options.accounts),
        ticket_ids_('T', Mix64(options.seed + 15),
                    options.accounts * (options.history_days + kMaxBurstTickets + 2)) {
    for (int number = 1; number <= kFeatureCount; ++number) {
      feature_names_[number] = absl::StrCat("feature_", number);
    }
    name_stride_ = NameStride(options.seed);
  }

  absl::Status Run(const std::filesystem::path& out_dir, GeneratedCounts* counts);

 private:
  Account PlanAccount(int64_t index) const;
  void RelabelAtRandom(Account& account) const;
  void PlanSubscriptions(Rng& rng, Account& account) const;
  std::string CompanyName(int64_t index) const;
  size_t NameStride(uint64_t seed) const;

  double UsageLevel(const Account& account, int64_t day) const;
  double ErrorRate(const Account& account, int64_t day) const;

  void WriteAccount(const Account& account);
  void WriteSubscriptions(const Account& account);
  void WriteUsage(const Account& account);
  void WriteTickets(const Account& account);
  void WriteChurnEvent(const Account& account);
  static Ticket MakeTicket(Rng& rng, int64_t day, bool troubled);
  void WriteTicketText(const std::string& ticket_id, const std::string& account_id,
                       const Ticket& ticket, const TicketText& text);

  const GeneratorOptions& options_;
  const int64_t end_day_;
  const int64_t window_start_;
  const DateTable dates_;
  const IdFormat account_ids_, subscription_ids_, usage_ids_, churn_ids_, ticket_ids_;
  std::array<std::string, kFeatureCount + 1> feature_names_;
  size_t name_stride_ = 1;

  CsvOutput accounts_csv_, subscriptions_csv_, usage_csv_, churn_csv_, tickets_csv_;
  CsvOutput ticket_texts_csv_;  // tickets/ticket_texts.csv: a linked ticket text set
  int64_t subscription_counter_ = 0, usage_counter_ = 0, churn_counter_ = 0, ticket_counter_ = 0;
  std::vector<Ticket> ticket_scratch_;
};

constexpr size_t kNameCombinations = kNamePrefixes.size() * kNameDomains.size() * kNameForms.size();

// A seed-dependent stride coprime with the number of name combinations walks all of them.
size_t Generator::NameStride(uint64_t seed) const {
  size_t stride = 1 + static_cast<size_t>(Mix64(seed + 21) % (kNameCombinations - 1));
  while (std::gcd(stride, kNameCombinations) != 1) ++stride;
  return stride;
}

std::string Generator::CompanyName(int64_t index) const {
  const auto position = static_cast<size_t>(index) % kNameCombinations;
  const size_t round = static_cast<size_t>(index) / kNameCombinations;
  const size_t offset = static_cast<size_t>(Mix64(options_.seed + 22) % kNameCombinations);
  size_t combination = (position * name_stride_ + offset) % kNameCombinations;
  const std::string_view prefix = kNamePrefixes[combination % kNamePrefixes.size()];
  combination /= kNamePrefixes.size();
  const std::string_view domain = kNameDomains[combination % kNameDomains.size()];
  combination /= kNameDomains.size();
  const std::string_view form = kNameForms[combination];
  // (This absl build does not take std::string_view in StrCat, hence the plain appends.)
  std::string name;
  name.append(prefix).append(" ").append(domain).append(" ").append(form);
  if (round > 0) name.append(" ").append(std::to_string(round + 1));
  return name;
}

int64_t DrawSeats(Rng& rng, Tier tier) {
  // Skewed to small teams: most accounts sit near the tier minimum, a few are large.
  const double u = rng.Uniform();
  const double span = static_cast<double>(kMaxSeats[tier] - kMinSeats[tier]);
  const double skewed = u * u * span;
  return kMinSeats[tier] + static_cast<int64_t>(skewed);
}

Account Generator::PlanAccount(int64_t index) const {
  Rng rng(DeriveSeed(options_.seed, static_cast<uint64_t>(index), kStructureStream));
  Account account;
  account.index = index;
  account.is_anchor = index == 0;
  account.id = account_ids_.Make(index);
  account.name = CompanyName(index);
  account.industry = static_cast<int>(rng.Weighted(kIndustryWeights));
  account.country = static_cast<int>(rng.Weighted(kCountryWeights));
  account.referral = static_cast<int>(rng.Weighted(kReferralWeights));

  // Behaviour group; the anchor is always a healthy, long-standing customer.
  const double group = rng.Uniform();
  const double trial_end = options_.trial_share;
  const double churned_end = trial_end + options_.churned_share;
  const double drifting_end = churned_end + options_.drifting_share;
  if (account.is_anchor) {
    account.behaviour = Behaviour::kHealthy;
  } else if (group < trial_end) {
    account.is_trial = true;
    account.behaviour = rng.Chance(0.35) ? Behaviour::kDrifting : Behaviour::kHealthy;
  } else if (group < churned_end) {
    account.behaviour = Behaviour::kChurned;
  } else if (group < drifting_end) {
    account.behaviour = Behaviour::kDrifting;
  }
  account.churned = account.behaviour == Behaviour::kChurned;

  // Lifetime. Most churn lands inside the signal windows (so churn shows up as risk); the rest is
  // older history.
  const int64_t history = options_.history_days;
  if (account.is_trial) {
    account.signup_day = end_day_ - rng.UniformInt(3, 45);
  } else if (account.churned) {
    account.churn.day = rng.Chance(0.7) ? end_day_ - rng.UniformInt(0, 50)
                                        : end_day_ - rng.UniformInt(51, history + 90);
    account.signup_day = account.churn.day - rng.UniformInt(75, 900);
  } else if (account.is_anchor) {
    account.signup_day = end_day_ - rng.UniformInt(history + 60, 1100);
  } else {
    account.signup_day = end_day_ - rng.UniformInt(40, 1100);
  }
  const bool planted = options_.mode != GeneratorMode::kDefault;
  if (planted && account.churned) {
    // Planted: churn spread over the whole history, with room for its signals before it.
    account.churn.day = end_day_ - rng.UniformInt(0, std::max<int64_t>(0, history - 90));
    account.signup_day = account.churn.day - rng.UniformInt(120, 900);
  }
  account.last_active_day = account.churned ? account.churn.day : end_day_;

  PlanSubscriptions(rng, account);
  const Subscription& current = account.current();

  // Features this account uses; bigger plans use more of the product.
  account.feature_count =
      std::min<int>(kMaxAdoptedFeatures, 3 + static_cast<int>(rng.UniformInt(0, 6)) +
                                             (current.tier == kEnterprise ? 2 : 0) +
                                             (current.tier == kPro ? 1 : 0));
  std::array<bool, kFeatureCount + 1> taken{};
  const double count_scale = static_cast<double>(2 + SeatBits(current.seats));
  for (int i = 0; i < account.feature_count; ++i) {
    int number = 0;
    do {
      number = static_cast<int>(rng.UniformInt(1, kFeatureCount));
    } while (taken[number]);
    taken[number] = true;
    AdoptedFeature& feature = account.features[i];
    feature.number = number;
    feature.daily_rate = rng.UniformReal(0.15, 0.55);
    feature.mean_count = count_scale * rng.UniformReal(0.6, 1.4);
    feature.seconds_per_use = rng.UniformInt(15, 300);
  }

  // Usage trajectory: the latent health of the account.
  account.base_error_rate =
      rng.Chance(0.12) ? rng.UniformReal(0.008, 0.02) : rng.UniformReal(0.0005, 0.004);
  account.decline_error_rate = rng.UniformReal(0.03, 0.10);
  account.decline_power = static_cast<int>(rng.UniformInt(1, 2));
  switch (account.behaviour) {
    case Behaviour::kHealthy:
      account.trajectory = account.is_trial ? Trajectory::kRampUp : Trajectory::kSteady;
      account.growth = rng.UniformReal(-0.05, 0.35);
      break;
    case Behaviour::kDrifting:
      account.trajectory = Trajectory::kDecline;
      account.decline_end = end_day_;
      account.decline_start = account.is_trial
                                  ? std::min(end_day_, account.signup_day + rng.UniformInt(3, 10))
                                  : end_day_ - rng.UniformInt(30, 60);
      // Some drift all the way to near zero, others to a fraction of their usage.
      account.decline_floor =
          rng.Chance(0.35) ? rng.UniformReal(0.0, 0.05) : rng.UniformReal(0.15, 0.6);
      break;
    case Behaviour::kChurned:
      account.trajectory = Trajectory::kDecline;
      account.decline_end = account.churn.day;
      account.decline_start = account.churn.day - rng.UniformInt(30, 60);
      account.decline_floor = rng.UniformReal(0.0, 0.1);
      if (planted) {  // the documented ground truth (generator.h)
        account.decline_start = account.churn.day - rng.UniformInt(45, 75);
        account.decline_end = account.churn.day - 20;
        account.decline_power = 2;
      }
      break;
  }

  // Support: a calm background rate growing with team size, plus a burst of troubled tickets in
  // the last 30 days for most drifting and churning accounts.
  account.tickets_per_day = (0.25 + 0.08 * static_cast<double>(SeatBits(current.seats))) / 30.0;
  if (account.behaviour != Behaviour::kHealthy) {
    account.has_ticket_burst = rng.Chance(account.is_trial ? 0.5 : 0.75);
  }
  if (planted && account.churned) account.has_ticket_burst = true;

  if (account.churned) {
    ChurnEvent& churn = account.churn;
    std::array<int, 6> weights = kReasonWeights;
    if (account.has_ticket_burst) weights[kSupportReason] *= 2;
    churn.reason = static_cast<int>(rng.Weighted(weights));
    churn.refund_cents = rng.Chance(0.25) ? rng.UniformInt(100, 25000) : 0;
    const bool recent_change = churn.day - current.start_day <= 90;
    churn.preceding_upgrade = recent_change && current.upgrade;
    churn.preceding_downgrade = recent_change && current.downgrade;
    churn.reactivation = rng.Chance(0.1);
    if (!rng.Chance(0.3)) churn.feedback = kFeedbackTexts[churn.reason][rng.UniformInt(0, 1)];
  }
  if (options_.mode == GeneratorMode::kNull) RelabelAtRandom(account);
  return account;
}

// Null mode: whether and when the account churns is drawn again, independently of how it
// behaves. Only the labels move (churn_flag, churn_events.csv); usage, tickets and
// subscriptions stay as planned.
void Generator::RelabelAtRandom(Account& account) const {
  Rng rng(DeriveSeed(options_.seed, static_cast<uint64_t>(account.index), kNullLabelStream));
  const int64_t first_day =
      std::max(account.signup_day + 30, end_day_ - options_.history_days + 90);
  account.churned =
      !account.is_anchor && rng.Chance(options_.churned_share) && first_day <= end_day_;
  account.churn = ChurnEvent{};
  if (!account.churned) return;
  ChurnEvent& churn = account.churn;
  churn.day = rng.UniformInt(first_day, end_day_);
  churn.reason = static_cast<int>(rng.Weighted(kReasonWeights));
  churn.refund_cents = rng.Chance(0.25) ? rng.UniformInt(100, 25000) : 0;
  churn.reactivation = rng.Chance(0.1);
  if (!rng.Chance(0.3)) churn.feedback = kFeedbackTexts[churn.reason][rng.UniformInt(0, 1)];
}

// 1-3 subscriptions back to back: earlier ones were replaced by an upgrade, a downgrade or a
// renewal; the last one is active, or ends on the churn day.
void Generator::PlanSubscriptions(Rng& rng, Account& account) const {
  Tier tier = static_cast<Tier>(rng.Weighted(account.is_trial ? kTrialTierWeights : kTierWeights));
  int64_t seats = DrawSeats(rng, tier);

  int count = account.is_trial ? 1 : 1 + static_cast<int>(rng.Weighted(std::array{10, 40, 50}));
  const int64_t earliest_change = account.signup_day + kMinDaysBetweenChanges;
  const int64_t latest_change = account.last_active_day - kMinChangeLeadDays;
  while (count > 1 && latest_change - earliest_change < kMinDaysBetweenChanges * (count - 2)) {
    --count;  // a young account has had no time for plan changes
  }
  std::array<int64_t, kMaxSubscriptionsPerAccount> starts{};
  starts[0] = account.signup_day;
  if (count > 1) {
    // Spread the changes out with at least kMinDaysBetweenChanges between them.
    const int64_t slack = latest_change - earliest_change - kMinDaysBetweenChanges * (count - 2);
    std::array<int64_t, kMaxSubscriptionsPerAccount - 1> offsets{};
    for (int k = 0; k < count - 1; ++k) offsets[k] = rng.UniformInt(0, slack);
    std::sort(offsets.begin(), offsets.begin() + (count - 1));
    for (int k = 1; k < count; ++k) {
      starts[k] = earliest_change + offsets[k - 1] + kMinDaysBetweenChanges * (k - 1);
    }
  }

  const bool troubled = account.behaviour != Behaviour::kHealthy;
  const bool started_as_trial = account.is_trial || (count > 1 && rng.Chance(0.25));
  account.subscription_count = count;
  for (int k = 0; k < count; ++k) {
    Subscription& subscription = account.subscriptions[k];
    subscription.start_day = starts[k];
    if (k + 1 < count) {
      subscription.end_day = starts[k + 1] - 1;
    } else if (account.churned) {
      subscription.end_day = account.churn.day;
    }
    if (k > 0 && !(k == 1 && started_as_trial)) {  // a trial conversion keeps plan and seats
      // Troubled accounts mostly downgrade at their last change; healthy ones mostly grow.
      const bool last_change = k + 1 == count;
      const double downgrade_chance = troubled && last_change ? 0.5 : 0.08;
      const double upgrade_chance = troubled ? 0.1 : 0.35;
      const double change = rng.Uniform();
      if (change < downgrade_chance) {
        subscription.downgrade = true;
        if (tier > kBasic && rng.Chance(0.6)) {
          tier = static_cast<Tier>(tier - 1);
          seats = std::min(seats, kMaxSeats[tier]);
        } else {
          seats = std::max<int64_t>(
              1, static_cast<int64_t>(static_cast<double>(seats) * rng.UniformReal(0.4, 0.8)));
        }
      } else if (change < downgrade_chance + upgrade_chance) {
        subscription.upgrade = true;
        if (tier < kEnterprise && rng.Chance(0.6)) {
          tier = static_cast<Tier>(tier + 1);
          seats = std::max(seats, kMinSeats[tier] + rng.UniformInt(0, 10));
        } else {
          seats += std::max<int64_t>(
              1, static_cast<int64_t>(static_cast<double>(seats) * rng.UniformReal(0.2, 0.8)));
        }
      } else {
        seats = std::max<int64_t>(1, seats + rng.UniformInt(-2, 3));  // plain renewal
      }
    }
    subscription.tier = tier;
    subscription.seats = seats;
    subscription.is_trial = started_as_trial && k == 0;
    subscription.annual = rng.Chance(kAnnualBillingShare[tier]);
    const double auto_renew_chance = account.churned ? 0.55 : (troubled ? 0.65 : 0.85);
    subscription.auto_renew = rng.Chance(auto_renew_chance);
  }
}

double Generator::UsageLevel(const Account& account, int64_t day) const {
  switch (account.trajectory) {
    case Trajectory::kSteady: {
      const double elapsed = static_cast<double>(day - window_start_);
      const double progress = elapsed / static_cast<double>(options_.history_days);
      const double change = account.growth * progress;
      return 1.0 + change;
    }
    case Trajectory::kRampUp: {
      const double days_in = static_cast<double>(day - account.signup_day);
      const double ramp = std::min(1.0, days_in / 21.0);
      const double gained = 0.6 * ramp;
      return 0.4 + gained;
    }
    case Trajectory::kDecline: {
      if (day <= account.decline_start) return 1.0;
      const double length =
          static_cast<double>(std::max<int64_t>(1, account.decline_end - account.decline_start));
      const double progress =
          std::min(1.0, static_cast<double>(day - account.decline_start) / length);
      const double remaining = 1.0 - progress;
      const double shape = account.decline_power == 2 ? remaining * remaining : remaining;
      const double above_floor = (1.0 - account.decline_floor) * shape;
      return account.decline_floor + above_floor;
    }
  }
  return 1.0;
}

double Generator::ErrorRate(const Account& account, int64_t day) const {
  if (account.trajectory != Trajectory::kDecline || day <= account.decline_start) {
    return account.base_error_rate;
  }
  // Errors per use climb while the account drifts away (broken integrations, failed rollouts).
  const double length =
      static_cast<double>(std::max<int64_t>(1, account.decline_end - account.decline_start));
  const double progress = std::min(1.0, static_cast<double>(day - account.decline_start) / length);
  const double extra = (account.decline_error_rate - account.base_error_rate) * progress;
  return account.base_error_rate + extra;
}

void Generator::WriteAccount(const Account& account) {
  const Subscription& first = account.subscriptions[0];  // the account keeps its initial plan
  CsvOutput& out = accounts_csv_;
  out.Text(account.id);
  out.Comma();
  out.Text(account.name);
  out.Comma();
  out.Text(kIndustries[account.industry]);
  out.Comma();
  out.Text(kCountries[account.country]);
  out.Comma();
  dates_.Append(account.signup_day, out.buffer());
  out.Comma();
  out.Text(kReferralSources[account.referral]);
  out.Comma();
  out.Text(kTierNames[first.tier]);
  out.Comma();
  out.Int(first.seats);
  out.Comma();
  out.Bool(account.is_trial);
  out.Comma();
  out.Bool(account.churned);
  out.EndRow();
}

void Generator::WriteSubscriptions(const Account& account) {
  CsvOutput& out = subscriptions_csv_;
  for (int k = 0; k < account.subscription_count; ++k) {
    const Subscription& subscription = account.subscriptions[k];
    const bool ended = subscription.end_day != kOpenEnded;
    out.Text(subscription.id);
    out.Comma();
    out.Text(account.id);
    out.Comma();
    dates_.Append(subscription.start_day, out.buffer());
    out.Comma();
    if (ended) dates_.Append(subscription.end_day, out.buffer());  // blank while active
    out.Comma();
    out.Text(kTierNames[subscription.tier]);
    out.Comma();
    out.Int(subscription.seats);
    out.Comma();
    out.Int(subscription.mrr());
    out.Comma();
    out.Int(12 * subscription.mrr());
    out.Comma();
    out.Bool(subscription.is_trial);
    out.Comma();
    out.Bool(subscription.upgrade);
    out.Comma();
    out.Bool(subscription.downgrade);
    out.Comma();
    out.Bool(ended);  // RavenStack: churn_flag is true exactly when the subscription ended
    out.Comma();
    out.Text(subscription.annual ? "annual" : "monthly");
    out.Comma();
    out.Bool(subscription.auto_renew);
    out.EndRow();
  }
}

void Generator::WriteUsage(const Account& account) {
  Rng rng(DeriveSeed(options_.seed, static_cast<uint64_t>(account.index), kUsageStream));
  CsvOutput& out = usage_csv_;
  std::string& buffer = out.buffer();
  for (int k = 0; k < account.subscription_count; ++k) {
    const Subscription& subscription = account.subscriptions[k];
    const int64_t first_day = std::max(subscription.start_day, window_start_);
    const int64_t last_day = std::min(subscription.end_day, end_day_);
    for (int64_t day = first_day; day <= last_day; ++day) {
      // Both the chance of using a feature and the amount scale with sqrt(level), so the
      // expected usage_count per day scales roughly with the level itself.
      const double activity = std::sqrt(std::max(0.0, UsageLevel(account, day)));
      const double weekday_activity = kWeekdayActivity[DayOfWeek(day)] * activity;
      const double error_rate = ErrorRate(account, day);
      const bool force_use = account.is_anchor && day == end_day_;
      for (int f = 0; f < account.feature_count; ++f) {
        const AdoptedFeature& feature = account.features[f];
        const bool used = rng.Chance(feature.daily_rate * weekday_activity);
        if (!used && !(force_use && f == 0)) continue;
        const int64_t count = std::max<int64_t>(1, rng.Poisson(feature.mean_count * activity));
        const double seconds =
            static_cast<double>(count * feature.seconds_per_use) * rng.UniformReal(0.6, 1.4);
        const int64_t errors = rng.Poisson(static_cast<double>(count) * error_rate);

        usage_ids_.Append(usage_counter_++, buffer);
        out.Comma();
        out.Text(subscription.id);
        out.Comma();
        dates_.Append(day, buffer);
        out.Comma();
        out.Text(feature_names_[feature.number]);
        out.Comma();
        out.Int(count);
        out.Comma();
        out.Int(static_cast<int64_t>(seconds));
        out.Comma();
        out.Int(errors);
        out.Comma();
        out.Bool(IsBetaFeature(feature.number));
        out.EndRow();
      }
    }
  }
}

Ticket Generator::MakeTicket(Rng& rng, int64_t day, bool troubled) {
  Ticket ticket;
  ticket.day = day;
  ticket.troubled = troubled;
  if (troubled) {
    ticket.priority = static_cast<int>(rng.Weighted(kTroubledPriorityWeights));
    ticket.first_response_minutes = rng.UniformInt(30, 600);
    ticket.resolution_hours = rng.UniformInt(8, 120);
    if (!rng.Chance(0.3)) {
      ticket.satisfaction = 1 + static_cast<int>(rng.Weighted(kTroubledSatisfactionWeights));
    }
    ticket.escalated = rng.Chance(ticket.priority == kUrgent ? 0.4 : 0.2);
  } else {
    ticket.priority = static_cast<int>(rng.Weighted(kCalmPriorityWeights));
    ticket.first_response_minutes = rng.UniformInt(5, 180);
    ticket.resolution_hours = rng.UniformInt(1, 48);
    if (!rng.Chance(0.4)) {
      ticket.satisfaction = 1 + static_cast<int>(rng.Weighted(kCalmSatisfactionWeights));
    }
    ticket.escalated = rng.Chance(0.03);
  }
  return ticket;
}

void Generator::WriteTickets(const Account& account) {
  Rng rng(DeriveSeed(options_.seed, static_cast<uint64_t>(account.index), kTicketStream));
  const int64_t first_day = std::max(account.signup_day, window_start_);
  const int64_t last_day = std::min(account.last_active_day, end_day_);
  if (first_day > last_day) return;  // churned before the history window

  std::vector<Ticket>& tickets = ticket_scratch_;
  tickets.clear();
  for (int64_t day = first_day; day <= last_day; ++day) {  // at most one calm ticket a day
    if (rng.Chance(account.tickets_per_day)) tickets.push_back(MakeTicket(rng, day, false));
  }
  if (account.has_ticket_burst) {
    // Planted churn: a larger burst spread over the 50 to 5 days before the churn date.
    const bool planted =
        options_.mode != GeneratorMode::kDefault && account.behaviour == Behaviour::kChurned;
    const int64_t burst_count =
        std::min<int64_t>(kMaxBurstTickets, (planted ? 4 : 1) + rng.Poisson(planted ? 2.0 : 3.0));
    for (int64_t i = 0; i < burst_count; ++i) {
      const int64_t day = last_day - (planted ? rng.UniformInt(5, 50) : rng.UniformInt(0, 29));
      Ticket ticket = MakeTicket(rng, day, true);
      if (day >= first_day) tickets.push_back(ticket);
    }
  }
  if (account.is_anchor) tickets.push_back(MakeTicket(rng, end_day_, false));
  std::stable_sort(tickets.begin(), tickets.end(),
                   [](const Ticket& a, const Ticket& b) { return a.day < b.day; });

  CsvOutput& out = tickets_csv_;
  std::string& buffer = out.buffer();
  Rng text_rng(DeriveSeed(options_.seed, static_cast<uint64_t>(account.index), kTicketTextStream));
  const bool leaving = account.behaviour != Behaviour::kHealthy;
  for (const Ticket& ticket : tickets) {
    const size_t id_start = buffer.size();
    ticket_ids_.Append(ticket_counter_++, buffer);
    const std::string ticket_id = buffer.substr(id_start);
    WriteTicketText(ticket_id, account.id, ticket,
                    MakeTicketText(text_rng, ticket.troubled, leaving));
    out.Comma();
    out.Text(account.id);
    out.Comma();
    dates_.Append(ticket.day, buffer);  // submitted_at: a date, as in the sample
    out.Comma();
    // closed_at: submitted at midnight plus the resolution time.
    dates_.Append(ticket.day + ticket.resolution_hours / 24, buffer);
    const int64_t hour = ticket.resolution_hours % 24;
    out.Char(' ');
    out.Char(static_cast<char>('0' + hour / 10));
    out.Char(static_cast<char>('0' + hour % 10));
    out.Text(":00:00,");
    out.Int(ticket.resolution_hours);
    out.Text(".0,");
    out.Text(kPriorities[ticket.priority]);
    out.Comma();
    out.Int(ticket.first_response_minutes);
    out.Comma();
    if (ticket.satisfaction > 0) {  // blank when the customer did not answer the survey
      out.Int(ticket.satisfaction);
      out.Text(".0");
    }
    out.Comma();
    out.Bool(ticket.escalated);
    out.EndRow();
  }
}

void Generator::WriteTicketText(const std::string& ticket_id, const std::string& account_id,
                                const Ticket& ticket, const TicketText& text) {
  CsvOutput& out = ticket_texts_csv_;
  out.Text(ticket_id);
  out.Comma();
  out.Text(account_id);
  out.Comma();
  dates_.Append(ticket.day, out.buffer());
  out.Comma();
  out.Field(text.subject);
  out.Comma();
  out.Field(text.body);
  out.EndRow();
}

// Refunds as the sample prints them (Python float repr): 0.0, 10.4, 54.94.
void AppendDollars(int64_t cents, CsvOutput& out) {
  out.Int(cents / 100);
  out.Char('.');
  const int64_t fraction = cents % 100;
  if (fraction % 10 == 0) {
    out.Int(fraction / 10);
  } else {
    out.Char(static_cast<char>('0' + fraction / 10));
    out.Char(static_cast<char>('0' + fraction % 10));
  }
}

void Generator::WriteChurnEvent(const Account& account) {
  if (!account.churned) return;
  const ChurnEvent& churn = account.churn;
  CsvOutput& out = churn_csv_;
  churn_ids_.Append(churn_counter_++, out.buffer());
  out.Comma();
  out.Text(account.id);
  out.Comma();
  dates_.Append(churn.day, out.buffer());
  out.Comma();
  out.Text(kReasonCodes[churn.reason]);
  out.Comma();
  AppendDollars(churn.refund_cents, out);
  out.Comma();
  out.Bool(churn.preceding_upgrade);
  out.Comma();
  out.Bool(churn.preceding_downgrade);
  out.Comma();
  out.Bool(churn.reactivation);
  out.Comma();
  out.Field(churn.feedback);
  out.EndRow();
}

absl::Status Generator::Run(const std::filesystem::path& out_dir, GeneratedCounts* counts) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error || !std::filesystem::is_directory(out_dir, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create output directory ", out_dir.string(), ": ",
                     error ? error.message() : "exists and is not a directory"));
  }

  struct Table {
    CsvOutput* output;
    std::string_view file_name;
    std::string_view header;
  };
  const std::array<Table, 6> tables = {{
      {&accounts_csv_, "accounts.csv",
       "account_id,account_name,industry,country,signup_date,referral_source,plan_tier,seats,"
       "is_trial,churn_flag"},
      {&subscriptions_csv_, "subscriptions.csv",
       "subscription_id,account_id,start_date,end_date,plan_tier,seats,mrr_amount,arr_amount,"
       "is_trial,upgrade_flag,downgrade_flag,churn_flag,billing_frequency,auto_renew_flag"},
      {&usage_csv_, "feature_usage.csv",
       "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
       "error_count,is_beta_feature"},
      {&churn_csv_, "churn_events.csv",
       "churn_event_id,account_id,churn_date,reason_code,refund_amount_usd,"
       "preceding_upgrade_flag,preceding_downgrade_flag,is_reactivation,feedback_text"},
      {&tickets_csv_, "support_tickets.csv",
       "ticket_id,account_id,submitted_at,closed_at,resolution_time_hours,priority,"
       "first_response_time_minutes,satisfaction_score,escalation_flag"},
      // The text of the same tickets, linked through account_id (docs/PRODUCT.md "Ticket analysis":
      // reaches scores only through a real key column).
      {&ticket_texts_csv_, "tickets/ticket_texts.csv",
       "ticket_id,account_id,submitted_at,subject,body"},
  }};
  std::filesystem::create_directories(out_dir / "tickets", error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", (out_dir / "tickets").string(), ": ", error.message()));
  }
  for (const Table& table : tables) {
    CHURN_RETURN_IF_ERROR(table.output->Open(out_dir / table.file_name));
    table.output->Text(table.header);
    table.output->EndRow();
  }

  for (int64_t index = 0; index < options_.accounts; ++index) {
    Account account = PlanAccount(index);
    for (int k = 0; k < account.subscription_count; ++k) {
      account.subscriptions[k].id = subscription_ids_.Make(subscription_counter_++);
    }
    WriteAccount(account);
    WriteSubscriptions(account);
    WriteUsage(account);
    WriteTickets(account);
    WriteChurnEvent(account);
  }
  // The id widths come from upper bounds of the row counts; this only fails on a planner bug.
  if (static_cast<uint64_t>(usage_counter_) > usage_ids_.capacity() ||
      static_cast<uint64_t>(ticket_counter_) > ticket_ids_.capacity()) {
    return absl::InternalError("demo data row count exceeded its id space");
  }

  GeneratedCounts result;
  for (const Table& table : tables) {
    CHURN_RETURN_IF_ERROR(table.output->Close());
    result.bytes += table.output->bytes_written();
  }
  for (const Table& table : tables) {
    CHURN_RETURN_IF_ERROR(table.output->Publish());
  }
  result.accounts = options_.accounts;
  result.subscriptions = subscription_counter_;
  result.usage_rows = usage_counter_;
  result.churn_events = churn_counter_;
  result.tickets = ticket_counter_;
  if (counts != nullptr) *counts = result;
  return absl::OkStatus();
}

absl::Status ValidateOptions(const GeneratorOptions& options) {
  if (options.accounts < 0 || options.accounts > 100'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("accounts must be between 0 and 100000000, got ", options.accounts));
  }
  if (options.history_days < 1 || options.history_days > 3650) {
    return absl::InvalidArgumentError(
        absl::StrCat("history_days must be between 1 and 3650, got ", options.history_days));
  }
  const std::array<std::pair<std::string_view, double>, 3> shares = {{
      {"trial_share", options.trial_share},
      {"churned_share", options.churned_share},
      {"drifting_share", options.drifting_share},
  }};
  for (const auto& [name, share] : shares) {
    if (!(share >= 0.0 && share <= 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(name), " must be between 0 and 1, got ", share));
    }
  }
  if (options.trial_share + options.churned_share + options.drifting_share > 1.0 + 1e-9) {
    return absl::InvalidArgumentError(
        "trial_share + churned_share + drifting_share must be at most 1");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GeneratorMode> ParseGeneratorMode(std::string_view name) {
  if (name == "default") return GeneratorMode::kDefault;
  if (name == "planted") return GeneratorMode::kPlanted;
  if (name == "null") return GeneratorMode::kNull;
  return absl::InvalidArgumentError(
      absl::StrCat("mode must be default, planted or null, got '", std::string(name), "'"));
}

absl::Status GenerateDemoData(const GeneratorOptions& options, const std::string& out_dir,
                              GeneratedCounts* counts) {
  CHURN_RETURN_IF_ERROR(ValidateOptions(options));
  const std::optional<int64_t> end_day = ParseIsoDate(options.end_date);
  // The year range keeps every generated date (years of history before, a few days after) at
  // four digits.
  if (!end_day.has_value() || *end_day < DaysFromCivil(1980, 1, 1) ||
      *end_day > DaysFromCivil(9000, 1, 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "end_date must be a date YYYY-MM-DD between 1980 and 9000, got '", options.end_date, "'"));
  }
  if (out_dir.empty()) return absl::InvalidArgumentError("output directory is empty");
  auto generator = std::make_unique<Generator>(options, *end_day);
  return generator->Run(std::filesystem::path(out_dir), counts);
}

}  // namespace churn::demodata
