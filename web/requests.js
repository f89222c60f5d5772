// The Requests page (#/requests) and the answers on the asset page: evidence requests
// (docs/requests.md) as the signed-in credential meets them.
// - "To answer": the open requests it answers (a supplier its tenant's, a department
//   officer its department's), each outcome with its state and, while it takes answers, a
//   form with a level, a statement and files (POST /api/v1/requests/{id}/answers, multipart).
// - "To review" (admins): answers waiting for review with their documents as downloads,
//   approved or rejected with a comment (POST /api/v1/requests/{id}/review). The collector
//   refuses what it will not take (four eyes, an empty comment, an answer reviewed
//   meanwhile); the page shows its message.
// - "All requests": each request it may see, open, overdue, complete or cancelled.
// Changes go out with the session cookie and the X-Postura-Dashboard header, which the
// collector asks of the cookie on a change (docs/security.md).
import { getJson, postChange as post } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatClock, formatLevel, nanosToMillis } from './format.js';
import { newRequestForm } from './request_form.js';

const REQUEST_STATES = { REQUEST_OPEN: 'open', REQUEST_COMPLETE: 'complete', REQUEST_CANCELLED: 'cancelled' };
const ANSWER_STATES = {
  ANSWER_OPEN: 'not answered', ANSWER_SUBMITTED: 'waiting for review', ANSWER_APPROVED: 'approved', ANSWER_REJECTED: 'rejected',
};
const LEVEL_CHOICES = [['0', 'DLI_0'], ['0.33', 'DLI_33'], ['0.67', 'DLI_67'], ['1', 'DLI_100']];

// A request's state as shown: "overdue" when open past its due date.
export function requestState(request) {
  if (request.status === 'REQUEST_OPEN' && request.overdue) return 'overdue';
  return REQUEST_STATES[request.status] ?? 'unknown';
}

