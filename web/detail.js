// One asset: its summary, targets, gaps, and every applicable outcome by function and
// category with its level, state, freshness and deciding evidence
// (GET /api/v1/assets/{id} and /api/v1/assets/{id}/gaps).
import { bar, chip, gauge } from './charts.js';
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';
import { exceptionNote } from './exceptions.js';
import { answerHistory } from './requests.js';
import {
  formatAge, formatClock, formatLevel, formatOperator, formatPercent, formatScope, formatSource,
  formatState, formatValue, levelValue, nanosToMillis, stateClass, band,
} from './format.js';

function stat(label, value, ...extra) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), ...extra);
}

function stateBadge(state) {
  const icon = { live: '●', stale: '◷', none: '○' }[stateClass(state)];
  return h('span', { class: `state state-${stateClass(state)}` },
    h('span', { class: 'state-icon', 'aria-hidden': 'true' }, `${icon} `), h('span', { class: 'state-label' }, formatState(state)));
}

function levelBadge(level, state) {
  const v = levelValue(level);
  return h('span', { class: ['level', state === 'LIVE' ? `band-${band(v)}` : 'level-unproven'] }, formatLevel(level));
}

// The evidence that makes an outcome's freshness: the deciding source when live, else the
// newest source that ever reported.
function freshnessSource(outcome) {
  if (outcome.deciding && outcome.deciding.agentId) return outcome.deciding;
  const sources = outcome.sources ?? [];
  return sources.reduce((newest, source) =>
    (!newest || nanosToMillis(source.observedAtUnixNanos) > nanosToMillis(newest.observedAtUnixNanos) ? source : newest), null);
}

function age(millis, suffix = '') {
  return h('span', { class: 'age', dataset: millis ? { observedMs: String(millis), suffix } : {}, title: millis ? new Date(millis).toISOString() : null },
    millis ? `${formatAge(millis)}${suffix}` : '—');
}

// How the adjusted value is limited. A supplier is not told which other tenant's asset
// limits its own: the collector leaves limitingAssetId empty, and only the values show it.
function limitNote(summary, names) {
  if (summary.limitingAssetId && summary.limitingAssetId !== summary.assetId) {
    return h('div', { class: 'small' }, 'limited by ', h('a', { href: `#/asset/${encodeURIComponent(summary.limitingAssetId)}` }, names.asset(summary.limitingAssetId)));
  }
  if (!summary.limitingAssetId && summary.adjustedValue < summary.value) {
    return h('div', { class: 'small' }, 'limited by a dependency you may not see');
  }
  return h('div', { class: 'muted small' }, 'not limited by a dependency');
}

function summarySection(summary, names) {
  const lastMillis = nanosToMillis(summary.lastEvidenceObservedAtUnixNanos);
  return h('section', { class: 'card detail-summary', 'aria-label': 'Summary' },
    h('div', { class: 'detail-gauge' },
      gauge(summary.value, 'Asset value'),
      h('div', { class: `big-number band-text-${band(summary.value)}`, 'data-testid': 'detail-value' }, formatValue(summary.value)),
      h('div', { class: 'muted small' }, 'asset value')),
    h('div', { class: 'stats' },
      stat('Dependency-adjusted', h('span', { 'data-testid': 'detail-adjusted' }, chip(summary.adjustedValue)),
        limitNote(summary, names)),
      stat('Coverage', h('span', { 'data-testid': 'detail-coverage' }, formatPercent(summary.coverage)),
        bar(summary.coverage, { label: 'Coverage', thin: true }),
        h('div', { class: 'small state-counts' },
          h('span', { class: 'state state-live' }, `${summary.outcomesLive} live`), ' ',
          h('span', { class: 'state state-stale' }, `${summary.outcomesStale} stale`), ' ',
          h('span', { class: 'state state-none' }, `${summary.outcomesNoEvidence} no evidence`))),
      stat('Evidence kind', `${summary.outcomesObserved} observed`, h('div', { class: 'small' }, `${summary.outcomesAttested} attested`)),
      stat('Targets', summary.targetCount === 0
        ? h('span', { class: 'badge badge-neutral' }, 'none')
        : h('span', { class: ['badge', summary.targetsMet ? 'badge-ok' : 'badge-bad'], 'data-testid': 'detail-targets-met' }, summary.targetsMet ? '✓ all met' : '✗ not met'),
        h('div', { class: 'muted small' }, `${summary.targetCount} registered, coverage ${formatPercent(summary.targetCoverage)}`)),
      stat('Latest evidence', age(lastMillis, ' ago'), h('div', { class: 'muted small' }, formatClock(lastMillis)))));
}

