// The dashboard's trend arithmetic without a browser (node --test): where a sampled
// history starts, reading the collector's times, the summary of a series, tick and
// duration formats. The charts themselves are checked in Chromium by
// tests/browser/trends.test.mjs.
//
//   node --test tests/web/trends_units.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatDuration } from '../../web/remediation.js';
import { formatTick, summarize } from '../../web/trend_chart.js';
import { parseTime, RANGES, sampleWindow } from '../../web/trends.js';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 5, 9, 0, 0, 123);
const range = (key) => RANGES.find((r) => r.key === key);

test('an old history is sampled over the whole range, one instant a step up to now', () => {
  for (const r of RANGES) {
    const { since, aligned } = sampleWindow(r, { now: NOW, began: NOW - 3 * 365 * DAY });
    assert.equal(since, NOW - r.ms);
    assert.ok(aligned >= since && aligned < since + r.stepMs, `${r.key}: the first instant is within a step of the start`);
    assert.equal((NOW - aligned) % r.stepMs, 0, `${r.key}: whole steps lead to now`);
    const instants = (NOW - aligned) / r.stepMs + 1;
    assert.ok(instants >= 85 && instants <= 125, `${r.key}: ${instants} points`);
  }
});

test('a history younger than the range starts when it began, at whole steps before now', () => {
  const began = NOW - 40 * MINUTE;
  const { since, aligned } = sampleWindow(range('24h'), { now: NOW, began });
  assert.equal(since, began);
  assert.equal(aligned, NOW - 30 * MINUTE, 'two 15-minute steps fit after the start');
  assert.ok(aligned >= began, 'never before the history began (the collector would start there)');
  assert.equal((NOW - aligned) % range('24h').stepMs, 0);
  assert.deepEqual(sampleWindow(range('7d'), { now: NOW, began: NOW }), { since: NOW, aligned: NOW });
});

test('the collector\'s RFC 3339 times are read to the millisecond, whatever their decimals', () => {
  assert.equal(parseTime('2026-12-05T09:00:00.123456789Z'), NOW);
  assert.equal(parseTime('2026-12-05T09:00:00.123Z'), NOW);
  assert.equal(parseTime('2026-12-05T09:00:00Z'), NOW - 123);
  assert.ok(Number.isNaN(parseTime('yesterday')));
});

test('a series is summed up by its first, last, lowest and highest points, the earliest of ties', () => {
  const points = [0.4, 0.2, 0.9, 0.2, 0.9, 0.5].map((value, i) => ({ ms: i, value }));
  const { first, last, min, max } = summarize(points);
  assert.deepEqual([first.ms, last.ms, min.ms, max.ms], [0, 5, 1, 2]);
  const one = summarize([{ ms: 7, value: 0.3 }]);
  assert.deepEqual([one.first, one.last, one.min, one.max].map((p) => p.ms), [7, 7, 7, 7]);
});

test('ticks are as precise as the span needs', () => {
  assert.match(formatTick(NOW, 5 * MINUTE), /^\d\d:\d\d:\d\d$/);
  const hours = formatTick(NOW, 2 * DAY);
  assert.match(hours, /\d\d:\d\d$/);
  assert.doesNotMatch(hours, /\d\d:\d\d:\d\d/);
  assert.match(formatTick(NOW, 90 * DAY), /2026/);
});

test('remediation durations read shortly, and none is a dash', () => {
  assert.deepEqual([0, 0.4, 45, 720, 5.5 * 3600, 3.2 * 86400, undefined].map(formatDuration),
    ['—', '< 1 s', '45 s', '12 min', '5.5 h', '3.2 d', '—']);
});
