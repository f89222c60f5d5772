// The Postura dashboard: routes (#/, #/assets, #/asset/ID, #/frameworks, #/requests), data loading and
// live updates.
import { closeSession, getJson, openSession, Throttle, watchScores, whoAmI } from './api.js';
import { AssetTable } from './assets.js';
import { refreshAges, renderDetail } from './detail.js';
import { h, replaceChildren } from './dom.js';
import { formatClock, nanosToMillis } from './format.js';
import { FrameworksView } from './frameworks.js';
import { renderOverview, renderSupplierOverview } from './overview.js';
import { ProfilePanel, ProfileView } from './profile.js';
import { confirmSwitch, describeCredential, showSessionOwner } from './session.js';
import { RemediationPanel } from './remediation.js';
import { askedOutcomes, RequestsView } from './requests.js';
import { AcceptedRiskPanel, activeExceptions } from './exceptions.js';
import { TiersPanel } from './tiers.js';
import { ChangesPanel, TrendPanel } from './trends.js';

const views = {
  overview: document.getElementById('view-overview'),
  assets: document.getElementById('view-assets'),
  asset: document.getElementById('view-asset'),
  frameworks: document.getElementById('view-frameworks'),
  profile: document.getElementById('view-profile'),
  requests: document.getElementById('view-requests'),
};
const liveBox = document.getElementById('live');
const liveLabel = document.getElementById('live-label');
const lastUpdate = document.getElementById('last-update');
const errorBox = document.getElementById('error');
const noticeBox = document.getElementById('notice');
const sessionBox = document.getElementById('session');
const signOutButton = document.getElementById('sign-out');

const state = {
  role: null,         // The signed-in credential's role (GET /api/v1/whoami), e.g. ROLE_OPERATOR.
  tenant: null,       // Its tenant: the supplier's id for ROLE_SUPPLIER.
  department: '',     // A department officer's department (ROLE_DEPARTMENT).
  organization: null,
  view: null,
  hash: null,         // The route shown.
  assetId: null,      // The asset open in the detail view.
  detail: null,       // {score, gaps} of that asset.
  detailFilter: 'all',
  eventCount: 0,
  updatedAt: new Map(),  // asset id -> state.eventCount when an event last changed it.
};

// Id-to-name lookups from the organisation's rollups and the asset list. Watch updates
// carry no names, so names always come from these.
const names = {
  department: (id) => (id ? state.organization?.departments?.find((d) => d.key === id)?.name || id : ''),
  supplier: (id) => (id ? state.organization?.suppliers?.find((d) => d.key === id)?.name || id : ''),
  asset: (id) => table.assets.get(id)?.name || id,
};

const frameworks = new FrameworksView(views.frameworks);
const profileView = new ProfileView(views.profile);
const assetProfile = new ProfilePanel();
const requestsView = new RequestsView(views.requests, () => ({ role: state.role, tenant: state.tenant }));
const table = new AssetTable(views.assets, names, (id) => { location.hash = `#/asset/${encodeURIComponent(id)}`; });

// The overview and the asset detail in parts, with the trends and changes between them:
// the parts are redrawn with every score, the trends only when asked (trends.js).
const overviewParts = { top: h('div', {}, h('p', { class: 'muted' }, 'Loading…')), rest: h('div') };
const orgTrend = new TrendPanel({ title: 'Trend', testid: 'org-trend' });
const orgChanges = new ChangesPanel({ path: '/api/v1/organization/diff', organization: true, names, testid: 'org-changes' });
const remediation = new RemediationPanel({ testid: 'remediation' });
// Tiers are derived from every visible asset: asked again at most every 30 s as scores change.
const tiers = new TiersPanel({ testid: 'tiers' });
const tiersRefresh = new Throttle(() => tiers.refresh(), 30000);
const acceptedRisk = new AcceptedRiskPanel(names);
const overviewPast = h('div', { hidden: true },
  h('div', { class: 'grid grid-two' }, orgTrend.node, orgChanges.node), h('div', { class: 'grid grid-one' }, remediation.node, acceptedRisk.node));
