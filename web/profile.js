// The profile: current -> target -> gap -> roadmap (docs/metrics.md, "Profile and
// roadmap"), from GET /api/v1/assets/{id}/profile (ProfilePanel, on the asset page) and GET
// /api/v1/profile (ProfileView, the organisation's page #/profile). Both draw the four
// parts as tables and the roadmap's phases in order. Built by app.js; refresh() reloads
// (the collector runs the planner for each asset, so the page asks only when it opens or
// the reader asks, not on every score change). Names from the API go through dom.js.
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatLevel, formatPercent } from './format.js';

// Three decimals: a roadmap step may add less than 0.01.
const value3 = (v) => Number(v ?? 0).toFixed(3);
const signed3 = (v) => `${Number(v ?? 0) >= 0 ? '+' : ''}${Number(v ?? 0).toFixed(3)}`;

const BASIS = {
  NO_TARGETS: 'no targets',
  TARGETS_MET: 'targets already met: no plan needed',
  PLANNED: 'the planner\'s least-work status',
  PLANNED_BEST_COVERAGE: 'best coverage: the targets conflict',
  PLAN_FAILED: 'the planner gave up',
};

// A table that scrolls sideways inside its own box on a narrow screen, not the page.
function table(testid, headers, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'controls profile-table', 'data-testid': testid },
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

function functionsTable(functions, organization, testid) {
  const headers = organization ? ['Function', 'Name', 'Assets', 'Current', 'Target', 'Gap']
    : ['Function', 'Name', 'Current', 'Target', 'Gap'];
  return table(testid, headers, (functions ?? []).map((f) => h('tr', { 'data-function': f.functionId },
    h('td', { class: 'mono' }, f.functionId), h('td', {}, f.name),
    organization ? h('td', { class: 'num' }, String(f.assetCount)) : null,
    h('td', { class: 'num mono' }, value3(f.current)), h('td', { class: 'num mono' }, value3(f.target)),
    h('td', { class: 'num mono' }, signed3(f.gap)))));
}

function areasTable(areas, gapLabel, testid) {
  return table(testid, ['Area', 'Name', 'Outcomes', 'Level now', 'Level in target', gapLabel, 'Share of gap', 'Actions'],
    (areas ?? []).map((a) => h('tr', { 'data-area': a.functionalAreaId },
      h('td', { class: 'mono' }, a.functionalAreaId), h('td', {}, a.name), h('td', { class: 'num' }, String(a.outcomeCount)),
      h('td', { class: 'num mono' }, value3(a.currentLevel)), h('td', { class: 'num mono' }, value3(a.targetLevel)),
      h('td', { class: 'num mono' }, signed3(a.gap)), h('td', { class: 'num' }, formatPercent(a.shareOfGap)),
      h('td', { class: 'num' }, String(a.actionCount)))));
}

function owner(action) {
  const area = `${action.functionalAreaId} ${action.functionalAreaName}`;
  if (action.supplierId) return `${area}; supplier ${action.supplierName || action.supplierId}`;
  if (action.departmentId) return `${area}; department ${action.departmentName || action.departmentId}`;
  return area;
}

// The roadmap's phases in order, each a table; every row carries its step number, outcome,
// asset and the value it reaches (data-reached) for the browser test.
function roadmapView(roadmap, organization, testid, emptyText) {
  if (!roadmap?.length) return h('p', { class: 'muted', 'data-testid': testid }, emptyText);
  const phases = [];
  for (const action of roadmap) {
    if (phases.length === 0 || phases.at(-1).phase !== action.phase) phases.push({ phase: action.phase, actions: [] });
    phases.at(-1).actions.push(action);
  }
  let step = 0;
  const headers = ['#', ...(organization ? ['Asset'] : []), 'Outcome', 'Title', 'From', 'To', 'Owner', 'Asset value reached',
    ...(organization ? ['Index reached'] : [])];
  return h('div', { 'data-testid': testid }, phases.map(({ phase, actions }) => [
    h('h4', { 'data-phase': phase }, `Phase ${phase}: outcomes of IG${phase}`),
    table(`${testid}-phase-${phase}`, headers, actions.map((a) => {
      step += 1;
      return h('tr', { 'data-step': step, 'data-outcome': a.outcomeId, 'data-asset': a.assetId,
        'data-reached': organization ? a.indexReached : a.assetValueReached },
      h('td', { class: 'num' }, String(step)), organization ? h('td', { class: 'mono' }, a.assetId) : null,
      h('td', { class: 'mono' }, a.outcomeId), h('td', {}, a.title),
      h('td', { class: 'num mono' }, formatLevel(a.from)), h('td', { class: 'num mono' }, formatLevel(a.to)),
      h('td', {}, owner(a)),
      h('td', { class: 'num mono' }, value3(a.assetValueReached), a.assetTargetsMet ? h('span', { class: 'muted' }, ' targets met') : null),
      organization ? h('td', { class: 'num mono' }, value3(a.indexReached)) : null);
    })),
  ]));
}

