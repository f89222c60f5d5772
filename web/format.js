// How the dashboard writes numbers, levels, states and times. Every value the collector
// reports is in [0, 1]; times are nanoseconds since the Unix epoch, printed by the JSON
// API as decimal strings (int64 in protobuf's JSON mapping).

// An asset, function or organisation value: two decimals, "0.42".
export function formatValue(value) {
  return Number(value ?? 0).toFixed(2);
}

// A share (coverage, assets meeting targets): a whole percentage, "67%".
export function formatPercent(share) {
  return `${Math.round(Number(share ?? 0) * 100)}%`;
}

// The colour band of a value: "low" below 0.33, "mid" below 0.67, "high" from 0.67.
export function band(value) {
  const v = Number(value ?? 0);
  if (v < 0.33) return 'low';
  if (v < 0.67) return 'mid';
  return 'high';
}

export const BAND_NAMES = { low: 'weak', mid: 'partial', high: 'strong' };

const LEVELS = {
  DLI_0: 0,
  DLI_33: 0.33,
  DLI_67: 0.67,
  DLI_100: 1,
};

// A discrete level of implementation ("DLI_67") as its number.
export function levelValue(level) {
  return LEVELS[level] ?? 0;
}

// A level as people read it: "0", "0.33", "0.67", "1".
export function formatLevel(level) {
  return String(levelValue(level));
}

const STATES = {
  LIVE: 'live',
  STALE: 'stale',
  NO_EVIDENCE: 'no evidence',
};

// An outcome state ("NO_EVIDENCE") as a label ("no evidence").
export function formatState(state) {
  return STATES[state] ?? 'unknown';
}

// The CSS modifier of a state: "live", "stale", "none".
export function stateClass(state) {
  if (state === 'LIVE') return 'live';
  if (state === 'STALE') return 'stale';
  return 'none';
}

// Which kind of source decided an outcome: an agent's check pack, an OpenSCAP evaluation
// (check id "openscap:PROFILE", agent/openscap_evidence.h) or an attestation (a supplier's
// or an approved answer to an evidence request).
export function formatSource(source) {
  if (!source) return '';
  if (source.kind === 'ATTESTED') return 'attestation';
  if ((source.checkId ?? '').startsWith('openscap:')) return 'OpenSCAP';
  return 'pack check';
}

// Nanoseconds since the epoch (a decimal string or number) as milliseconds; 0 when unset.
export function nanosToMillis(nanos) {
  if (nanos === undefined || nanos === null || nanos === '' || nanos === '0') return 0;
  try {
    return Number(BigInt(nanos) / 1000000n);
  } catch {
    return 0;
  }
}

// How long ago `millis` was, shortly: "12 s", "5 min", "3 h", "2 d".
export function formatAge(millis, now = Date.now()) {
  if (!millis) return '—';
  const seconds = Math.max(0, Math.round((now - millis) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

// A wall-clock time of today, "14:03:22", or a date and time for older ones.
export function formatClock(millis) {
  if (!millis) return '—';
  const date = new Date(millis);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  if (new Date().toDateString() === date.toDateString()) return time;
  return `${date.toLocaleDateString()} ${time}`;
}

const OPERATORS = {
  LESS: '<',
  LESS_OR_EQUAL: '≤',
  EQUAL: '=',
  GREATER: '>',
  GREATER_OR_EQUAL: '≥',
};

export function formatOperator(operator) {
  return OPERATORS[operator] ?? '?';
}

const SCOPES = {
  SCOPE_OUTCOME: 'outcome',
  SCOPE_CATEGORY: 'category',
  SCOPE_FUNCTION: 'function',
  SCOPE_ASSET: 'asset',
};

export function formatScope(scope) {
  return SCOPES[scope] ?? 'unknown';
}
