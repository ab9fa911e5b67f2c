// The at-risk list of docs/PRODUCT.md (churnctl score --format csv) as DuckDB SQL.
//
// A peer for bench/peers/run_peers.py: same signals, default scoring rules, order and CSV text
// as churnctl, every step in one SQL query; Node only writes the lines the query returns.
// Usage: node at_risk_duckdb.mjs DATA_DIR [THREADS] > out.csv   (THREADS default 2)

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [dataDir, threads = '2'] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: at_risk_duckdb.mjs DATA_DIR [THREADS]');
  process.exit(2);
}

function tablePath(suffix) {
  const name = `${suffix}.csv`;
  const matches = readdirSync(dataDir).filter((f) => f === name || f.endsWith(`_${name}`));
  if (matches.length !== 1) {
    console.error(`${dataDir}: expected one *${name}, found ${matches.length}`);
    process.exit(1);
  }
  return join(dataDir, matches[0]).replaceAll("'", "''");
}

// Text tables: every cell as VARCHAR, trimmed and parsed below as churnctl parses them.
const text = (suffix) => `read_csv('${tablePath(suffix)}', header = true, all_varchar = true)`;
const WINDOW = 30;

const setup = `
CREATE MACRO flag(x) AS coalesce(lower(trim(x)) IN ('true', '1', 'yes', 'on', 't', 'y'), false);
CREATE MACRO blank_null(x) AS nullif(trim(x), '');
CREATE MACRO sheet_prefixed(x) AS
  CASE WHEN left(x, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || x ELSE x END;
CREATE MACRO sheet(x) AS
  CASE WHEN regexp_matches(sheet_prefixed(x), '[,"\\r\\n]')
       THEN '"' || replace(sheet_prefixed(x), '"', '""') || '"' ELSE sheet_prefixed(x) END;
-- Shortest round-trip text of a double without a trailing ".0" (std::to_chars).
CREATE MACRO number_text(x) AS
  CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
       ELSE CAST(x AS VARCHAR) END;
`;

