// Risk exceptions in the dashboard (docs/requests.md, "Risk exceptions"): an exception
// never raises a level or a score, so the page shows it beside the outcome it covers on
// the asset page (GET /api/v1/exceptions?asset=ID) and counts the gaps it covers on the
// overview (GET /api/v1/exceptions/accepted-risk), apart from every figure.
import { getJson } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatClock } from './format.js';

// The active exceptions on `assetId`, by outcome id; empty when the credential may not
// read them.
export async function activeExceptions(assetId) {
  try {
    const { exceptions } = await getJson(`/api/v1/exceptions?asset=${encodeURIComponent(assetId)}`);
    return new Map((exceptions ?? []).filter((e) => e.status === 'RISK_EXCEPTION_ACTIVE').map((e) => [e.outcomeId, e]));
  } catch {
    return new Map();
  }
}

// The note beside an outcome with an active exception: until when, why, approved by whom.
export function exceptionNote(exception) {
  const until = formatClock(Number(exception.untilUnixSeconds) * 1000);
  const approver = exception.approvedBy?.name || exception.approvedBy?.credentialId || 'an admin';
  return h('div', { class: 'exception-note small', 'data-testid': 'accepted-risk', dataset: { exceptionId: exception.id }, title: exception.reason },
    h('span', { class: 'badge badge-neutral' }, 'accepted risk'), ` until ${until}, approved by ${approver}: ${exception.reason}`);
}

// The overview's card: the organisation's gaps with an accepted risk, by department and
// supplier. Staff only (the collector refuses it to suppliers and officers).
export class AcceptedRiskPanel {
  constructor(names) {
    this.names = names;
    this.body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
    this.node = h('section', { class: 'card', 'aria-labelledby': 'accepted-risk-title', 'data-testid': 'accepted-risk-card' },
      h('h2', { id: 'accepted-risk-title' }, 'Gaps with an accepted risk'),
      h('p', { class: 'muted small' }, 'Gaps whose outcome has an active risk exception. An exception raises no level and no score: these gaps still count in every figure above.'),
      this.body);
  }

  async refresh() {
    try {
      const risk = await getJson('/api/v1/exceptions/accepted-risk');
      const rows = [
        ...(risk.departments ?? []).map((r) => [`department ${this.names.department(r.key)}`, r]),
        ...(risk.suppliers ?? []).map((r) => [`supplier ${this.names.supplier(r.key)}`, r]),
      ].filter(([, r]) => r.activeExceptions > 0);
      const org = risk.organization ?? {};
      replaceChildren(this.body,
        h('div', { class: 'mid-number', 'data-testid': 'gaps-with-accepted-risk' }, String(org.gapsWithAcceptedRisk ?? 0)),
        h('p', { class: 'small' }, `${org.activeExceptions ?? 0} active exception${org.activeExceptions === 1 ? '' : 's'}`),
        rows.length === 0 ? null : h('ul', { class: 'small' }, rows.map(([label, r]) =>
          h('li', {}, `${label}: ${r.gapsWithAcceptedRisk} gap${r.gapsWithAcceptedRisk === 1 ? '' : 's'}, ${r.activeExceptions} active`))));
    } catch (error) {
      replaceChildren(this.body, h('p', { class: 'inline-error' }, error.message));
    }
  }
}
