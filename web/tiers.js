// The overview's implementation tiers card: the NIST CSF tier of the organisation (for a
// supplier or a department officer, of the assets it sees) and of each CSF function, from
// Partial (1) to Adaptive (4), with the facts that decided each (GET /api/v1/tiers,
// docs/api.md; the rule in docs/metrics.md, "Implementation tiers"). Built once by app.js,
// which asks for a refresh when scores change; only the table is redrawn.
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';

const PATH = '/api/v1/tiers';
const HIGHEST_TIER = 4;

// "Organisation" (for a supplier or an officer, "The assets of …", as the API names what
// it sees) or "PR Protect": the row's heading, as shown.
export function scopeLabel(tier) {
  if (tier.scope !== 'organization') return `${tier.scope} ${tier.name}`;
  if (tier.name === 'the organisation') return 'Organisation';
  return tier.name.charAt(0).toUpperCase() + tier.name.slice(1);
}

// "2 Risk Informed": the tier as shown.
export function tierLabel(tier) {
  return `${tier.tier} ${tier.tierName}`;
}

// Each fact ends "…: yes" or "…: no" (whether the condition held); the climb stopped at the
// first that did not.
const held = (fact) => fact.endsWith(': yes');

// Four steps, those reached filled: a picture of the tier, hidden from screen readers,
// which read the tier's number and name beside it.
function steps(tier) {
  const cells = [];
  for (let step = 1; step <= HIGHEST_TIER; step += 1) cells.push(h('span', { class: ['tier-step', step <= tier && 'reached'] }));
  return h('span', { class: 'tier-steps', 'aria-hidden': 'true' }, cells);
}

function factsCell(tier) {
  const facts = tier.facts ?? [];
  const failed = facts.filter((fact) => !held(fact)).length;
  const summary = failed === 0 ? `${facts.length} conditions checked, all held`
    : `${facts.length} conditions checked, ${failed} not held`;
  return h('details', { class: 'tier-facts' },
    h('summary', {}, summary),
    h('ul', {}, facts.map((fact) => h('li', { class: held(fact) ? 'held' : 'not-held' }, fact))));
}

function row(tier) {
  return h('tr', { dataset: { scope: tier.scope, tier: String(tier.tier) } },
    h('th', { scope: 'row', 'data-col': 'scope' }, scopeLabel(tier)),
    h('td', { 'data-col': 'tier' }, steps(tier.tier), h('span', { class: 'tier-name' }, tierLabel(tier))),
    h('td', { 'data-col': 'facts' }, factsCell(tier)));
}

export class TiersPanel {
  constructor({ testid }) {
    this.generation = 0;
    this.result = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
    this.node = h('section', { class: 'card', 'data-testid': testid, 'aria-labelledby': 'tiers-title' },
      h('h2', { id: 'tiers-title' }, 'Implementation tiers'),
      h('p', { class: 'muted small' },
        'NIST CSF tiers from what Postura knows: Partial (1), Risk Informed (2: half the outcomes evaluated, ',
        'a mean level of 0.33, targets on half the assets), Repeatable (3: 80% evaluated, at most 5% of evidence expired), ',
        'Adaptive (4: gaps closed within 30 days and a non-falling index over 30 days). Open a row\'s conditions to see why.'),
      this.result);
  }

  async refresh() {
    const generation = ++this.generation;
    try {
      const answer = await getJson(PATH);
      if (generation !== this.generation) return;
      this.render(answer);
      this.node.dataset.loaded = answer.asOf ?? '';
    } catch (error) {
      if (generation === this.generation) replaceChildren(this.result, h('p', { class: 'inline-error', role: 'alert' }, error.message));
    }
  }

  render(answer) {
    const tiers = answer.tiers ?? [];
    if (tiers.length === 0) {
      replaceChildren(this.result, h('p', { class: 'muted' }, 'No assets to derive a tier from.'));
      return;
    }
    replaceChildren(this.result,
      h('div', { class: 'table-wrap' }, h('table', { class: 'tiers' },
        h('caption', { class: 'visually-hidden' }, 'Implementation tier of the organisation and of each CSF function, with the conditions checked'),
        h('thead', {}, h('tr', {}, ['Scope', 'Tier', 'Conditions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, tiers.map(row)))));
  }
}
