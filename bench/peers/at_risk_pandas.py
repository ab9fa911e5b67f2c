#!/usr/bin/python3
"""The at-risk list of docs/PRODUCT.md (churnctl score --format csv) computed with pandas.

A peer for bench/peers/run_peers.py: same signals, default scoring rules, order and CSV text as
churnctl, so the two outputs can be compared row by row. Usage: at_risk_pandas.py DATA_DIR > out.csv
"""

import glob
import math
import os
import sys

import numpy as np
import pandas as pd

WINDOW_DAYS = 30
TRUE_WORDS = {"true", "1", "yes", "on", "t", "y"}
SEPARATOR = "; "
MAX_REASONS = 3
MAX_ACTIONS = 3
DEFAULT_ACTION = "Maintain regular touchpoints and monitor health signals"
# (group, actions) in the order the groups are visited; membership is decided in Score().
ACTION_GROUPS = [
    ("usage_drop", ["Schedule a check-in to reset goals",
                    "Recommend 1-2 key features to activate this week"]),
    ("support", ["Confirm resolution plan and close the loop",
                 "Escalate repeat issues with a clear timeline"]),
    ("cancellation", ["Offer a value review (ROI + quick wins)",
                      "Create a 2-week success plan with milestones"]),
    ("trial", ["Offer guided onboarding session", "Share onboarding checklist + milestones"]),
    ("low_satisfaction", ["Follow up on dissatisfaction with a recovery plan",
                          "Offer proactive support for the next 7 days"]),
    ("downgrade", ["Run a value-gap call to understand missing needs",
                   "Offer training or enablement for key workflows"]),
]
COLUMNS = ["customer_id", "account_id", "account_name", "plan_tier", "arr", "churned",
           "risk_score", "risk_level", "top_reasons", "recommended_actions", "usage_30d",
           "usage_prev30d", "usage_drop_pct", "errors_30d", "tickets_30d", "satisfaction_score",
           "escalation_flag", "churn_intent_30d", "downgrade_flag", "is_trial"]


def table_path(data_dir, suffix):
    matches = [p for p in glob.glob(os.path.join(data_dir, "*" + suffix + ".csv"))
               if os.path.basename(p) == suffix + ".csv"
               or os.path.basename(p).endswith("_" + suffix + ".csv")]
    if len(matches) != 1:
        sys.exit(f"{data_dir}: expected one *{suffix}.csv, found {len(matches)}")
    return matches[0]


