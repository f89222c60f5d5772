// The frameworks view (#/frameworks): the posture in the terms of NIST CSF 2.0, SP 800-53
// Rev. 5 or ISO/IEC 27001 Annex A, and optionally aligned with a second framework, from
// GET /api/v1/crosswalk (docs/api.md; the status rule in docs/metrics.md). Built once by
// app.js; refresh() reloads what the selects ask for. Every name from the API goes through
// the DOM helpers (dom.js), never markup.
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatPercent } from './format.js';

const FRAMEWORKS = [
  { key: 'csf2.0', label: 'NIST CSF 2.0' },
  { key: 'sp800-53r5', label: 'NIST SP 800-53 Rev. 5' },
  { key: 'iso27001-2013', label: 'ISO/IEC 27001:2013' },
  { key: 'iso27001-2022', label: 'ISO/IEC 27001:2022' },
];

function labelOf(key) { return FRAMEWORKS.find((f) => f.key === key)?.label ?? key; }

function levelText(level) { return level === null || level === undefined ? '—' : Number(level).toFixed(2); }

function coverageText(standing) {
  if (!standing.applicable) return 'n/a';
  return `${formatPercent(standing.coverage)} (${standing.evaluated} of ${standing.applicable})`;
}

// The status word, marked when some mapped outcome is not evaluated (an upper bound).
function statusCell(standing) {
  const incomplete = standing.level !== null && !standing.complete;
  return h('td', { 'data-col': 'status', class: `status status-${standing.status.replaceAll(' ', '-')}` },
    standing.status, incomplete ? h('span', { class: 'muted', title: 'some mapped outcomes have no live evidence: the status is an upper bound' }, ' (incomplete)') : null);
}

function controlRow(control, extra = []) {
  return h('tr', { 'data-control': control.id },
    h('td', { class: 'mono', 'data-col': 'control' }, control.id),
    h('td', { 'data-col': 'title' }, control.title || h('span', { class: 'muted' }, 'title not shipped')),
    statusCell(control),
    h('td', { class: 'num mono', 'data-col': 'level' }, levelText(control.level)),
    h('td', { class: 'num', 'data-col': 'coverage' }, coverageText(control)),
    ...extra);
}

function controlsTable(controls, testid) {
  if (controls.length === 0) return h('p', { class: 'muted', 'data-testid': testid }, 'None.');
  return h('table', { class: 'controls', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ['Control', 'Title', 'Status', 'Level', 'Coverage'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, controls.map((c) => controlRow(c))));
}

function standingView(report) {
  const s = report.summary;
  return [
    h('p', { 'data-testid': 'frameworks-summary' },
      `${s.knownControls} controls known, ${s.mappedControls} with mapped outcomes, ${s.unmappedControls} that nothing maps to. `,
      h('span', { class: 'muted' }, 'Postura knows a framework\'s controls only from its mapping files: a control in none of them is unknown, not met.')),
    controlsTable(report.controls, 'frameworks-controls'),
    h('h3', {}, 'Controls nothing maps to'),
    report.unmappedControls.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'frameworks-unmapped' }, 'None among the controls the mapping files list.')
      : h('ul', { 'data-testid': 'frameworks-unmapped' }, report.unmappedControls.map((c) => h('li', { class: 'mono' }, c.id))),
  ];
}

function alignmentView(report) {
  const shared = report.shared.map((item) => h('tr', { 'data-control': item.id },
    h('td', { class: 'mono', 'data-col': 'control' }, item.id),
    h('td', { class: 'mono', 'data-col': 'counterparts' }, item.counterparts.map((c) => c.id).join(', ')),
    statusCell(item.shared),
    h('td', { class: 'num mono', 'data-col': 'level' }, levelText(item.shared.level)),
    h('td', { class: 'num', 'data-col': 'coverage' }, coverageText(item.shared))));
  return [
    h('h3', {}, `Shared through the same outcomes: ${labelOf(report.framework)} and ${labelOf(report.against)}`),
    report.shared.length === 0 ? h('p', { class: 'muted' }, 'No control of either reaches the other.')
      : h('table', { class: 'controls', 'data-testid': 'frameworks-shared' },
        h('thead', {}, h('tr', {}, [labelOf(report.framework), labelOf(report.against), 'Shared status', 'Level', 'Coverage'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, shared)),
    h('h3', {}, `Only in ${labelOf(report.framework)}`),
    controlsTable(report.onlyInFramework, 'frameworks-only-framework'),
    h('h3', {}, `Only in ${labelOf(report.against)}`),
    controlsTable(report.onlyInAgainst, 'frameworks-only-against'),
  ];
}

export class FrameworksView {
  constructor(node) {
    this.framework = h('select', { 'data-testid': 'frameworks-framework', onchange: () => this.refresh() },
      FRAMEWORKS.map((f) => h('option', { value: f.key }, f.label)));
    this.against = h('select', { 'data-testid': 'frameworks-against', onchange: () => this.refresh() },
      h('option', { value: '' }, 'none'), FRAMEWORKS.map((f) => h('option', { value: f.key }, f.label)));
    this.body = h('div', { 'aria-live': 'polite' });
    replaceChildren(node,
      h('h1', { class: 'view-title' }, 'Frameworks'),
      h('div', { class: 'card' },
        h('p', { class: 'muted small' }, 'Each control\'s status is the lowest level among the mapped outcomes with live evidence, over every asset; coverage is the share of those (asset, outcome) pairs that have live evidence (docs/metrics.md).'),
        h('label', {}, 'Framework ', this.framework), ' ',
        h('label', {}, 'aligned with ', this.against),
        this.body));
    this.loaded = null;  // The query of what is shown.
  }

  async refresh() {
    const framework = this.framework.value;
    const against = this.against.value === framework ? '' : this.against.value;
    const query = `/api/v1/crosswalk?framework=${encodeURIComponent(framework)}${against ? `&against=${encodeURIComponent(against)}` : ''}`;
    this.body.dataset.query = query;
    replaceChildren(this.body, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const report = await getJson(query);
      if (this.body.dataset.query !== query) return;  // A newer choice is loading.
      replaceChildren(this.body, ...(against ? alignmentView(report) : standingView(report)));
      this.body.dataset.loaded = query;
    } catch (error) {
      if (this.body.dataset.query !== query) return;
      replaceChildren(this.body, h('p', { class: 'inline-error', role: 'alert' }, `Could not load ${labelOf(framework)}: ${error.message}`));
    }
  }
}
