// Trends and changes, for the overview and the asset detail (docs/dashboard.md): how a
// subject's figures moved over a range the reader picks (GET .../history, drawn by
// trend_chart.js) and what changed since an instant (GET .../diff). Each load first asks
// the collector which instants it can answer for (GET /api/v1/history), so that "the last
// 7 days" of a young store starts when its history did, and uses the collector's clock.
// Each panel is built once and keeps its controls; only its result is redrawn.
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatClock, formatLevel, formatState, formatValue, nanosToMillis } from './format.js';
import { trendChart } from './trend_chart.js';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The ranges a chart offers, each with a step that gives about a hundred points.
export const RANGES = [
  { key: '24h', label: '24 h', ms: DAY, step: '15m', stepMs: 15 * MINUTE },
  { key: '7d', label: '7 days', ms: 7 * DAY, step: '2h', stepMs: 2 * HOUR },
  { key: '30d', label: '30 days', ms: 30 * DAY, step: '6h', stepMs: 6 * HOUR },
  { key: '90d', label: '90 days', ms: 90 * DAY, step: '1d', stepMs: DAY },
  { key: '1y', label: '1 year', ms: 365 * DAY, step: '3d', stepMs: 3 * DAY },
];

// Fewer sampled points than this (a history younger than the range) and the chart shows
// every recorded change instead, when they fit in one answer.
const MIN_SAMPLED_POINTS = 8;
const MAX_CHANGE_ROWS = 200;

let panelCount = 0;

// An RFC 3339 time ("2026-12-05T09:00:00.123456789Z") in milliseconds; NaN if malformed.
// Date.parse takes at most three decimals, protobuf's JSON prints up to nine.
export function parseTime(text) {
  return Date.parse(String(text).replace(/(\.\d{3})\d+/, '$1'));
}

// {began, earliest, now} in milliseconds, and `earliestText` and `nowText` as the
// collector wrote them: to the nanosecond, where milliseconds would fall before the
// earliest instant it accepts.
async function pastWindow() {
  const past = await getJson('/api/v1/history');
  return {
    began: parseTime(past.began), earliest: parseTime(past.earliest), now: parseTime(past.now),
    earliestText: past.earliest, nowText: past.now,
  };
}

function withQuery(path, params) {
  return `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(params)}`;
}

// Where a history over `range` starts, given the collector's `past` window (milliseconds):
// `since`, the range's start or when the history began if later, and `aligned`, the first
// sampled instant: the collector samples at aligned + k * step, so it is the earliest
// instant at or after `since` from which whole steps lead to `past.now`.
export function sampleWindow(range, past) {
  const since = Math.max(past.now - range.ms, past.began);
  const aligned = past.now - Math.floor((past.now - since) / range.stepMs) * range.stepMs;
  return { since, aligned };
}

// The subject's history over `range`: one point a step, ending now, or every recorded
// change when the history is younger than a few steps.
async function loadHistory(path, range, past) {
  const { since, aligned } = sampleWindow(range, past);
  const until = past.nowText;
  const sampledQuery = withQuery(path, { since: new Date(aligned).toISOString(), until, step: range.step });
  const sampled = await getJson(sampledQuery);
  let answer = { points: sampled.points ?? [], startMs: aligned, every: false, query: sampledQuery };
  if (answer.points.length < MIN_SAMPLED_POINTS) {
    const everyQuery = withQuery(path, { since: new Date(since).toISOString(), until });
    const all = await getJson(everyQuery);
    if (!all.truncated && (all.points ?? []).length > answer.points.length) {
      answer = { points: all.points, startMs: since, every: true, query: everyQuery, fromBeginning: since === past.began };
    }
  }
  answer.points = answer.points.map((p) => ({ ms: parseTime(p.time), value: p.value, adjusted: p.adjustedValue, targetsMet: p.targetsMet }));
  return answer;
}

function errorNote(error) {
  return h('p', { class: 'inline-error', role: 'alert' }, error.message);
}