def read(data_dir, suffix, columns):
    # Every cell as text: the values are trimmed and parsed below as churnctl parses them.
    frame = pd.read_csv(table_path(data_dir, suffix), dtype=str, keep_default_na=False,
                        encoding="utf-8-sig", usecols=lambda c: c.strip().lower() in columns)
    frame.columns = [c.strip().lower() for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    return frame.apply(lambda s: s.str.strip(" \t"))


def days(text):
    """Days since 1970-01-01 of 'YYYY-MM-DD[ time]' cells (the time part is ignored)."""
    return (pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d").values
            .astype("datetime64[D]").astype(np.int64))


def flag(text):
    return text.str.lower().isin(TRUE_WORDS)


def number_text(value):
    """Shortest round-trip text of a double, as std::to_chars writes it ('12' not '12.0')."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def spreadsheet_field(text):
    if text and text[0] in "=+-@\t\r":
        text = "'" + text
    if any(c in text for c in ",\"\r\n"):
        text = '"' + text.replace('"', '""') + '"'
    return text


def percent_text(fraction):
    return "%.0f" % math.floor(fraction * 100 + 0.5 + 1e-9)


def main():
    data_dir = sys.argv[1]
    accounts = read(data_dir, "accounts", ["account_id", "account_name"])
    accounts = accounts.drop_duplicates("account_id")  # lookups resolve to the first row
    subs = read(data_dir, "subscriptions", ["subscription_id", "account_id", "plan_tier",
                                            "arr_amount", "downgrade_flag", "is_trial"])
    subs["row"] = np.arange(len(subs))

    usage = pd.read_csv(table_path(data_dir, "feature_usage"), encoding="utf-8-sig",
                        usecols=["subscription_id", "usage_date", "usage_count", "error_count"],
                        dtype={"subscription_id": str, "usage_date": str,
                               "usage_count": np.int64, "error_count": np.int64})
    usage_day = days(usage["usage_date"])
    end = usage_day.max()
    recent = (usage_day >= end - WINDOW_DAYS) & (usage_day <= end)
    prior = (usage_day >= end - 2 * WINDOW_DAYS) & (usage_day < end - WINDOW_DAYS)
    totals = pd.DataFrame({
        "subscription_id": usage["subscription_id"].str.strip(" \t"),
        "usage_30d": np.where(recent, usage["usage_count"], 0),
        "usage_prev30d": np.where(prior, usage["usage_count"], 0),
        "errors_30d": np.where(recent, usage["error_count"], 0),
    })[recent | prior].groupby("subscription_id", sort=False).sum()
    del usage

    tickets = read(data_dir, "support_tickets", ["account_id", "submitted_at",
                                                 "satisfaction_score", "escalation_flag"])
    ticket_day = days(tickets["submitted_at"])
    ticket_end = ticket_day.max()
    tickets = tickets[(ticket_day >= ticket_end - WINDOW_DAYS) & (ticket_day <= ticket_end)]
    support = pd.DataFrame({
        "account_id": tickets["account_id"],
        "tickets_30d": 1,
        "satisfaction_score": pd.to_numeric(tickets["satisfaction_score"].replace("", np.nan)),
        "escalation_flag": flag(tickets["escalation_flag"]),
    }).groupby("account_id").agg(tickets_30d=("tickets_30d", "sum"),
                                 satisfaction_score=("satisfaction_score", "mean"),
                                 escalation_flag=("escalation_flag", "any"))

    churned = set(read(data_dir, "churn_events", ["account_id"])["account_id"])

    c = subs.merge(accounts, on="account_id", how="left")
    c = c.merge(totals, left_on="subscription_id", right_index=True, how="left")
    c = c.merge(support, left_on="account_id", right_index=True, how="left")
    c = c.sort_values("row")
    first = ~c["subscription_id"].duplicated()  # usage belongs to the first row of an id
    known_account = c["account_id"].isin(accounts["account_id"])
    for column in ["usage_30d", "usage_prev30d", "errors_30d"]:
        c[column] = c[column].where(first, 0).fillna(0).astype(np.int64)
    c["tickets_30d"] = c["tickets_30d"].fillna(0).astype(np.int64)
    c["escalation_flag"] = c["escalation_flag"].fillna(False).astype(bool)
    c["account_name"] = c["account_name"].fillna("")
    c["arr"] = pd.to_numeric(c["arr_amount"].replace("", "0"))
    c["churned"] = c["account_id"].isin(churned) & known_account
    c["downgrade_flag"] = flag(c["downgrade_flag"])
    c["is_trial"] = flag(c["is_trial"])
    prev = c["usage_prev30d"].to_numpy(dtype=np.float64)
    last = c["usage_30d"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        c["usage_drop_pct"] = np.where((prev > 0) & (last < prev), (prev - last) / prev, 0.0)

    score(c)
    c = c.sort_values(["risk_score", "arr", "subscription_id", "row"],
                      ascending=[False, False, True, True], kind="stable")
    write(c, sys.stdout)


def score(c):
    drop = c["usage_drop_pct"].to_numpy()
    tickets = c["tickets_30d"].to_numpy()
    errors = c["errors_30d"].to_numpy()
    satisfaction = c["satisfaction_score"].to_numpy(dtype=np.float64)
    escalated = c["escalation_flag"].to_numpy()
    downgraded = c["downgrade_flag"].to_numpy()
    trial = c["is_trial"].to_numpy()
    points = np.zeros(len(c), dtype=np.int64)
    reasons = [[] for _ in range(len(c))]
    fired = {}

    def rule(name, tiers, reason):
        mask_left = np.ones(len(c), dtype=bool)
        any_tier = np.zeros(len(c), dtype=bool)
        for tier_name, condition, tier_points in tiers:
            hit = condition & mask_left
            mask_left &= ~condition
            points[hit] += tier_points
            fired[(name, tier_name)] = hit
            any_tier |= hit
            for i in np.flatnonzero(hit):
                reasons[i].append(reason(i, tier_name))
        fired[name] = any_tier

    drop_reason = lambda i, _: f"Usage dropped {percent_text(drop[i])}% (30d vs prior)"
    rule("usage_drop", [("severe", drop >= 0.60, 40), ("large", drop >= 0.40, 28),
                        ("moderate", drop >= 0.20, 12)], drop_reason)
    rule("support_load", [("high", tickets >= 6, 18), ("elevated", tickets >= 3, 10)],
         lambda i, _: f"High support load ({tickets[i]} tickets in 30d)")
    rule("error_volume", [("high", errors >= 10, 15), ("elevated", errors >= 3, 8)],
         lambda i, _: f"High error volume ({errors[i]} errors in 30d)")
    # churn_intent_30d is 0 without ticket analysis: the rule never fires offline.
    fired["churn_intent"] = np.zeros(len(c), dtype=bool)
    finite = np.isfinite(satisfaction)
    rule("satisfaction", [("low", finite & (satisfaction <= 2), 12),
                          ("medium", finite & (satisfaction <= 3), 6)],
         lambda i, tier: ("Low satisfaction score (1-2/5)" if tier == "low"
                          else "Medium satisfaction score (3/5)"))
    rule("escalation", [("escalated", escalated, 10)],
         lambda i, _: "Ticket escalation (higher risk)")
    rule("downgrade", [("downgraded", downgraded, 12)],
         lambda i, _: "Recent downgrade (value risk)")
    rule("trial", [("trial", trial, 8)], lambda i, _: "Trial customer (activation risk)")

    groups = {
        "usage_drop": fired["usage_drop"],
        "support": fired["support_load"] | fired["escalation"],
        "cancellation": fired["churn_intent"],
        "trial": fired["trial"],
        "low_satisfaction": fired[("satisfaction", "low")],
        "downgrade": fired["downgrade"],
    }
    actions = []
    for i in range(len(c)):
        chosen = [a for name, group_actions in ACTION_GROUPS if groups[name][i]
                  for a in group_actions]
        actions.append(SEPARATOR.join(chosen[:MAX_ACTIONS]) if chosen else DEFAULT_ACTION)
    risk = np.minimum(points, 100)
    c["risk_score"] = risk
    c["risk_level"] = np.where(risk >= 60, "High", np.where(risk >= 30, "Medium", "Low"))
    c["top_reasons"] = [SEPARATOR.join(r[:MAX_REASONS]) for r in reasons]
    c["recommended_actions"] = actions


def write(c, out):
    flag_text = lambda s: np.where(s.to_numpy(), "1", "0")
    text = pd.DataFrame({
        "customer_id": c["subscription_id"].map(spreadsheet_field),
        "account_id": c["account_id"].map(spreadsheet_field),
        "account_name": c["account_name"].map(spreadsheet_field),
        "plan_tier": c["plan_tier"].map(spreadsheet_field),
        "arr": c["arr"].map(number_text),
        "churned": flag_text(c["churned"]),
        "risk_score": c["risk_score"].astype(str),
        "risk_level": c["risk_level"],
        "top_reasons": c["top_reasons"].map(spreadsheet_field),
        "recommended_actions": c["recommended_actions"].map(spreadsheet_field),
        "usage_30d": c["usage_30d"].astype(str),
        "usage_prev30d": c["usage_prev30d"].astype(str),
        "usage_drop_pct": c["usage_drop_pct"].map(lambda v: "%.4f" % v),
        "errors_30d": c["errors_30d"].astype(str),
        "tickets_30d": c["tickets_30d"].astype(str),
        "satisfaction_score": c["satisfaction_score"].map(
            lambda v: "" if pd.isna(v) else number_text(v)),
        "escalation_flag": flag_text(c["escalation_flag"]),
        "churn_intent_30d": "0",
        "downgrade_flag": flag_text(c["downgrade_flag"]),
        "is_trial": flag_text(c["is_trial"]),
    })
    out.write(",".join(COLUMNS) + "\n")
    lines = text[COLUMNS[0]].str.cat([text[name] for name in COLUMNS[1:]], sep=",")
    out.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
