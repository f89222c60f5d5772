// The overview's remediation card: how long gaps stay open (GET /api/v1/remediation,
// docs/api.md), over the collector's default window (the 90 days before now), grouped by
// functional area, supplier, asset or outcome as the reader picks. Built once by app.js;
// only its table is redrawn.
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';

const GROUPINGS = [
  { key: 'function', label: 'functional area', column: 'Area' },
  { key: 'supplier', label: 'supplier', column: 'Supplier' },
  { key: 'asset', label: 'asset', column: 'Asset' },
  { key: 'outcome', label: 'outcome', column: 'Outcome' },
];
const MAX_ROWS = 10;

// A duration in seconds, shortly: "< 1 s", "45 s", "12 min", "5.5 h", "3.2 d"; "—" for none.
export function formatDuration(seconds) {
  const s = Number(seconds ?? 0);
  if (!(s > 0)) return '—';
  if (s < 1) return '< 1 s';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

function groupName(group, by) {
  if (by === 'supplier' && !group.key) return 'in-house';
  if (by === 'asset') return h('a', { href: `#/asset/${encodeURIComponent(group.key)}` }, group.name || group.key);
  if (by === 'function' || by === 'outcome') return [h('span', { class: 'mono' }, group.key), group.name ? ` ${group.name}` : ''];
  return group.name || group.key;
}

function row(group, by, header) {
  const cells = [
    ['closed', String(group.closed)], ['median', formatDuration(group.medianSeconds)], ['p90', formatDuration(group.p90Seconds)],
    ['open', String(group.open)], ['oldest', formatDuration(group.oldestOpenSeconds)],
  ].map(([col, text]) => h('td', { class: 'num', 'data-col': col }, text));
  return h('tr', { dataset: { key: group.key } },
    header ? h('th', { scope: 'row' }, 'All') : h('th', { scope: 'row', 'data-col': 'group' }, groupName(group, by)), cells);
}

export class RemediationPanel {
  constructor({ testid }) {
    this.generation = 0;
    this.by = h('select', { id: 'remediation-by', onchange: () => this.refresh() },
      GROUPINGS.map((g) => h('option', { value: g.key }, g.label)));
    this.result = h('div', { class: 'remediation-result' }, h('p', { class: 'muted' }, 'Loading…'));
    this.node = h('section', { class: 'card', 'data-testid': testid, 'aria-labelledby': 'remediation-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'remediation-title' }, 'Remediation time'),
        h('div', { class: 'trend-controls' }, h('label', { for: this.by.id }, 'By'), this.by)),
      h('p', { class: 'muted small' }, 'How long gaps stayed open: from an outcome falling below its target (or level 1) to its recovery, for the gaps closed in the last 90 days, and the gaps open now.'),
      this.result);
  }

  async refresh() {
    const generation = ++this.generation;
    const by = this.by.value;
    const path = `/api/v1/remediation?by=${encodeURIComponent(by)}`;
    try {
      const answer = await getJson(path);
      if (generation !== this.generation) return;
      this.node.dataset.query = path;
      this.render(answer, GROUPINGS.find((g) => g.key === by));
    } catch (error) {
      if (generation === this.generation) replaceChildren(this.result, h('p', { class: 'inline-error', role: 'alert' }, error.message));
    }
  }

  render(answer, grouping) {
    const groups = answer.groups ?? [];
    if (groups.length === 0) {
      replaceChildren(this.result, h('p', { class: 'muted' }, 'No gap opened or closed in the window.'));
      return;
    }
    const shown = groups.slice(0, MAX_ROWS);
    replaceChildren(this.result,
      h('div', { class: 'table-wrap' }, h('table', { class: 'remediation' },
        h('thead', {}, h('tr', {}, [grouping.column, 'Closed', 'Median', 'p90', 'Open now', 'Oldest open'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
        h('tbody', {}, shown.map((group) => row(group, grouping.key, false))),
        h('tfoot', {}, row(answer.total ?? {}, grouping.key, true)))),
      groups.length > shown.length ? h('p', { class: 'muted small' }, `and ${groups.length - shown.length} more`) : null);
  }
}