function formatBytes(bytes) {
  const n = Number(bytes ?? 0);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function actorText(actor) {
  return actor?.name || actor?.credentialId || 'unknown';
}

// A document as a download link: always an attachment, never shown inline.
function documentLink(document) {
  const name = document.fileName || document.sha256Hex.slice(0, 16);
  return h('span', { class: 'document' },
    h('a', { href: `/api/v1/documents/${document.sha256Hex}`, download: name, 'data-testid': 'document-link', dataset: { sha256: document.sha256Hex } }, name),
    h('span', { class: 'muted small' }, ` ${document.mediaType}, ${formatBytes(document.sizeBytes)}`));
}

function stateBadge(state, kind) {
  return h('span', { class: ['badge', `${kind}-state`, `${kind}-${state.replace(/ /g, '-')}`], 'data-testid': `${kind}-state` }, state);
}

function dueText(request) {
  return `due ${formatClock(Number(request.dueUnixSeconds) * 1000)}`;
}

// What became of the latest answer: its level, documents and review.
function answerSummary(outcome) {
  const answer = outcome.answer;
  if (!answer || !outcome.answers) return h('span', { class: 'muted' }, '—');
  return h('div', { class: 'small' },
    h('div', {}, `level ${formatLevel(answer.level)} · “${answer.statement}”`),
    (answer.documents ?? []).map((d) => h('div', {}, documentLink(d))),
    outcome.review?.comment
      ? h('div', { class: 'review-comment', 'data-testid': 'review-comment' },
        `${outcome.review.approved ? 'Approved' : 'Rejected'} by ${actorText(outcome.review.reviewedBy)}: ${outcome.review.comment}`)
      : null);
}

export class RequestsView {
  // `who()` gives the signed-in credential: {role, tenant}.
  constructor(node, who) {
    this.node = node;
    this.who = who;
    this.requests = [];
    this.messages = new Map();  // "REQ/outcome" -> {text, error} shown under its form.
    this.reviewNote = null;     // What the last review did, atop the queue.
    this.loading = null;
    this.newRequest = null;     // The admin's form, built once so that a redraw keeps its input.
  }

  key(request, outcome) {
    return `${request.id}/${outcome.outcomeId}`;
  }

  async refresh() {
    const run = (async () => {
      try {
        this.requests = (await getJson('/api/v1/requests?all=true')).requests ?? [];
        askedCache = { at: performance.now(), requests: this.requests };
        this.error = null;
      } catch (error) {
        this.error = error.message;
      }
      this.render();
    })();
    this.loading = run;
    await run;
  }

  answers(request) {
    const { role, tenant } = this.who();
    if (role === 'ROLE_SUPPLIER') return request.ownerKind === 'OWNER_SUPPLIER' && request.ownerTenantId === tenant;
    // A department officer's list holds its own department's requests only.
    return role === 'ROLE_DEPARTMENT' && request.ownerKind === 'OWNER_DEPARTMENT';
  }

  message(request, outcome) {
    const message = this.messages.get(this.key(request, outcome));
    return message ? h('p', { class: ['form-status', message.error ? 'form-error' : 'form-ok'], role: 'status', 'data-testid': 'form-status' }, message.text) : null;
  }

  setMessage(request, outcome, text, error) {
    this.messages.set(this.key(request, outcome), { text, error });
  }

  render() {
    const mine = this.requests.filter((r) => this.answers(r) && r.status === 'REQUEST_OPEN');
    const reviewer = this.who().role === 'ROLE_ADMIN';
    replaceChildren(this.node,
      h('h1', { class: 'view-title' }, 'Evidence requests'),
      this.error ? h('p', { class: 'error', role: 'alert' }, this.error) : null,
      reviewer ? (this.newRequest ??= newRequestForm(() => this.refresh())) : null,
      h('section', { class: 'card', 'aria-labelledby': 'to-answer-title', 'data-testid': 'to-answer' },
        h('h2', { id: 'to-answer-title' }, 'To answer ', h('span', { class: 'muted' }, `(${mine.length})`)),
        mine.length === 0 ? h('p', { class: 'muted' }, 'No open request for you to answer.') : mine.map((r) => this.ownerRequest(r))),
      reviewer ? this.reviewQueue() : null,
      this.allRequests());
  }

  ownerRequest(request) {
    return h('article', { class: 'request', dataset: { requestId: request.id }, 'data-testid': 'owner-request' },
      h('h3', {}, h('span', { class: 'mono' }, request.id), ` ${request.title} `, stateBadge(requestState(request), 'request')),
      h('p', { class: 'muted small' }, `${dueText(request)} · assets ${(request.assetIds ?? []).join(', ') || 'none'}`),
      h('div', { class: 'table-wrap' }, h('table', { class: 'request-outcomes' },
        h('thead', {}, h('tr', {}, ['Outcome', 'State', 'Latest answer', 'Answer'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, request.outcomes.map((outcome) => h('tr', { dataset: { outcomeId: outcome.outcomeId } },
          h('td', { class: 'mono' }, outcome.outcomeId),
          h('td', {}, stateBadge(ANSWER_STATES[outcome.status] ?? 'unknown', 'answer'), h('div', { class: 'muted small' }, `${outcome.answers ?? 0} answer${outcome.answers === 1 ? '' : 's'}`)),
          h('td', {}, answerSummary(outcome)),
          h('td', {}, outcome.status === 'ANSWER_APPROVED' ? h('span', { class: 'muted small' }, 'approved: nothing to do') : this.answerForm(request, outcome),
            this.message(request, outcome))))))));
  }

  answerForm(request, outcome) {
    const id = `${request.id}-${outcome.outcomeId}`;
    const level = h('select', { name: 'level', id: `level-${id}`, 'data-testid': 'answer-level' },
      LEVEL_CHOICES.map(([value, name]) => h('option', { value, selected: outcome.answer?.level === name }, value)));
    const statement = h('textarea', { name: 'statement', id: `statement-${id}`, rows: 2, maxlength: 4096, required: true, 'data-testid': 'answer-statement' });
    const files = h('input', { type: 'file', name: 'file', multiple: true, id: `files-${id}`, 'data-testid': 'answer-files' });
    const button = h('button', { type: 'submit', 'data-testid': 'answer-submit' }, outcome.status === 'ANSWER_SUBMITTED' ? 'Replace answer' : 'Submit answer');
    const form = h('form', { class: 'answer-form', 'data-testid': 'answer-form' },
      h('label', { for: `level-${id}` }, 'Level '), level,
      h('label', { for: `statement-${id}` }, 'Statement'), statement,
      h('label', { for: `files-${id}` }, 'Documents (PDF, images, office files, text)'), files,
      button);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      // The fields before the files: the collector checks them before it stores any file.
      const body = new FormData();
      body.append('outcome', outcome.outcomeId);
      body.append('level', level.value);
      body.append('statement', statement.value);
      for (const file of files.files) body.append('file', file, file.name);
      button.disabled = true;
      try {
        await post(`/api/v1/requests/${encodeURIComponent(request.id)}/answers`, body);
        this.setMessage(request, outcome, `Answered ${outcome.outcomeId} with ${files.files.length} document${files.files.length === 1 ? '' : 's'}; it waits for review.`, false);
      } catch (error) {
        this.setMessage(request, outcome, `Not taken: ${error.message}`, true);
      }
      await this.refresh();
    });
    return form;
  }

  reviewQueue() {
    const pending = this.requests.filter((r) => r.status === 'REQUEST_OPEN')
      .flatMap((r) => r.outcomes.filter((o) => o.status === 'ANSWER_SUBMITTED').map((o) => [r, o]));
    return h('section', { class: 'card', 'aria-labelledby': 'to-review-title', 'data-testid': 'to-review' },
      h('h2', { id: 'to-review-title' }, 'To review ', h('span', { class: 'muted' }, `(${pending.length})`)),
      h('p', { class: 'muted small' }, 'Four eyes: answers come from their owner (a supplier or a department officer), reviews from an admin, never the submitter. Approval makes the answer attested evidence on every asset of the request at once.'),
      this.reviewNote ? h('p', { class: 'form-status form-ok', role: 'status', 'data-testid': 'review-note' }, this.reviewNote.text) : null,
      pending.length === 0 ? h('p', { class: 'muted' }, 'No answer waits for review.') : pending.map(([r, o]) => this.reviewItem(r, o)));
  }

  reviewItem(request, outcome) {
    const answer = outcome.answer;
    const comment = h('textarea', { rows: 2, maxlength: 4096, 'aria-label': `Comment on ${outcome.outcomeId} of ${request.id}`, 'data-testid': 'review-comment-input' });
    const decide = async (approve) => {
      try {
        await post(`/api/v1/requests/${encodeURIComponent(request.id)}/review`, { outcomeId: outcome.outcomeId, approve, comment: comment.value });
        // The answer leaves the queue: the note stays at its top.
        this.reviewNote = { text: `${approve ? 'Approved' : 'Rejected'} ${outcome.outcomeId} of ${request.id}.`, error: false };
      } catch (error) {
        this.reviewNote = null;
        this.setMessage(request, outcome, `Not reviewed: ${error.message}`, true);
      }
      await this.refresh();
    };
    return h('article', { class: 'review-item', dataset: { requestId: request.id, outcomeId: outcome.outcomeId }, 'data-testid': 'review-item' },
      h('h3', {}, h('span', { class: 'mono' }, outcome.outcomeId), ' of ', h('span', { class: 'mono' }, request.id), ` ${request.title}`),
      h('p', { class: 'small' }, `Level ${formatLevel(answer.level)}, submitted by ${actorText(answer.submittedBy)} at ${formatClock(nanosToMillis(answer.submittedUnixNanos))}`),
      h('blockquote', { class: 'statement' }, answer.statement),
      h('div', { class: 'documents' }, (answer.documents ?? []).length === 0 ? h('span', { class: 'muted small' }, 'no documents')
        : answer.documents.map((d) => h('div', {}, documentLink(d)))),
      comment,
      h('div', { class: 'review-buttons' },
        h('button', { type: 'button', class: 'approve', 'data-testid': 'review-approve', onclick: () => decide(true) }, 'Approve'),
        h('button', { type: 'button', class: 'reject', 'data-testid': 'review-reject', onclick: () => decide(false) }, 'Reject')),
      this.message(request, outcome));
  }

  allRequests() {
    return h('section', { class: 'card', 'aria-labelledby': 'all-requests-title', 'data-testid': 'all-requests' },
      h('h2', { id: 'all-requests-title' }, 'All requests ', h('span', { class: 'muted' }, `(${this.requests.length})`)),
      this.requests.length === 0 ? h('p', { class: 'muted' }, 'No evidence requests.') : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['Request', 'State', 'Owner', 'Due', 'Outcomes approved', 'Documents'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, this.requests.map((r) => h('tr', { dataset: { requestId: r.id } },
          h('td', {}, h('span', { class: 'mono' }, r.id), h('div', { class: 'small' }, r.title)),
          h('td', {}, stateBadge(requestState(r), 'request')),
          h('td', {}, `${r.ownerKind === 'OWNER_SUPPLIER' ? 'supplier' : 'department'} ${r.ownerId}`),
          h('td', { class: 'small' }, dueText(r)),
          h('td', { class: 'num' }, `${r.outcomes.filter((o) => o.status === 'ANSWER_APPROVED').length} of ${r.outcomes.length}`),
          h('td', { class: 'num' }, formatBytes(r.documentBytes))))))));
  }
}