// The implementation tiers over the same assets (Tiers.GetTiers), with their facts.
function tiersView(tiers) {
  if (!tiers?.length) return null;
  return [h('h2', {}, 'Implementation tiers (NIST CSF)'),
    table('org-profile-tiers', ['Scope', 'Name', 'Tier', 'Facts'], tiers.map((t) => h('tr', { 'data-scope': t.scope, 'data-tier': t.tier },
      h('td', { class: 'mono' }, t.scope), h('td', {}, t.name), h('td', {}, `${t.tier} ${t.tierName}`),
      h('td', { class: 'small' }, h('ul', {}, (t.facts ?? []).map((f) => h('li', {}, f)))))))];
}

// One asset's four parts.
function assetParts(asset, prefix) {
  return [
    h('p', { 'data-testid': `${prefix}-basis`, 'data-basis': asset.basis },
      h('strong', {}, 'Target profile: '), BASIS[asset.basis] ?? asset.basis, ' — ', asset.basisNote, '. ',
      `Asset value ${value3(asset.currentValue)} now, ${value3(asset.targetValue)} in the target profile.`),
    h('h3', {}, 'Current and target profile by function'),
    functionsTable(asset.functions, false, `${prefix}-functions`),
    h('h3', {}, 'Gap by functional area'),
    areasTable(asset.functionalAreas, 'Gap (asset value)', `${prefix}-areas`),
    h('h3', {}, 'Roadmap'),
    roadmapView(asset.roadmap, false, `${prefix}-roadmap`, `No roadmap: nothing to change (${BASIS[asset.basis] ?? asset.basis}).`),
  ];
}

class Loader {
  constructor(body) { this.body = body; }

  async load(path, render) {
    this.body.dataset.path = path;
    delete this.body.dataset.loaded;
    replaceChildren(this.body, h('p', { class: 'muted' }, 'Planning…'));
    try {
      const profile = await getJson(path);
      if (this.body.dataset.path !== path) return;  // Another asset opened meanwhile.
      replaceChildren(this.body, ...render(profile));
      this.body.dataset.loaded = path;
    } catch (error) {
      if (this.body.dataset.path !== path) return;
      replaceChildren(this.body, h('p', { class: 'inline-error', role: 'alert' }, `Could not load the profile: ${error.message}`));
    }
  }
}

// The Profile section of an asset's page.
export class ProfilePanel {
  constructor() {
    this.body = h('div', { 'aria-live': 'polite', 'data-testid': 'asset-profile' });
    this.loader = new Loader(this.body);
    this.assetId = null;
    const again = h('button', { type: 'button', onclick: () => this.refresh() }, 'Plan again');
    this.node = h('section', { class: 'card', 'aria-label': 'Profile' },
      h('h2', {}, 'Profile: current, target, gap and roadmap ', again), this.body);
  }

  show(assetId) {
    this.assetId = assetId;
    return this.refresh();
  }

  refresh() {
    if (this.assetId === null) return Promise.resolve();
    return this.loader.load(`/api/v1/assets/${encodeURIComponent(this.assetId)}/profile`,
      (profile) => (profile.assets?.length ? assetParts(profile.assets[0], 'asset-profile') : []));
  }
}

// The organisation's Profile page (#/profile): the rollup, the merged roadmap, and each
// asset's parts under its own heading.
export class ProfileView {
  constructor(node) {
    this.body = h('div', { 'aria-live': 'polite', 'data-testid': 'org-profile' });
    this.loader = new Loader(this.body);
    replaceChildren(node, h('h1', { class: 'view-title' }, 'Profile'),
      h('div', { class: 'card' },
        h('p', { class: 'muted small' }, 'Current profile, target profile (the planner\'s least-work status meeting each asset\'s targets), the gap per function and functional area, and the roadmap: IG1 outcomes before IG2 before IG3, then the functional area with the larger share of the gap first (docs/metrics.md).'),
        this.body));
  }

  refresh() {
    return this.loader.load('/api/v1/profile', (profile) => {
      const org = profile.organization ?? {};
      const counts = org.assetsWithTargets
        ? `${org.assetsMeetingTargets} of ${org.assetsWithTargets} assets with targets meet them now; ${org.assetsMeetingTargetsAfter} of ${org.assetsWithTargets} once the roadmap is done.`
        : 'No asset has targets: every target profile is the current one.';
      return [
        h('p', { 'data-testid': 'org-profile-counts' }, `${org.assetCount ?? 0} assets. ${counts} `,
          `Index ${value3(org.indexCurrent)} now, ${value3(org.indexTarget)} in the target profile.`),
        tiersView(org.tiers?.tiers),
        h('h2', {}, 'Functions (means over the assets where they apply)'),
        functionsTable(org.functions, true, 'org-profile-functions'),
        h('h2', {}, 'Gap by functional area'),
        areasTable(org.functionalAreas, 'Gap (index)', 'org-profile-areas'),
        h('h2', {}, 'Roadmap, every asset\'s actions merged'),
        roadmapView(org.roadmap, true, 'org-profile-roadmap', 'No roadmap: no asset needs a change to meet its targets.'),
        h('h2', {}, 'Assets'),
        (profile.assets ?? []).map((asset) => h('details', { 'data-asset': asset.assetId },
          h('summary', {}, `${asset.assetId}${asset.name ? ` (${asset.name})` : ''}: ${BASIS[asset.basis] ?? asset.basis}, `,
            `${asset.roadmap?.length ?? 0} actions`),
          assetParts(asset, `org-profile-asset-${asset.assetId}`))),
      ];
    });
  }
}
