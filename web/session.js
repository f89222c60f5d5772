// Whose session the page shows, and the question it asks before a link's token replaces
// that session (docs/dashboard.md, "Signing in").
import { h, replaceChildren } from './dom.js';

const ROLE_NAMES = {
  ROLE_ADMIN: 'admin', ROLE_OPERATOR: 'operator', ROLE_AUDITOR: 'auditor', ROLE_SUPPLIER: 'supplier', ROLE_AGENT: 'agent',
  ROLE_DEPARTMENT: 'department officer',
};

// A credential of GET /api/v1/whoami in words: its name when it has one, its role and its
// tenant (a department officer's department), e.g. "operator · organisation",
// "supplier · tenant hoster" or "department officer · department finance".
export function describeCredential(credential) {
  const role = ROLE_NAMES[credential.role] ?? credential.role ?? 'no role';
  const tenant = credential.departmentId ? `department ${credential.departmentId}`
    : !credential.tenantId || credential.tenantId === 'org' ? 'organisation' : `tenant ${credential.tenantId}`;
  return [credential.name, role, tenant].filter(Boolean).join(' · ');
}

// The credential in words with its id, which tells apart two tokens of the same role.
function credentialLine(credential) {
  return [h('strong', {}, describeCredential(credential)), ' ', h('span', { class: 'mono' }, `token ${credential.id}`)];
}

// Shows in `node` (the top bar's session box) whose session the page is using.
export function showSessionOwner(node, credential) {
  Object.assign(node.dataset, { credential: credential.id, role: credential.role, tenant: credential.tenantId });
  replaceChildren(node, h('span', { class: 'session-label' }, 'Signed in as'), ' ', credentialLine(credential));
  node.title = `Every request of this page is made as ${describeCredential(credential)} (token ${credential.id})`;
  node.hidden = false;
}

// Asks in a modal dialog of the page whether to replace the session of `current` with that
// of `linked`. Resolves true only when the user chooses to switch; "Keep", Escape or closing
// the dialog keep the current session.
export function confirmSwitch(current, linked) {
  document.getElementById('switch-session')?.close();
  const keep = h('button', { type: 'submit', value: 'keep', autofocus: true, 'data-testid': 'switch-session-keep' },
    'Keep my session');
  const change = h('button', { type: 'submit', value: 'switch', class: 'switch', 'data-testid': 'switch-session-confirm' },
    'Switch');
  const dialog = h('dialog', { id: 'switch-session', class: 'switch-session', 'aria-labelledby': 'switch-session-title', 'data-testid': 'switch-session' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'switch-session-title' }, 'Sign in with the link’s token?'),
      h('p', {}, 'The link you opened carries another API token. Signing in with it replaces the session of this browser, in every tab, and what the page shows.'),
      h('dl', {},
        h('dt', {}, 'Signed in now as'), h('dd', { 'data-testid': 'switch-session-current' }, credentialLine(current)),
        h('dt', {}, 'The link signs in as'), h('dd', { 'data-testid': 'switch-session-linked' }, credentialLine(linked))),
      h('div', { class: 'dialog-buttons' }, keep, change)));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'switch');
    });
    dialog.showModal();
  });
}