// ---- The asset page ---------------------------------------------------------------------

const openHistories = new Set();  // "asset/outcome" of the histories open, kept over redraws.
const ASKED_FRESH_MS = 10000;
let askedCache = { at: -Infinity, requests: [] };  // The request list, read at most every 10 s.

// The outcomes of `assetId` that some request the credential sees asks for; empty when it
// may not read requests. The asset page asks with every score change: the list is reused
// for a few seconds.
export async function askedOutcomes(assetId) {
  if (performance.now() - askedCache.at > ASKED_FRESH_MS) {
    try {
      askedCache = { at: performance.now(), requests: (await getJson('/api/v1/requests?all=true')).requests ?? [] };
    } catch {
      askedCache = { at: performance.now(), requests: [] };
    }
  }
  return new Set(askedCache.requests.filter((r) => (r.assetIds ?? []).includes(assetId)).flatMap((r) => r.outcomes.map((o) => o.outcomeId)));
}

function historyEntry(entry) {
  const answer = entry.answer;
  const status = entry.replaced ? 'replaced' : ANSWER_STATES[entry.status] ?? 'unknown';
  return h('li', { class: 'history-entry', dataset: { status: entry.status }, 'data-testid': 'answer-history-entry' },
    stateBadge(status, 'answer'), ' ',
    h('span', { class: 'small' }, `${entry.requestId}: level ${formatLevel(answer.level)} by ${actorText(answer.submittedBy)}, ${formatClock(nanosToMillis(answer.submittedUnixNanos))} · “${answer.statement}”`),
    (answer.documents ?? []).map((d) => h('div', {}, documentLink(d))),
    entry.review?.reviewedBy ? h('div', { class: 'small review-comment' },
      `${entry.review.approved ? 'Approved' : 'Rejected'} by ${actorText(entry.review.reviewedBy)}: ${entry.review.comment}`) : null);
}

// The answers to `outcomeId` on `assetId` (GET /api/v1/assets/{id}/outcomes/{outcome}/answers),
// read when first opened.
export function answerHistory(assetId, outcomeId) {
  const key = `${assetId}/${outcomeId}`;
  const body = h('div', { class: 'small' }, 'reading…');
  let requested = false;
  const load = async () => {
    requested = true;
    try {
      const history = await getJson(`/api/v1/assets/${encodeURIComponent(assetId)}/outcomes/${encodeURIComponent(outcomeId)}/answers`);
      const entries = history.entries ?? [];
      replaceChildren(body, entries.length === 0 ? 'no answers yet' : h('ol', { class: 'answer-history' }, entries.map(historyEntry)));
    } catch (error) {
      replaceChildren(body, error.message);
    }
  };
  const details = h('details', {
    class: 'answers-detail', open: openHistories.has(key), 'data-testid': 'answer-history', dataset: { outcomeId },
    ontoggle: (event) => {
      if (event.target.open) openHistories.add(key); else openHistories.delete(key);
      if (event.target.open && !requested) load();
    },
  }, h('summary', { class: 'small' }, 'answers to requests'), body);
  if (openHistories.has(key)) load();
  return details;
}