const query = `
WITH
usage AS (
  SELECT trim(subscription_id) AS sid, CAST(usage_date AS DATE) AS day,
         usage_count, error_count
  FROM read_csv('${tablePath('feature_usage')}', header = true,
                types = {'subscription_id': 'VARCHAR', 'usage_date': 'TIMESTAMP',
                         'usage_count': 'BIGINT', 'error_count': 'BIGINT'})),
usage_end AS (SELECT max(day) AS e FROM usage),
usage_totals AS (
  SELECT sid,
         sum(CASE WHEN day >= e - ${WINDOW} THEN usage_count ELSE 0 END) AS usage_30d,
         sum(CASE WHEN day < e - ${WINDOW} THEN usage_count ELSE 0 END) AS usage_prev30d,
         sum(CASE WHEN day >= e - ${WINDOW} THEN error_count ELSE 0 END) AS errors_30d
  FROM usage, usage_end
  WHERE day >= e - ${2 * WINDOW} AND day <= e
  GROUP BY sid),
tickets AS (
  SELECT trim(account_id) AS aid, CAST(left(trim(submitted_at), 10) AS DATE) AS day,
         CAST(blank_null(satisfaction_score) AS DOUBLE) AS satisfaction,
         flag(escalation_flag) AS escalated
  FROM ${text('support_tickets')}),
ticket_end AS (SELECT max(day) AS t FROM tickets),
support AS (
  SELECT aid, count(*) AS tickets_30d, avg(satisfaction) AS satisfaction,
         bool_or(escalated) AS escalated
  FROM tickets, ticket_end
  WHERE day >= t - ${WINDOW} AND day <= t
  GROUP BY aid),
accounts AS (
  SELECT trim(account_id) AS aid, any_value(trim(account_name)) AS account_name
  FROM ${text('accounts')} GROUP BY 1),
churned AS (SELECT DISTINCT trim(account_id) AS aid FROM ${text('churn_events')}),
customers AS (
  SELECT trim(s.subscription_id) AS sid, trim(s.account_id) AS aid,
         coalesce(a.account_name, '') AS account_name, trim(s.plan_tier) AS plan_tier,
         coalesce(CAST(blank_null(s.arr_amount) AS DOUBLE), 0) AS arr,
         a.aid IS NOT NULL AND c.aid IS NOT NULL AS churned,
         coalesce(u.usage_30d, 0) AS usage_30d, coalesce(u.usage_prev30d, 0) AS usage_prev30d,
         coalesce(u.errors_30d, 0) AS errors_30d,
         CASE WHEN a.aid IS NULL THEN 0 ELSE coalesce(t.tickets_30d, 0) END AS tickets_30d,
         CASE WHEN a.aid IS NULL THEN NULL ELSE t.satisfaction END AS satisfaction,
         a.aid IS NOT NULL AND coalesce(t.escalated, false) AS escalated,
         flag(s.downgrade_flag) AS downgraded, flag(s.is_trial) AS trial
  FROM ${text('subscriptions')} s
  LEFT JOIN accounts a ON a.aid = trim(s.account_id)
  LEFT JOIN churned c ON c.aid = trim(s.account_id)
  LEFT JOIN usage_totals u ON u.sid = trim(s.subscription_id)
  LEFT JOIN support t ON t.aid = trim(s.account_id)),
signals AS (
  SELECT *,
         CASE WHEN usage_prev30d > 0 AND usage_30d < usage_prev30d
              THEN CAST(usage_prev30d - usage_30d AS DOUBLE) / usage_prev30d ELSE 0 END AS drop_pct
  FROM customers),
tiers AS (
  SELECT *,
         CASE WHEN drop_pct >= 0.60 THEN 40 WHEN drop_pct >= 0.40 THEN 28
              WHEN drop_pct >= 0.20 THEN 12 ELSE 0 END AS usage_points,
         CASE WHEN tickets_30d >= 6 THEN 18 WHEN tickets_30d >= 3 THEN 10 ELSE 0 END
           AS support_points,
         CASE WHEN errors_30d >= 10 THEN 15 WHEN errors_30d >= 3 THEN 8 ELSE 0 END AS error_points,
         CASE WHEN NOT isfinite(satisfaction) THEN 0 WHEN satisfaction <= 2 THEN 12
              WHEN satisfaction <= 3 THEN 6 ELSE 0 END AS satisfaction_points
  FROM signals),
scored AS (
  SELECT *,
         least(usage_points + support_points + error_points + coalesce(satisfaction_points, 0)
               + CASE WHEN escalated THEN 10 ELSE 0 END + CASE WHEN downgraded THEN 12 ELSE 0 END
               + CASE WHEN trial THEN 8 ELSE 0 END, 100) AS risk_score,
         list_filter([
           CASE WHEN usage_points > 0 THEN 'Usage dropped '
             || CAST(CAST(floor(drop_pct * 100 + 0.5 + 1e-9) AS BIGINT) AS VARCHAR)
             || '% (30d vs prior)' END,
           CASE WHEN support_points > 0
             THEN 'High support load (' || tickets_30d || ' tickets in 30d)' END,
           CASE WHEN error_points > 0
             THEN 'High error volume (' || errors_30d || ' errors in 30d)' END,
           CASE satisfaction_points WHEN 12 THEN 'Low satisfaction score (1-2/5)'
             WHEN 6 THEN 'Medium satisfaction score (3/5)' END,
           CASE WHEN escalated THEN 'Ticket escalation (higher risk)' END,
           CASE WHEN downgraded THEN 'Recent downgrade (value risk)' END,
           CASE WHEN trial THEN 'Trial customer (activation risk)' END], x -> x IS NOT NULL)
           AS reasons,
         flatten([
           CASE WHEN usage_points > 0 THEN ['Schedule a check-in to reset goals',
             'Recommend 1-2 key features to activate this week'] ELSE [] END,
           CASE WHEN support_points > 0 OR escalated THEN [
             'Confirm resolution plan and close the loop',
             'Escalate repeat issues with a clear timeline'] ELSE [] END,
           CASE WHEN trial THEN ['Offer guided onboarding session',
             'Share onboarding checklist + milestones'] ELSE [] END,
           CASE WHEN satisfaction_points = 12 THEN [
             'Follow up on dissatisfaction with a recovery plan',
             'Offer proactive support for the next 7 days'] ELSE [] END,
           CASE WHEN downgraded THEN ['Run a value-gap call to understand missing needs',
             'Offer training or enablement for key workflows'] ELSE [] END]) AS actions
  FROM tiers)
SELECT concat_ws(',',
  sheet(sid), sheet(aid), sheet(account_name), sheet(plan_tier), number_text(arr),
  CASE WHEN churned THEN '1' ELSE '0' END, CAST(risk_score AS VARCHAR),
  CASE WHEN risk_score >= 60 THEN 'High' WHEN risk_score >= 30 THEN 'Medium' ELSE 'Low' END,
  sheet(array_to_string(reasons[1:3], '; ')),
  sheet(CASE WHEN len(actions) = 0
             THEN 'Maintain regular touchpoints and monitor health signals'
             ELSE array_to_string(actions[1:3], '; ') END),
  CAST(usage_30d AS VARCHAR), CAST(usage_prev30d AS VARCHAR), printf('%.4f', drop_pct),
  CAST(errors_30d AS VARCHAR), CAST(tickets_30d AS VARCHAR),
  coalesce(number_text(satisfaction), ''), CASE WHEN escalated THEN '1' ELSE '0' END,
  '0', CASE WHEN downgraded THEN '1' ELSE '0' END, CASE WHEN trial THEN '1' ELSE '0' END)
  AS line
FROM scored
ORDER BY risk_score DESC, arr DESC, sid ASC`;

const HEADER =
  'customer_id,account_id,account_name,plan_tier,arr,churned,risk_score,risk_level,' +
  'top_reasons,recommended_actions,usage_30d,usage_prev30d,usage_drop_pct,errors_30d,' +
  'tickets_30d,satisfaction_score,escalation_flag,churn_intent_30d,downgrade_flag,is_trial';

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
await connection.run(setup);
const result = await connection.stream(query);
const lines = [HEADER];
for (;;) {
  const chunk = await result.fetchChunk();
  if (!chunk || chunk.rowCount === 0) break;
  for (const [line] of chunk.getRows()) lines.push(line);
  if (lines.length >= 8192) {
    process.stdout.write(lines.join('\n') + '\n');
    lines.length = 0;
  }
}
if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
