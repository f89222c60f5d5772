// A line chart of figures over time (the score history), drawn as inline SVG by trends.js.
// Values are in [0, 1]. A figure holds until the next point, so the lines are steps: a
// solid line with round markers for the value, a dashed one with square markers for the
// dependency-adjusted value, dashed horizontal lines for targets on the same scale, and
// below the plot a strip that is filled while every target was met and hollow while not.
// Shapes and text tell them apart, never colour alone; the first, last, lowest and
// highest values are written out beside the chart and name it for screen readers.
import { h, s } from './dom.js';
import { formatOperator, formatValue } from './format.js';

const WIDTH = 640;
const LEFT = 34;
const RIGHT = 12;
const TOP = 14;
const PLOT = 150;
const STRIP_TOP = TOP + PLOT + 8;
const STRIP = 8;
const TICK_Y = STRIP_TOP + STRIP + 18;
const HEIGHT = TICK_Y + 8;
const TICKS = 5;

let chartCount = 0;

// A time for a reader, as precise as the chart's span needs: "14:03:22" for a span of
// minutes, "5 Dec 14:03" for hours and days, "5 Dec 2026" beyond.
export function formatTick(millis, spanMs) {
  const date = new Date(millis);
  if (spanMs < 10 * 60 * 1000) {
    return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }
  if (spanMs <= 8 * 24 * 3600 * 1000) {
    return `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}`;
  }
  return date.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
}

// The path of a step line through `points` (each {x, y}), held level to `endX`.
function stepPath(points, endX) {
  const parts = points.map((p, i) => (i === 0 ? `M ${p.x.toFixed(1)} ${p.y.toFixed(1)}` : `H ${p.x.toFixed(1)} V ${p.y.toFixed(1)}`));
  parts.push(`H ${endX.toFixed(1)}`);
  return parts.join(' ');
}

// The first, last, lowest and highest values of `points` (each {ms, value}), with when.
export function summarize(points) {
  let min = points[0];
  let max = points[0];
  for (const p of points) {
    if (p.value < min.value) min = p;
    if (p.value > max.value) max = p;
  }
  return { first: points[0], last: points[points.length - 1], min, max };
}

function scales(points, startMs, endMs) {
  const t0 = Math.min(startMs, points[0].ms);
  const t1 = Math.max(endMs, points[points.length - 1].ms, t0 + 1000);
  const x = (ms) => LEFT + ((ms - t0) / (t1 - t0)) * (WIDTH - LEFT - RIGHT);
  const y = (v) => TOP + PLOT * (1 - Math.min(1, Math.max(0, Number(v) || 0)));
  return { t0, t1, x, y };
}