replaceChildren(views.overview, overviewParts.top, overviewPast, h('div', { class: 'grid grid-one' }, tiers.node), overviewParts.rest);
const detailParts = { head: h('div'), outcomes: h('div') };
const assetTrend = new TrendPanel({ title: 'Trend', testid: 'asset-trend' });
let assetChanges = null;  // The open asset's ChangesPanel.
const detailPast = h('div', { class: 'grid grid-two', hidden: true });
replaceChildren(views.asset, detailParts.head, detailPast, detailParts.outcomes, assetProfile.node);

// What the overview's trend can show: the organisation, each department and supplier.
function overviewSubjects(org) {
  const history = '/api/v1/organization/history';
  const metLabel = 'every asset met its targets';
  const rollup = (kind, param, r) => ({
    key: `${param}:${r.key}`, label: `${kind} ${r.name || r.key}`, path: `${history}?${param}=${encodeURIComponent(r.key)}`,
    figure: `${kind} ${r.name || r.key} index`, metLabel,
  });
  return [
    { key: 'organization', label: 'Organisation', path: history, figure: 'Organisation index', metLabel },
    ...(org.departments ?? []).map((r) => rollup('Department', 'department', r)),
    ...(org.suppliers ?? []).map((r) => rollup('Supplier', 'supplier', r)),
  ];
}

// An asset's targets that apply to its value (scope asset), drawn on its trend. Targets on
// outcomes, categories and functions are thresholds of other figures: the trend's strip
// shows whether all were met.
function valueTargets(targets) {
  return (targets ?? []).filter((t) => t.target.scope === 'SCOPE_ASSET').map((t) => ({ operator: t.target.operator, value: t.target.value }));
}

function showError(error) {
  if (!error) {
    errorBox.hidden = true;
    return;
  }
  if (error.status === 401) {
    showSignIn();
    return;
  }
  replaceChildren(errorBox, h('strong', {}, 'Problem: '), error.message);
  errorBox.hidden = false;
}

// Asks for an API token when the collector wants one (no session, or it was revoked).
function showSignIn(message = 'Sign in with an API token (postura tokens create api --role operator).') {
  if (document.getElementById('sign-in')) return;
  const input = h('input', { id: 'sign-in-token', type: 'password', autocomplete: 'off', 'aria-label': 'API token', placeholder: 'pst.…' });
  const form = h('form', { id: 'sign-in', class: 'sign-in' }, h('p', {}, message), input, h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await openSession(input.value.trim());
      location.reload();
    } catch (error) {
      form.remove();
      showSignIn(error.message);
    }
  });
  replaceChildren(errorBox, form);
  errorBox.hidden = false;
  input.focus();
}

// Ends the session on the collector (every tab of this browser loses it), then reloads:
// the page, without a session, asks for a token again.
async function signOut() {
  signOutButton.disabled = true;
  try {
    await closeSession();
    location.reload();
  } catch (error) {
    showNotice(error.message);
    signOutButton.disabled = false;
  }
}

// The event stream closed for good: if the session has ended (signed out in another tab,
// timed out, or its token revoked), the page asks for a token again.
async function checkSessionEnded() {
  if (document.getElementById('sign-in')) return;  // Already asking.
  try {
    if ((await whoAmI()) !== null) return;
  } catch {
    return;  // The collector is unreachable: the live indicator already says so.
  }
  signOutButton.hidden = true;
  showSignIn('Your session has ended (signed out, timed out, or its token was revoked). Sign in again with an API token.');
}

// A message that stays until dismissed (unlike the error box, which the next successful
// load clears).
function showNotice(message) {
  const dismiss = h('button', { type: 'button', class: 'notice-dismiss', 'aria-label': 'Dismiss' }, '×');
  dismiss.addEventListener('click', () => { noticeBox.hidden = true; });
  replaceChildren(noticeBox, h('span', {}, message), dismiss);
  noticeBox.hidden = false;
}