// A card with a chart of one subject's history and its range. `subjects` are the choices
// ({key, label, path, figure, metLabel}); with more than one the card offers a list.
export class TrendPanel {
  constructor({ title, testid }) {
    this.id = ++panelCount;
    this.range = RANGES[0];
    this.subjects = [];
    this.subjectKey = null;
    this.targets = [];
    this.generation = 0;
    this.subjectSelect = h('select', { id: `trend-subject-${this.id}`, onchange: () => { this.subjectKey = this.subjectSelect.value; this.refresh(); } });
    this.subjectLabel = h('label', { for: this.subjectSelect.id, hidden: true }, 'Show');
    this.result = h('div', { class: 'trend-result' }, h('p', { class: 'muted' }, 'Loading…'));
    this.note = h('p', { class: 'muted small trend-note' });
    const ranges = h('fieldset', { class: 'ranges' }, h('legend', { class: 'visually-hidden' }, 'Range'),
      RANGES.map((range) => h('label', { class: 'range' },
        h('input', { type: 'radio', name: `trend-range-${this.id}`, value: range.key, checked: range === this.range, onchange: () => { this.range = range; this.refresh(); } }),
        h('span', {}, range.label))));
    this.node = h('section', { class: 'card trend-card', 'data-testid': testid, 'aria-labelledby': `trend-title-${this.id}` },
      h('div', { class: 'card-head' }, h('h2', { id: `trend-title-${this.id}` }, title),
        h('div', { class: 'trend-controls' }, this.subjectLabel, this.subjectSelect, ranges)),
      this.result, this.note);
  }

  // Replaces the choices, keeping the chosen one if it is still offered, and the targets
  // ({operator, value}) drawn as lines for a subject with `targets` set. Reloads only when
  // the chosen subject or the targets changed.
  setSubjects(subjects, targets = []) {
    const keys = subjects.map((subject) => `${subject.key}\n${subject.label}`).join('\n');
    const sameTargets = JSON.stringify(targets) === JSON.stringify(this.targets);
    if (keys === this.subjectKeys && sameTargets) return;
    this.subjectKeys = keys;
    this.subjects = subjects;
    this.targets = targets;
    const previous = this.subjectKey;
    if (!subjects.some((subject) => subject.key === previous)) this.subjectKey = subjects[0]?.key ?? null;
    replaceChildren(this.subjectSelect, subjects.map((subject) => h('option', { value: subject.key, selected: subject.key === this.subjectKey }, subject.label)));
    this.subjectSelect.hidden = subjects.length < 2;
    this.subjectLabel.hidden = subjects.length < 2;
    if (this.subjectKey !== previous || !sameTargets) this.refresh();
  }

  async refresh() {
    const subject = this.subjects.find((s) => s.key === this.subjectKey);
    if (!subject) return;
    const generation = ++this.generation;
    try {
      const past = await pastWindow();
      const history = await loadHistory(subject.path, this.range, past);
      if (generation !== this.generation) return;
      replaceChildren(this.result, trendChart({
        points: history.points, startMs: history.startMs, endMs: past.now, targets: subject.targets ? this.targets : [],
        label: `${subject.figure}, last ${this.range.label}`, metLabel: subject.metLabel,
      }));
      // What the chart shows, for tests and for anyone who wants the numbers.
      this.node.dataset.query = history.query;
      this.node.dataset.every = String(history.every);
      this.note.textContent = history.every
        ? `Every recorded change since ${formatClock(history.startMs)}${history.fromBeginning ? ', when the history began' : ''}.`
        : `The figures every ${this.range.step}, as they stood then.`;
    } catch (error) {
      if (generation === this.generation) replaceChildren(this.result, errorNote(error));
    }
  }
}

const SINCE_CHOICES = [
  { key: 'day', label: 'yesterday (24 h ago)', ms: DAY },
  { key: 'week', label: 'last week (7 days ago)', ms: 7 * DAY },
  { key: 'date', label: 'a date…' },
];

// Local midnight of an <input type=date> value ("2026-12-01"), or NaN.
function localMidnight(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime() : NaN;
}

