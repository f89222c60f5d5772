// Small inline-SVG and CSS charts. Each carries its numbers as text too, so that colour is
// never the only signal and screen readers get a label.
import { h, s } from './dom.js';
import { band, formatValue } from './format.js';

// A half-circle gauge of a value in [0, 1], coloured by band, with ticks at 0.33 and 0.67.
export function gauge(value, label) {
  const v = Math.min(1, Math.max(0, Number(value) || 0));
  const cx = 100, cy = 100, r = 80;
  const point = (f) => {
    const angle = Math.PI * (1 - f);
    return [cx + r * Math.cos(angle), cy - r * Math.sin(angle)];
  };
  const arc = (from, to) => {
    const [x1, y1] = point(from);
    const [x2, y2] = point(to);
    return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
  };
  const ticks = [0.33, 0.67].map((f) => {
    const angle = Math.PI * (1 - f);
    return s('line', {
      class: 'gauge-tick',
      x1: cx + (r - 14) * Math.cos(angle), y1: cy - (r - 14) * Math.sin(angle),
      x2: cx + (r + 14) * Math.cos(angle), y2: cy - (r + 14) * Math.sin(angle),
    });
  });
  return s('svg', { class: 'gauge', viewBox: '0 0 200 110', role: 'img', 'aria-label': `${label}: ${formatValue(v)}` },
    s('path', { class: 'gauge-track', d: arc(0, 1) }),
    v > 0 ? s('path', { class: `gauge-fill band-${band(v)}`, d: arc(0, v) }) : null,
    ticks);
}

// A horizontal bar of a value in [0, 1].
export function bar(value, { label = '', thin = false } = {}) {
  const v = Math.min(1, Math.max(0, Number(value) || 0));
  return h('div', { class: ['bar', thin && 'bar-thin'], role: 'img', 'aria-label': label ? `${label}: ${formatValue(v)}` : null, 'aria-hidden': label ? null : 'true' },
    h('div', { class: `bar-fill band-${band(v)}`, style: `width: ${(v * 100).toFixed(1)}%` }));
}

// The score chip: the value as text on a background of its band.
export function chip(value, attributes = {}) {
  return h('span', { ...attributes, class: ['score', `band-${band(value)}`, attributes.class] }, formatValue(value));
}

// Rows of label, bar and value for rollups (IG tiers, departments, suppliers). Each row
// shows the plain index and, below it, the dependency-adjusted index.
export function rollupBars(rollups, { emptyText, testid }) {
  if (!rollups || rollups.length === 0) return h('p', { class: 'muted' }, emptyText);
  return h('ul', { class: 'rollups', 'data-testid': testid },
    rollups.map((rollup) => h('li', { class: 'rollup', dataset: { key: rollup.key } },
      h('div', { class: 'rollup-head' },
        h('span', { class: 'rollup-name' }, rollup.name || rollup.key),
        h('span', { class: 'muted rollup-count' }, `${rollup.assetCount} asset${rollup.assetCount === 1 ? '' : 's'}`)),
      h('div', { class: 'rollup-line' },
        h('span', { class: 'rollup-kind' }, 'value'),
        bar(rollup.index, { label: `${rollup.name || rollup.key} value` }),
        chip(rollup.index, { 'data-field': 'index' })),
      h('div', { class: 'rollup-line' },
        h('span', { class: 'rollup-kind' }, 'adjusted'),
        bar(rollup.adjustedIndex, { label: `${rollup.name || rollup.key} adjusted value`, thin: true }),
        chip(rollup.adjustedIndex, { 'data-field': 'adjusted' })))));
}

// A column chart of the five function means (ID, PR, DE, RS, RC). A function that applies
// to no asset (RC without IG3 assets) is drawn empty and labelled "n/a".
export function functionChart(functions) {
  const width = 600, height = 230, top = 24, bottom = 40, left = 34;
  const plot = height - top - bottom;
  const slot = (width - left) / Math.max(1, functions.length);
  const barWidth = Math.min(48, slot * 0.55);
  const y = (v) => top + plot * (1 - v);
  const grid = [0, 0.33, 0.67, 1].map((v) => [
    s('line', { class: 'chart-grid', x1: left, x2: width, y1: y(v), y2: y(v) }),
    s('text', { class: 'chart-axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v === 0 || v === 1 ? String(v) : v.toFixed(2)),
  ]);
  const columns = functions.map((fn, i) => {
    const x = left + slot * i + (slot - barWidth) / 2;
    const applies = fn.assetCount > 0;
    const v = Math.min(1, Math.max(0, Number(fn.index) || 0));
    return s('g', { class: 'chart-column', 'data-key': fn.key },
      s('title', {}, `${fn.name}: ${applies ? formatValue(v) : 'does not apply to any asset'}`),
      applies
        ? s('rect', { class: `chart-bar band-${band(v)}`, x, y: y(v), width: barWidth, height: Math.max(0, plot * v), rx: 3 })
        : s('rect', { class: 'chart-bar-empty', x, y: top, width: barWidth, height: plot, rx: 3 }),
      s('text', { class: 'chart-value', x: x + barWidth / 2, y: applies ? y(v) - 6 : y(0) - 6, 'text-anchor': 'middle' }, applies ? formatValue(v) : 'n/a'),
      s('text', { class: 'chart-label', x: x + barWidth / 2, y: height - bottom + 18, 'text-anchor': 'middle' }, fn.key),
      s('text', { class: 'chart-sublabel', x: x + barWidth / 2, y: height - bottom + 33, 'text-anchor': 'middle' }, fn.name));
  });
  const summary = functions.map((fn) => `${fn.name} ${fn.assetCount > 0 ? formatValue(fn.index) : 'n/a'}`).join(', ');
  return s('svg', { class: 'function-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Function means: ${summary}`, 'data-testid': 'function-chart' },
    grid, columns);
}
