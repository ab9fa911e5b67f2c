// Display formatting of API values. The JSON API is protobuf's JSON mapping: int64 fields
// arrive as strings, enums as their names, absent optional fields are missing.

export function toNumber(value) {
  if (value === undefined || value === null || value === '') return 0;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : 0;
}

const moneyFormat = new Intl.NumberFormat('en-US', {
  style: 'currency', currency: 'USD', maximumFractionDigits: 0,
});
const countFormat = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
const decimalFormat = new Intl.NumberFormat('en-US', {maximumFractionDigits: 2});

export function formatMoney(value) {
  return moneyFormat.format(toNumber(value));
}

export function formatCount(value) {
  return countFormat.format(toNumber(value));
}

export function formatDecimal(value) {
  return decimalFormat.format(toNumber(value));
}

// A fraction (0.125) as a percent ("12.5%").
export function formatPercent(fraction, digits = 1) {
  return `${(toNumber(fraction) * 100).toFixed(digits)}%`;
}

const RISK_LEVEL_NAMES = {
  RISK_LEVEL_HIGH: 'High', RISK_LEVEL_MEDIUM: 'Medium', RISK_LEVEL_LOW: 'Low',
  3: 'High', 2: 'Medium', 1: 'Low',
};

// "RISK_LEVEL_HIGH" (or 3) -> "High"; unknown -> "Unknown".
export function riskLevelName(level) {
  return RISK_LEVEL_NAMES[level] ?? 'Unknown';
}

export const OUTCOME_KINDS = [
  ['OUTCOME_KIND_CONTACTED', 'Contacted'],
  ['OUTCOME_KIND_MEETING_SCHEDULED', 'Meeting scheduled'],
  ['OUTCOME_KIND_ISSUE_RESOLVED', 'Issue resolved'],
  ['OUTCOME_KIND_RENEWED', 'Renewed'],
  ['OUTCOME_KIND_DOWNGRADED', 'Downgraded'],
  ['OUTCOME_KIND_CANCELLED', 'Cancelled'],
  ['OUTCOME_KIND_NO_RESPONSE', 'No response'],
];
const OUTCOME_KIND_NAMES = Object.fromEntries(OUTCOME_KINDS);
OUTCOME_KINDS.forEach(([name, label], index) => { OUTCOME_KIND_NAMES[index + 1] = label; });

export function outcomeKindName(kind) {
  return OUTCOME_KIND_NAMES[kind] ?? 'Other';
}

// "2024-03-01T12:00:00Z" -> "2024-03-01 12:00 UTC"; anything unparsable is shown as given.
// Timestamps may carry up to nine fractional digits (protobuf's JSON mapping); Date reads three.
export function formatInstant(text) {
  if (!text) return '—';
  const instant = new Date(String(text).replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(instant.getTime())) return text;
  return `${instant.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// 5400 -> "1 h 30 min".
export function formatAge(seconds) {
  const total = Math.max(0, Math.round(toNumber(seconds)));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

export function yesNo(flag) {
  return flag ? 'Yes' : 'No';
}