function grid(y) {
  return [0, 0.33, 0.67, 1].map((v) => [
    s('line', { class: 'chart-grid', x1: LEFT, x2: WIDTH - RIGHT, y1: y(v), y2: y(v) }),
    s('text', { class: 'chart-axis', x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end' }, v === 0 || v === 1 ? String(v) : v.toFixed(2)),
  ]);
}

function timeTicks({ t0, t1, x }) {
  return Array.from({ length: TICKS }, (_, i) => {
    const ms = t0 + ((t1 - t0) * i) / (TICKS - 1);
    const anchor = i === 0 ? 'start' : i === TICKS - 1 ? 'end' : 'middle';
    return s('g', { class: 'trend-tick', 'data-time': new Date(ms).toISOString() },
      s('line', { class: 'chart-grid', x1: x(ms), x2: x(ms), y1: STRIP_TOP + STRIP, y2: STRIP_TOP + STRIP + 5 }),
      s('text', { class: 'chart-axis', x: x(ms), y: TICK_Y, 'text-anchor': anchor }, formatTick(ms, t1 - t0)));
  });
}

function series(points, key, scale, kind) {
  const at = points.map((p) => ({ x: scale.x(p.ms), y: scale.y(p[key]) }));
  const markers = points.map((p, i) => {
    const attributes = { class: `trend-point trend-point-${kind}`, 'data-value': String(p[key]), 'data-time': new Date(p.ms).toISOString() };
    return kind === 'value'
      ? s('circle', { ...attributes, cx: at[i].x, cy: at[i].y, r: 3 })
      : s('rect', { ...attributes, x: at[i].x - 2.5, y: at[i].y - 2.5, width: 5, height: 5 });
  });
  return s('g', { class: `trend-series trend-series-${kind}` },
    s('path', { class: `trend-line trend-line-${kind}`, d: stepPath(at, scale.x(scale.t1)) }), markers);
}

// One dashed line per target (each {operator, value}), labelled with its threshold.
function targetLines(targets, { y }) {
  return targets.map((target) => s('g', { class: 'trend-target', 'data-value': String(target.value), 'data-operator': target.operator },
    s('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y(target.value), y2: y(target.value) }),
    s('text', { x: WIDTH - RIGHT - 2, y: y(target.value) - 4, 'text-anchor': 'end' }, `target ${formatOperator(target.operator)} ${formatValue(target.value)}`)));
}

// Filled while every target was met, hollow while not, one segment per point.
function metStrip(points, { x, t1 }) {
  return s('g', { class: 'trend-met' }, points.map((p, i) => {
    const x1 = x(p.ms);
    const x2 = i + 1 < points.length ? x(points[i + 1].ms) : x(t1);
    return s('rect', { class: p.targetsMet ? 'trend-met-yes' : 'trend-met-no', 'data-met': String(p.targetsMet), x: x1, y: STRIP_TOP, width: Math.max(1, x2 - x1), height: STRIP },
      s('title', {}, `${p.targetsMet ? 'targets met' : 'targets not met'} from ${new Date(p.ms).toLocaleString()}`));
  }));
}

function summaryList(points, id, spanMs) {
  const { first, last, min, max } = summarize(points);
  const item = (field, label, p) => h('div', {}, h('dt', {}, label),
    h('dd', { 'data-field': field, 'data-value': String(p.value) }, formatValue(p.value), ' ', h('span', { class: 'muted' }, formatTick(p.ms, spanMs))));
  return h('dl', { class: 'trend-summary', id, 'data-testid': 'trend-summary' },
    item('first', 'First', first), item('last', 'Last', last), item('min', 'Lowest', min), item('max', 'Highest', max));
}

function legend(metLabel, withTargets) {
  const sample = (kind) => s('svg', { class: 'legend-sample', viewBox: '0 0 28 10', 'aria-hidden': 'true' },
    kind === 'target' ? s('line', { class: 'trend-target-sample', x1: 0, x2: 28, y1: 5, y2: 5 })
      : [s('line', { class: `trend-line trend-line-${kind}`, x1: 0, x2: 28, y1: 5, y2: 5 }),
        kind === 'value' ? s('circle', { class: 'trend-point-value', cx: 14, cy: 5, r: 3 }) : s('rect', { class: 'trend-point-adjusted', x: 11.5, y: 2.5, width: 5, height: 5 })]);
  return h('ul', { class: 'trend-legend small' },
    h('li', {}, sample('value'), ' value'),
    h('li', {}, sample('adjusted'), ' dependency-adjusted'),
    withTargets ? h('li', {}, sample('target'), ' target') : null,
    h('li', {}, h('span', { class: 'legend-met legend-met-yes', 'aria-hidden': 'true' }), h('span', { class: 'legend-met legend-met-no', 'aria-hidden': 'true' }), ` ${metLabel}: filled when met, hollow when not`));
}

// The chart of `points` (each {ms, value, adjusted, targetsMet}, oldest first) from
// `startMs` to `endMs`, with `targets` ({operator, value}) as lines. `label` names the
// figure ("Organisation index"); `metLabel` what the strip shows ("all targets met").
export function trendChart({ points, startMs, endMs, targets = [], label, metLabel }) {
  if (points.length === 0) return h('p', { class: 'muted', 'data-testid': 'trend-empty' }, 'No history in this range yet.');
  const scale = scales(points, startMs, endMs);
  const { first, last, min, max } = summarize(points);
  const span = scale.t1 - scale.t0;
  const id = `trend-summary-${++chartCount}`;
  const targetText = targets.length ? `; target${targets.length === 1 ? '' : 's'} ${targets.map((t) => `${formatOperator(t.operator)} ${formatValue(t.value)}`).join(', ')}` : '';
  const description = `${label}, ${points.length} point${points.length === 1 ? '' : 's'} from ${formatTick(first.ms, span)} to ${formatTick(last.ms, span)}: ` +
    `first ${formatValue(first.value)}, last ${formatValue(last.value)}, lowest ${formatValue(min.value)}, highest ${formatValue(max.value)}${targetText}`;
  return h('figure', { class: 'trend', 'data-testid': 'trend-chart', 'data-start': new Date(scale.t0).toISOString(), 'data-end': new Date(scale.t1).toISOString() },
    s('svg', { class: 'trend-svg', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': description, 'aria-describedby': id },
      grid(scale.y), timeTicks(scale), metStrip(points, scale), targetLines(targets, scale),
      series(points, 'adjusted', scale, 'adjusted'), series(points, 'value', scale, 'value')),
    h('figcaption', {}, summaryList(points, id, span), legend(metLabel, targets.length > 0)));
}
