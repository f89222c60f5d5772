// The organisation overview: the index, function means, rollups by IG tier, department
// and supplier, functional areas, targets and coverage (GET /api/v1/organization). The
// trends between its parts are trends.js's.
import { bar, chip, functionChart, gauge, rollupBars } from './charts.js';
import { h, replaceChildren } from './dom.js';
import { band, BAND_NAMES, formatPercent, formatValue } from './format.js';

function card(title, attributes, ...children) {
  const id = `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { ...attributes, class: ['card', attributes?.class], 'aria-labelledby': id },
    h('h2', { id }, title), ...children);
}

function indexCard(org) {
  return card('Organisation index', { class: 'card-index' },
    h('div', { class: 'index-row' },
      h('div', { class: 'index-main' },
        gauge(org.index, 'Organisation index'),
        h('div', { class: `big-number band-text-${band(org.index)}`, 'data-testid': 'org-index' }, formatValue(org.index)),
        h('div', { class: 'muted index-caption' }, `${BAND_NAMES[band(org.index)]} · criticality-weighted mean of ${org.assetCount} asset${org.assetCount === 1 ? '' : 's'}`)),
      h('div', { class: 'index-side' },
        h('div', { class: 'stat-label' }, 'Dependency-adjusted'),
        h('div', { class: `mid-number band-text-${band(org.adjustedIndex)}`, 'data-testid': 'org-adjusted-index' }, formatValue(org.adjustedIndex)),
        bar(org.adjustedIndex, { label: 'Dependency-adjusted index' }),
        h('p', { class: 'muted small' }, 'Each asset counted at no more than the weakest asset it depends on.'))));
}

function shareCard(title, share, testid, caption, count) {
  return card(title, { class: 'card-share' },
    h('div', { class: `mid-number band-text-${band(share)}`, 'data-testid': testid }, formatPercent(share)),
    bar(share, { label: title }),
    count,
    h('p', { class: 'muted small' }, caption));
}

// Only assets with targets count: an asset without targets never reads as meeting them.
function targetsCard(org) {
  const withTargets = org.assetsWithTargets ?? 0;
  const count = withTargets === 0
    ? 'No asset has targets yet.'
    : `${org.assetsMeetingTargets ?? 0} of ${withTargets} assets with targets`;
  return shareCard('Assets meeting targets', org.shareMeetingTargets, 'org-share-meeting-targets',
    'Of the assets with registered targets, the share that meet all of them; assets without targets are not counted.',
    h('p', { class: 'small', 'data-testid': 'org-meeting-targets-count' }, count));
}

function weakestCard(assets) {
  const weakest = [...assets].sort((a, b) => a.adjustedValue - b.adjustedValue || a.assetId.localeCompare(b.assetId)).slice(0, 5);
  return card('Weakest assets', { class: 'card-weakest' },
    weakest.length === 0
      ? h('p', { class: 'muted' }, 'No assets registered yet.')
      : h('ol', { class: 'weakest' }, weakest.map((asset) => h('li', {},
        h('a', { href: `#/asset/${encodeURIComponent(asset.assetId)}` }, asset.name || asset.assetId),
        chip(asset.adjustedValue, { title: 'Dependency-adjusted value' })))),
    h('p', { class: 'small' }, h('a', { href: '#/assets' }, 'All assets →')));
}

function areasCard(areas) {
  return card('Functional areas', { class: 'card-areas' },
    h('p', { class: 'muted small' }, 'Mean achievement of the outcomes each area leads, and the open gaps (asset outcomes below level 1) it has to close.'),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'areas', 'data-testid': 'functional-areas' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Area'),
          h('th', { scope: 'col', class: 'col-bar' }, 'Achievement'),
          h('th', { scope: 'col', class: 'num' }, 'Open gaps'))),
        h('tbody', {}, (areas ?? []).map((area) => h('tr', { dataset: { areaId: area.id } },
          h('th', { scope: 'row' }, h('span', { class: 'muted' }, `${area.id} `), area.name),
          h('td', { class: 'col-bar' }, h('div', { class: 'bar-cell' }, bar(area.achievement, { thin: true }), chip(area.achievement))),
          h('td', { class: 'num' }, String(area.openGaps))))))));
}

// Renders a supplier's or a department officer's overview into `root`: the
// organisation-wide figures are for the organisation's staff (the collector refuses them
// to both), so it shows their own assets, weakest first. `assets` are the ones they may
// see; `departmentId` is set for a department officer.
export function renderSupplierOverview(parts, supplierId, assets, departmentId = '') {
  replaceChildren(parts.top,
    h('h1', { class: 'view-title' }, departmentId ? `Your department's assets (${departmentId})` : `Your assets (${supplierId})`),
    h('p', { class: 'muted', 'data-testid': 'supplier-note' },
      'Organisation-wide figures are shown to the organisation\'s staff only. ' +
      (departmentId ? 'These are the assets of your department.' : 'These are the assets you run for it.')),
    h('div', { class: 'grid grid-two' }, weakestCard(assets)));
  replaceChildren(parts.rest);
}

// Renders the overview of `org` (an OrganizationScore) into `parts`: its headline figures
// into `parts.top`, the rest into `parts.rest` (the trends sit between them and are not
// redrawn with every score). `assets` are the current asset summaries, for the
// weakest-assets list.
export function renderOverview(parts, org, assets) {
  replaceChildren(parts.top,
    h('h1', { class: 'view-title' }, 'Organisation overview'),
    h('div', { class: 'grid grid-top' },
      indexCard(org),
      targetsCard(org),
      shareCard('Evidence coverage', org.coverage, 'org-coverage', 'Mean share of applicable outcomes with live evidence: a missing check never reads as a pass.')));
  replaceChildren(parts.rest,
    h('div', { class: 'grid grid-two' },
      card('Functions', {},
        h('p', { class: 'muted small' }, 'Mean value of each CyberTOMP function over the assets where it applies.'),
        functionChart(org.functions ?? [])),
      card('Implementation groups', {}, rollupBars(org.implementationGroups, { emptyText: 'No assets.', testid: 'rollup-ig' }))),
    h('div', { class: 'grid grid-three' },
      card('Departments', {}, rollupBars(org.departments, { emptyText: 'No asset belongs to a department.', testid: 'rollup-departments' })),
      card('Suppliers', {}, rollupBars(org.suppliers, { emptyText: 'No asset is run by a supplier.', testid: 'rollup-suppliers' })),
      weakestCard(assets)),
    areasCard(org.functionalAreas));
}