// The token of a link of the form …/#token=TOKEN (the quickstart prints one), or null. The
// token leaves the address bar and the history at once, for the route `hash`.
function takeLinkToken(hash) {
  const match = /^#token=(.+)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', `${location.pathname}${hash}`);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];  // Not percent-encoded after all.
  }
}

// Signs in with a link's token, given the credential of the current session (null if there
// is none), and returns the credential the page then uses. Without a session, the link signs
// in at once. With a session of another credential, the page asks first and keeps the
// current session unless the user chooses to switch: a link must not move anyone silently
// into another role's or tenant's view.
async function signInFromLink(token, current) {
  if (current === null) {
    try {
      await openSession(token);
    } catch (error) {
      showSignIn(error.message);
      return null;
    }
    return whoAmI();
  }
  const linked = await whoAmI(token);
  const still = `you are still signed in as ${describeCredential(current)}`;
  if (linked === null) {
    showNotice(`The link’s token was refused (unknown, expired or revoked); ${still}.`);
    return current;
  }
  if (linked.id === current.id) return current;
  showSessionOwner(sessionBox, current);
  if (!(await confirmSwitch(current, linked))) return current;
  try {
    await openSession(token);
  } catch (error) {
    showNotice(`${error.message}; ${still}.`);
    return current;
  }
  return whoAmI();
}

// A #token= link opened while the page is open changes only the hash: handled as at start,
// then the page reloads if the session changed.
async function followLinkInPage() {
  const token = takeLinkToken(state.hash ?? '#/');
  if (token === null) return;
  try {
    const current = await whoAmI();
    const now = await signInFromLink(token, current);
    if (now !== null && now.id !== current?.id) location.reload();
  } catch (error) {
    showError(error);
  }
}

// Suppliers and department officers see their own assets only, not the organisation's figures.
const isSupplier = () => state.role === 'ROLE_SUPPLIER' || state.role === 'ROLE_DEPARTMENT';

function renderOverviewView() {
  tiersRefresh.request();
  const assets = [...table.assets.values()];
  if (isSupplier()) renderSupplierOverview(overviewParts, state.tenant, assets, state.department);
  else if (state.organization) renderOverview(overviewParts, state.organization, assets);
}

async function loadOrganization() {
  // A supplier may not read the organisation's figures: its overview is its own assets.
  if (!isSupplier()) {
    state.organization = await getJson('/api/v1/organization');
    orgTrend.setSubjects(overviewSubjects(state.organization));
    if (overviewPast.hidden) {
      overviewPast.hidden = false;
      orgChanges.refresh();
      remediation.refresh();
      acceptedRisk.refresh();
    }
  }
  if (state.view === 'overview') renderOverviewView();
}

async function loadAssets() {
  const since = state.eventCount;
  const response = await getJson('/api/v1/assets');
  // An event that arrived while the list was in flight is newer than the list.
  table.setAll((response.assets ?? []).map((asset) => {
    const current = table.assets.get(asset.assetId);
    return current && (state.updatedAt.get(asset.assetId) ?? -1) > since ? { ...current, name: asset.name } : asset;
  }));
}

async function loadDetail() {
  const id = state.assetId;
  if (id === null) return;
  const path = `/api/v1/assets/${encodeURIComponent(id)}`;
  try {
    const [score, gaps, asked, exceptions] = await Promise.all([getJson(path), getJson(`${path}/gaps`), askedOutcomes(id), activeExceptions(id)]);
    if (state.assetId !== id) return;
    state.detail = { score, gaps, asked, exceptions };
    renderDetailView();
    assetTrend.setSubjects([{ key: id, label: id, path: `${path}/history`, figure: 'Asset value', metLabel: 'all its targets met', targets: true }],
      valueTargets(score.targets));
    detailPast.hidden = false;
  } catch (error) {
    if (state.assetId !== id) return;
    if (error.status === 404) {
      replaceChildren(detailParts.outcomes);
      replaceChildren(detailParts.head, h('nav', { class: 'breadcrumb' }, h('a', { href: '#/assets' }, 'Assets')),
        h('h1', { class: 'view-title' }, 'No such asset'), h('p', {}, `There is no asset "${id}": it may have been deleted.`));
      return;
    }
    throw error;
  }
}