function localDate(millis) {
  const date = new Date(millis);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

function levelAndState(side) {
  return `${formatLevel(side?.level)} ${formatState(side?.state)}`;
}

function targetsText(met) {
  return met ? '✓ met' : '✗ not met';
}

function assetLink(id, names) {
  return h('a', { href: `#/asset/${encodeURIComponent(id)}` }, names.asset(id));
}

// The organisation's changes: assets whose value, adjusted value or target status changed.
function organizationTable(changes, names) {
  const moved = (before, after) => (before === after ? formatValue(after) : `${formatValue(before)} → ${formatValue(after)}`);
  return h('table', { class: 'changes' },
    h('thead', {}, h('tr', {}, ['Asset', 'Value', 'Adjusted', 'Targets'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, changes.map((c) => h('tr', { dataset: { asset: c.asset } },
      h('td', { 'data-col': 'asset' }, assetLink(c.asset, names)),
      h('td', { 'data-col': 'value', class: 'mono' }, moved(c.valueBefore, c.valueAfter)),
      h('td', { 'data-col': 'adjusted', class: 'mono' }, moved(c.adjustedValueBefore, c.adjustedValueAfter)),
      h('td', { 'data-col': 'targets' }, c.targetsMetBefore === c.targetsMetAfter
        ? targetsText(c.targetsMetAfter) : `${targetsText(c.targetsMetBefore)} → ${targetsText(c.targetsMetAfter)}`)))));
}

// An asset's changes: outcomes whose level or state changed, and the evidence behind each.
function assetTable(changes) {
  return h('table', { class: 'changes' },
    h('thead', {}, h('tr', {}, ['Outcome', 'Before', 'After', 'Evidence'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, changes.map((c) => h('tr', { dataset: { outcome: c.outcome } },
      h('td', { 'data-col': 'outcome', class: 'mono' }, c.outcome),
      h('td', { 'data-col': 'before' }, levelAndState(c.before)),
      h('td', { 'data-col': 'after' }, '→ ', levelAndState(c.after)),
      h('td', { 'data-col': 'evidence', class: 'small' }, c.evidence?.agentId
        ? [h('span', { class: 'mono' }, c.evidence.agentId), ' ', h('span', { class: 'mono muted' }, c.evidence.checkId),
          h('div', { class: 'muted' }, `observed ${formatClock(nanosToMillis(c.evidence.observedAtUnixNanos))}`)]
        : h('span', { class: 'muted' }, '—'))))));
}

// A card listing what changed since yesterday, last week or a date, to now. `path` is
// the diff route; `organization` says whether its changes are assets (else outcomes).
export class ChangesPanel {
  constructor({ path, organization, names, testid }) {
    this.id = ++panelCount;
    this.path = path;
    this.organization = organization;
    this.names = names;
    this.generation = 0;
    this.choice = h('select', { id: `changes-since-${this.id}`, onchange: () => this.onChoice() },
      SINCE_CHOICES.map((c) => h('option', { value: c.key }, c.label)));
    this.date = h('input', { type: 'date', id: `changes-date-${this.id}`, 'aria-label': 'Changes since the start of this date', hidden: true, onchange: () => this.refresh() });
    this.result = h('div', { class: 'changes-result' }, h('p', { class: 'muted' }, 'Loading…'));
    this.node = h('section', { class: 'card changes-card', 'data-testid': testid, 'aria-labelledby': `changes-title-${this.id}` },
      h('div', { class: 'card-head' }, h('h2', { id: `changes-title-${this.id}` }, 'Changes since'),
        h('div', { class: 'trend-controls' }, h('label', { for: this.choice.id, class: 'visually-hidden' }, 'Changes since'), this.choice, this.date)),
      this.result);
  }

  onChoice() {
    this.date.hidden = this.choice.value !== 'date';
    if (this.choice.value === 'date') {
      if (!this.date.value) this.date.value = localDate(Date.now() - DAY);
      this.date.focus();
    }
    this.refresh();
  }

  // The instant asked for, in milliseconds, or an Error for a date that cannot be used.
  requested(past) {
    const choice = SINCE_CHOICES.find((c) => c.key === this.choice.value);
    if (choice.ms) return past.now - choice.ms;
    const millis = localMidnight(this.date.value);
    if (Number.isNaN(millis)) return new Error('Pick a date to compare with.');
    if (millis > past.now) return new Error(`${this.date.value} is in the future.`);
    return millis;
  }

  async refresh() {
    const generation = ++this.generation;
    try {
      const past = await pastWindow();
      this.date.min = localDate(past.earliest);
      this.date.max = localDate(past.now);
      const wanted = this.requested(past);
      if (wanted instanceof Error) throw wanted;
      const from = Math.max(wanted, past.earliest);
      const fromText = wanted > past.earliest ? new Date(wanted).toISOString() : past.earliestText;
      const query = withQuery(this.path, { from: fromText, to: past.nowText });
      const diff = await getJson(query);
      if (generation !== this.generation) return;
      this.node.dataset.query = query;
      this.render(diff.changes ?? [], wanted, from);
    } catch (error) {
      if (generation === this.generation) replaceChildren(this.result, errorNote(error));
    }
  }

  render(changes, wanted, from) {
    const clamped = from > wanted
      ? h('p', { class: 'muted small', 'data-testid': 'changes-clamped' }, `The collector can answer from ${formatClock(from)} on (its history began then, or older evidence is no longer kept): these are the changes since then.`)
      : null;
    const shown = changes.slice(0, MAX_CHANGE_ROWS);
    replaceChildren(this.result, clamped,
      h('p', { class: 'small', 'data-testid': 'changes-count', 'data-from': new Date(from).toISOString() },
        `${changes.length} change${changes.length === 1 ? '' : 's'} since ${formatClock(from)}`),
      changes.length === 0 ? null
        : h('div', { class: 'table-wrap' }, this.organization ? organizationTable(shown, this.names) : assetTable(shown)),
      changes.length > shown.length ? h('p', { class: 'muted small' }, `and ${changes.length - shown.length} more`) : null);
  }
}