function targetsSection(targets) {
  return h('section', { class: 'card', 'aria-labelledby': 'targets-title' },
    h('h2', { id: 'targets-title' }, 'Targets'),
    (targets ?? []).length === 0
      ? h('p', { class: 'muted' }, 'No targets registered for this asset.')
      : h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'targets' },
        h('thead', {}, h('tr', {}, ['Scope', 'Target', 'Current', 'Result'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, targets.map((result) => h('tr', {},
          h('td', {}, formatScope(result.target.scope), ' ', h('span', { class: 'mono' }, result.target.scopeId)),
          h('td', { class: 'mono' }, `${formatOperator(result.target.operator)} ${formatValue(result.target.value)}`),
          h('td', {}, chip(result.value)),
          h('td', {}, result.met
            ? h('span', { class: 'badge badge-ok' }, '✓ met')
            : [h('span', { class: 'badge badge-bad' }, '✗ not met'), h('div', { class: 'muted small' }, `partial credit ${formatValue(result.credit)}`)])))))));
}

function gapsSection(gaps) {
  const areas = gaps?.areas ?? [];
  const total = areas.reduce((n, area) => n + area.gaps.length, 0);
  return h('section', { class: 'card', 'aria-labelledby': 'gaps-title', 'data-testid': 'gaps' },
    h('h2', { id: 'gaps-title' }, `Gaps `, h('span', { class: 'muted' }, `(${total})`)),
    h('p', { class: 'muted small' }, 'Outcomes below their target or below level 1, by the functional area that leads them; the share is how much the asset value would rise with the outcome at level 1.'),
    areas.length === 0 ? h('p', {}, 'No gaps: every outcome is at level 1.') :
      areas.map((area, i) => h('details', { class: 'gap-area', open: i === 0 },
        h('summary', {}, h('strong', {}, area.name || area.functionalAreaId), ' ', h('span', { class: 'muted' }, `${area.functionalAreaId} · ${area.gaps.length} gap${area.gaps.length === 1 ? '' : 's'}`)),
        h('div', { class: 'table-wrap' }, h('table', { class: 'gaps' },
          h('thead', {}, h('tr', {}, ['Outcome', 'Level', 'State', 'Share of value', 'Target'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, area.gaps.slice(0, 50).map((gap) => h('tr', { dataset: { gapOutcomeId: gap.outcomeId } },
            h('td', {}, h('span', { class: 'mono' }, gap.outcomeId), h('div', { class: 'small' }, gap.title)),
            h('td', {}, levelBadge(gap.level, gap.state)),
            h('td', {}, stateBadge(gap.state)),
            h('td', { class: 'num mono' }, `+${Number(gap.shareOfAssetValue).toFixed(3)}`),
            h('td', { class: 'mono' }, gap.target ? `${formatOperator(gap.target.operator)} ${formatValue(gap.target.value)}` : '—')))))),
        area.gaps.length > 50 ? h('p', { class: 'muted small' }, `and ${area.gaps.length - 50} more`) : null)));
}

// The deciding evidence's check id, opening onto its detail (for OpenSCAP, the failing
// rules; for a check, what it found), read from the evidence log when first opened
// (GET /api/v1/assets/{id}/outcomes/{outcome}/evidence from the item's observation on).
function decidingDetail(assetId, outcomeId, deciding) {
  const body = h('div', { class: 'small evidence-detail', 'data-testid': 'evidence-detail' }, 'reading…');
  let requested = false;
  const load = async () => {
    requested = true;
    const path = `/api/v1/assets/${encodeURIComponent(assetId)}/outcomes/${encodeURIComponent(outcomeId)}/evidence?from=${deciding.observedAtUnixNanos ?? 0}`;
    try {
      const records = (await getJson(path)).records ?? [];
      const record = records.reverse().find((r) => r.agentId === deciding.agentId && r.evidence?.checkId === deciding.checkId);
      replaceChildren(body, record?.evidence?.detail || 'no detail recorded');
    } catch (error) {
      replaceChildren(body, error.message);
    }
  };
  return h('details', { class: 'deciding-detail', ontoggle: (event) => { if (event.target.open && !requested) load(); } },
    h('summary', { class: 'small mono muted' }, deciding.checkId), body);
}

function outcomeRow(assetId, outcome, asked, exceptions) {
  const source = freshnessSource(outcome);
  const millis = source ? nanosToMillis(source.observedAtUnixNanos) : 0;
  // Stale outcomes have no deciding evidence: show the newest expired source instead.
  const deciding = outcome.deciding && outcome.deciding.agentId ? outcome.deciding : source;
  const expired = deciding !== null && outcome.state !== 'LIVE';
  return h('tr', { class: `outcome outcome-${stateClass(outcome.state)}`, dataset: { outcomeId: outcome.id, state: outcome.state } },
    h('td', { 'data-col': 'outcome' }, h('span', { class: 'mono' }, outcome.code || outcome.id), h('div', { class: 'small' }, outcome.title),
      exceptions?.has(outcome.id) ? exceptionNote(exceptions.get(outcome.id)) : null,
      asked?.has(outcome.id) ? answerHistory(assetId, outcome.id) : null),
    h('td', { 'data-col': 'level' }, levelBadge(outcome.level, outcome.state)),
    h('td', { 'data-col': 'state' }, stateBadge(outcome.state)),
    h('td', { 'data-col': 'freshness' }, age(millis, outcome.state === 'STALE' ? ' ago, expired' : ' ago')),
    h('td', { 'data-col': 'deciding', class: expired ? 'expired' : null }, deciding
      ? [h('span', { class: 'mono' }, deciding.agentId), expired ? h('span', { class: 'small' }, ' (expired)') : null,
        decidingDetail(assetId, outcome.id, deciding)]
      : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-col': 'source', class: expired ? 'expired' : null }, deciding
      ? h('span', { class: `kind kind-${formatSource(deciding).replace(' ', '-').toLowerCase()}` }, formatSource(deciding))
      : h('span', { class: 'muted' }, '—')));
}

function outcomesSection(assetId, functions, filter, asked, exceptions) {
  const shown = (outcome) => filter === 'all' || (filter === 'evidence' ? outcome.state !== 'NO_EVIDENCE' : outcome.state !== 'LIVE');
  return (functions ?? []).map((fn) => h('details', { class: 'card function', open: true, dataset: { functionId: fn.id } },
    h('summary', {},
      h('h3', {}, h('span', { class: 'fn-id' }, fn.id), ` ${fn.name}`),
      h('span', { class: 'fn-value' }, bar(fn.value, { thin: true }), chip(fn.value))),
    fn.categories.map((category) => {
      const outcomes = category.outcomes.filter(shown);
      if (outcomes.length === 0) return null;
      return h('div', { class: 'category', dataset: { categoryId: category.id } },
        h('h4', {}, h('span', { class: 'mono' }, category.id), ` ${category.name} `, chip(category.value)),
        h('div', { class: 'table-wrap' }, h('table', { class: 'outcomes' },
          h('thead', {}, h('tr', {}, ['Outcome', 'Level', 'State', 'Freshness', 'Deciding evidence', 'Source'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, outcomes.map((outcome) => outcomeRow(assetId, outcome, asked, exceptions))))));
    })));
}

// Renders `score` (an AssetScore) and `gaps` (Gaps) into `parts`: the summary, targets
// and gaps into `parts.head`, the outcomes into `parts.outcomes` (the trends sit between
// them and are not redrawn with every score). `names` resolves department, supplier and
// asset ids; `filter` is "all", "evidence" or "attention"; the outcomes in `asked` (a Set)
// open onto their answers to evidence requests; `exceptions` (outcome id -> active risk
// exception) are noted beside their outcome.
export function renderDetail(parts, score, gaps, names, filter, onFilter, asked = new Set(), exceptions = new Map()) {
  const summary = score.summary;
  const department = names.department(summary.departmentId);
  const supplier = names.supplier(summary.supplierId);
  const select = h('select', { id: 'outcome-filter', onchange: () => onFilter(select.value) },
    h('option', { value: 'all', selected: filter === 'all' }, 'all applicable outcomes'),
    h('option', { value: 'evidence', selected: filter === 'evidence' }, 'outcomes with evidence'),
    h('option', { value: 'attention', selected: filter === 'attention' }, 'stale or without evidence'));
  replaceChildren(parts.head,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/assets' }, 'Assets'), ' › ', h('span', { 'aria-current': 'page' }, summary.name || summary.assetId)),
    h('h1', { class: 'view-title', 'data-testid': 'detail-name' }, summary.name || summary.assetId),
    h('p', { class: 'muted subtitle' },
      h('span', { class: 'mono' }, summary.assetId), ' · ', h('span', { class: 'ig' }, summary.implementationGroup),
      ' · ', department ? `department ${department}` : 'no department',
      ' · ', supplier ? `run by ${supplier}` : 'run in-house'),
    summarySection(summary, names),
    h('div', { class: 'grid grid-detail' }, targetsSection(score.targets), gapsSection(gaps)));
  replaceChildren(parts.outcomes,
    h('div', { class: 'toolbar' }, h('h2', { class: 'inline-title' }, 'Outcomes'), h('label', { for: 'outcome-filter' }, 'Show'), select),
    h('div', { class: 'functions', 'data-testid': 'outcomes' }, outcomesSection(summary.assetId, score.functions, filter, asked, exceptions)));
}

// Refreshes the relative ages under `root` ("5 min ago") without re-rendering.
export function refreshAges(root) {
  for (const node of root.querySelectorAll('.age[data-observed-ms]')) {
    node.textContent = `${formatAge(Number(node.dataset.observedMs))}${node.dataset.suffix ?? ''}`;
  }
}