function renderDetailView() {
  const { score, gaps, asked, exceptions } = state.detail;
  // Keep the reader's place: re-rendering replaces the content under them.
  const y = window.scrollY;
  const closed = [...views.asset.querySelectorAll('details:not([open])')].map((d) => d.dataset.functionId).filter(Boolean);
  renderDetail(detailParts, score, gaps, names, state.detailFilter, (filter) => { state.detailFilter = filter; renderDetailView(); }, asked, exceptions);
  for (const id of closed) views.asset.querySelector(`details[data-function-id="${CSS.escape(id)}"]`)?.removeAttribute('open');
  window.scrollTo(0, y);
  document.title = `${score.summary.name || score.summary.assetId} — Postura`;
}

const organizationRefresh = new Throttle(() => loadOrganization().then(() => showError(null), showError), 1000);
const detailRefresh = new Throttle(() => loadDetail().catch(showError), 500);
const assetsRefresh = new Throttle(() => loadAssets().catch(showError), 2000);
// The trend of the view shown, redrawn at most every 30 s while scores change: a history
// query is heavier than a score, and a chart needs no second-by-second refresh.
const trendRefresh = new Throttle(async () => {
  if (state.view === 'overview' && !overviewPast.hidden) await orgTrend.refresh();
  if (state.view === 'asset' && !detailPast.hidden) await assetTrend.refresh();
}, 30000);

// Score events are applied in batches, at most every 50 ms: on connecting, the stream
// sends every asset's summary at once, and one re-render per event would be quadratic.
const pendingUpdates = new Map();  // Asset id -> its latest ScoreUpdate.
let flushTimer = null;

function applyUpdate(update) {
  const id = update.summary?.assetId;
  if (!id) return;
  pendingUpdates.set(id, update);
  if (flushTimer === null) flushTimer = setTimeout(flushUpdates, 50);
}

function flushUpdates() {
  flushTimer = null;
  const updates = [...pendingUpdates.values()];
  pendingUpdates.clear();
  const changed = [];
  const removed = [];
  let unknown = false;
  let computedAt = 0;
  for (const update of updates) {
    const summary = update.summary;
    state.eventCount += 1;
    state.updatedAt.set(summary.assetId, state.eventCount);
    computedAt = Math.max(computedAt, nanosToMillis(update.computedAtUnixNanos));
    if (update.removed) {
      removed.push(summary.assetId);
      continue;
    }
    const known = table.assets.get(summary.assetId);
    unknown ||= !known;
    // Watch updates carry no name: keep the one from the list.
    changed.push({ ...summary, name: known?.name || summary.name || summary.assetId });
  }
  table.update(changed, removed);
  if (unknown) assetsRefresh.request();  // A new asset: fetch its name.
  organizationRefresh.request();
  if (state.view === 'asset' && updates.some((u) => u.summary.assetId === state.assetId)) detailRefresh.request();
  if (state.view === 'overview' || (state.view === 'asset' && updates.some((u) => u.summary.assetId === state.assetId))) trendRefresh.request();
  const millis = computedAt || Date.now();
  lastUpdate.textContent = `updated ${formatClock(millis)}`;
  lastUpdate.dateTime = new Date(millis).toISOString();
}

function setLiveStatus(status) {
  liveBox.dataset.status = status;
  if (status === 'closed') checkSessionEnded();
  liveLabel.textContent = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', closed: 'offline', polling: 'refreshed every 30 s' }[status];
  if (status === 'live') {
    // Names of assets added while disconnected, and a fresh organisation.
    assetsRefresh.request();
    organizationRefresh.request();
  }
}

