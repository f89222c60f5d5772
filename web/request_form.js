// The admin's form on the Requests page that opens an evidence request
// (POST /api/v1/requests; docs/requests.md, "The workflow"): which outcomes (those a
// functional area leads, a category, a function, or a list), on which assets (one asset, a
// department's, a supplier's), who answers (a supplier or a department), when it is due
// and how long approved answers count. The collector checks every field and its message is
// shown under the form; the form keeps what was typed until a request is opened.
import { postChange } from './api.js';
import { h } from './dom.js';

const SELECTIONS = [
  ['functionalArea', 'the outcomes a functional area leads', 'FA5'],
  ['category', 'a category', 'ID.SC'],
  ['function', 'a function', 'RC'],
  ['outcomeIds', 'outcome ids, separated by commas', 'ID_SC_ID_SC_2, RC_RP_RC_RP_1'],
];
const SCOPES = [
  ['REQUEST_SCOPE_SUPPLIER', 'a supplier\'s assets'],
  ['REQUEST_SCOPE_DEPARTMENT', 'a department\'s assets'],
  ['REQUEST_SCOPE_ASSET', 'one asset'],
];
const OWNERS = [['OWNER_SUPPLIER', 'a supplier'], ['OWNER_DEPARTMENT', 'a department']];
const DAY_SECONDS = 86400;

function select(name, label, choices, testid) {
  const id = `new-request-${name}`;
  const field = h('select', { id, name, 'data-testid': testid }, choices.map(([value, text]) => h('option', { value }, text)));
  return [h('label', { for: id }, label), field];
}

function input(name, label, attributes) {
  const id = `new-request-${name}`;
  const field = h('input', { id, name, required: true, ...attributes });
  return [h('label', { for: id }, label), field];
}

// The JSON body of CreateEvidenceRequestRequest from the form's fields.
function requestBody(fields) {
  const selection = fields.selection.value;
  const text = fields.selected.value.trim();
  const outcomes = selection === 'outcomeIds'
    ? { outcomeIds: text.split(',').map((id) => id.trim()).filter(Boolean) }
    : { [selection]: text };
  const due = Date.parse(`${fields.due.value}T23:59:59Z`);
  return {
    title: fields.title.value.trim(),
    outcomes,
    scopeKind: fields.scope.value,
    scopeId: fields.scopeId.value.trim(),
    ownerKind: fields.owner.value,
    ownerId: fields.ownerId.value.trim(),
    dueUnixSeconds: Number.isNaN(due) ? '0' : String(Math.floor(due / 1000)),
    validitySeconds: String(Number(fields.validity.value) * DAY_SECONDS),
  };
}

// A <section> with the form. `opened(request)` runs after the collector opened one.
export function newRequestForm(opened) {
  const [titleLabel, title] = input('title', 'Title', { maxlength: 256, 'data-testid': 'new-request-title' });
  const [selectionLabel, selection] = select('selection', 'Outcomes', SELECTIONS, 'new-request-selection');
  const [selectedLabel, selected] = input('selected', 'Which', { 'data-testid': 'new-request-selected', placeholder: SELECTIONS[0][2] });
  const [scopeLabel, scope] = select('scope', 'On', SCOPES, 'new-request-scope');
  const [scopeIdLabel, scopeId] = input('scope-id', 'Asset, department or supplier id', { 'data-testid': 'new-request-scope-id' });
  const [ownerLabel, owner] = select('owner', 'Answered by', OWNERS, 'new-request-owner');
  const [ownerIdLabel, ownerId] = input('owner-id', 'Supplier or department id', { 'data-testid': 'new-request-owner-id' });
  const [dueLabel, due] = input('due', 'Due (end of day, UTC)', { type: 'date', 'data-testid': 'new-request-due' });
  const [validityLabel, validity] = input('validity', 'Approved answers count for (days)', { type: 'number', min: 1, max: 1826, value: 365, 'data-testid': 'new-request-validity' });
  const fields = { title, selection, selected, scope, scopeId, owner, ownerId, due, validity };
  selection.addEventListener('change', () => {
    selected.placeholder = SELECTIONS.find(([v]) => v === selection.value)[2];
  });
  const status = h('p', { class: 'form-status', role: 'status', 'data-testid': 'new-request-status' });
  const button = h('button', { type: 'submit', 'data-testid': 'new-request-submit' }, 'Open request');
  const form = h('form', { class: 'request-form', 'data-testid': 'new-request-form' },
    titleLabel, title, selectionLabel, selection, selectedLabel, selected, scopeLabel, scope,
    scopeIdLabel, scopeId, ownerLabel, owner, ownerIdLabel, ownerId, dueLabel, due,
    validityLabel, validity, button, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const request = await postChange('/api/v1/requests', requestBody(fields));
      status.className = 'form-status form-ok';
      status.textContent = `Opened ${request.id} "${request.title}": ${request.outcomes.length} outcomes on ${(request.assetIds ?? []).length} assets.`;
      form.reset();
      opened(request);
    } catch (error) {
      status.className = 'form-status form-error';
      status.textContent = `Not opened: ${error.message}`;
    }
    button.disabled = false;
  });
  return h('section', { class: 'card', 'aria-labelledby': 'new-request-heading', 'data-testid': 'new-request' },
    h('h2', { id: 'new-request-heading' }, 'Open a request'),
    h('p', { class: 'muted small' }, 'Ask a supplier or a department for the proof of outcomes no agent can observe. Their answers count only once an admin who did not submit them approves.'),
    form);
}