function route() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return;  // An in-page anchor such as the skip link.
  if (hash === state.hash) return;  // Both popstate and hashchange report a navigation.
  state.hash = hash;
  const match = /^#\/asset\/(.+)$/.exec(hash);
  const view = match ? 'asset' : { '#/assets': 'assets', '#/frameworks': 'frameworks', '#/profile': 'profile', '#/requests': 'requests' }[hash] ?? 'overview';
  for (const [name, node] of Object.entries(views)) node.hidden = name !== view;
  for (const link of document.querySelectorAll('[data-nav]')) {
    const current = link.dataset.nav === view || (view === 'asset' && link.dataset.nav === 'assets');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const previous = state.view;
  state.view = view;
  if (view === 'overview') {
    document.title = 'Overview — Postura';
    renderOverviewView();
    organizationRefresh.request();
    if (previous !== null && previous !== 'overview' && !overviewPast.hidden) {
      orgTrend.refresh();
      orgChanges.refresh();
      remediation.refresh();
      acceptedRisk.refresh();
    }
  } else if (view === 'assets') {
    document.title = 'Assets — Postura';
  } else if (view === 'frameworks') {
    document.title = 'Frameworks — Postura';
    frameworks.refresh();
  } else if (view === 'profile') {
    document.title = 'Profile — Postura';
    profileView.refresh();
  } else if (view === 'requests') {
    document.title = 'Requests — Postura';
    requestsView.refresh();
  } else {
    const id = decodeURIComponent(match[1]);
    if (id !== state.assetId || previous !== 'asset') {
      const same = id === state.assetId;
      state.assetId = id;
      state.detail = null;
      replaceChildren(detailParts.head, h('p', { class: 'muted' }, 'Loading…'));
      replaceChildren(detailParts.outcomes);
      assetChanges = new ChangesPanel({ path: `/api/v1/assets/${encodeURIComponent(id)}/diff`, organization: false, names, testid: 'asset-changes' });
      replaceChildren(detailPast, assetTrend.node, assetChanges.node);
      detailPast.hidden = !same;
      assetChanges.refresh();
      assetProfile.show(id);
      if (same) assetTrend.refresh();
      window.scrollTo(0, 0);
    }
    detailRefresh.request();
  }
  if (previous !== null && previous !== view) document.getElementById('main').focus({ preventScroll: true });
}

// Auditors read everything but do not watch (docs/security.md): instead of the live event
// stream, their page reloads what it shows every 30 s.
function pollScores() {
  setLiveStatus('polling');
  setInterval(() => {
    assetsRefresh.request();
    organizationRefresh.request();
    if (state.view === 'asset') detailRefresh.request();
    trendRefresh.request();
    lastUpdate.textContent = `updated ${formatClock(Date.now())}`;
    lastUpdate.dateTime = new Date().toISOString();
  }, 30000);
}

async function start() {
  const linkToken = takeLinkToken('#/');
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#token=')) followLinkInPage();
    else route();
  });
  window.addEventListener('popstate', route);
  signOutButton.addEventListener('click', signOut);
  try {
    let me = await whoAmI();
    if (linkToken !== null) me = await signInFromLink(linkToken, me);
    if (me === null) {
      showSignIn();
    } else {
      state.role = me.role;
      state.tenant = me.tenantId;
      state.department = me.departmentId ?? '';
      showSessionOwner(sessionBox, me);
      signOutButton.hidden = false;
      await Promise.all([loadOrganization(), loadAssets()]);
    }
  } catch (error) {
    showError(error);
  }
  route();
  if (state.role === 'ROLE_AUDITOR') pollScores();
  else watchScores(applyUpdate, setLiveStatus);
  setInterval(() => refreshAges(views.asset), 15000);
}

start();
