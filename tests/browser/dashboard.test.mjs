// The web dashboard in real headless Chromium against a real postura-collector process.
//
// Registers an organisation (a department, a supplier, three assets with a dependency and
// a target) and sends evidence through the collector's gRPC APIs with dashboard_fixture,
// then checks that the page shows the numbers of the JSON API, formatted as the dashboard
// formats them, that new evidence reaches the open page within 2 seconds without a reload,
// and that the asset detail shows each outcome's level and state. Screenshots go to
// $POSTURA_BROWSER_ARTIFACTS (default: ./browser-artifacts).
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/dashboard.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) when Chromium is not
// installed ($CHROMIUM, default /usr/bin/chromium).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  api, apiEventually, apiStatus, artifacts, assert, assertEqual, browserTestCanRun, fixture,
  fixtureOutcomeIds, initialEvidence, launchBrowser, outcomesOf, readTrust, sendEvidence, SKIP,
  sleep, startCollector, stopCollector, trust,
} from './harness.mjs';

const LIVE_DEADLINE_MS = 2000;
// The detail dashboard_fixture gives ':openscap' items, as agent/openscap_evidence.h writes it.
const OPENSCAP_DETAIL = '1 of 2 rules fail: xccdf_org.ssgproject.content_rule_sshd_disable_root_login (Disable SSH Root Login, medium)';

// The dashboard's formats (web/format.js), restated here so that a change to them is a
// deliberate change to this test too.
const fmtValue = (v) => Number(v).toFixed(2);
const fmtPercent = (v) => `${Math.round(Number(v) * 100)}%`;
const LEVEL_TEXT = { DLI_0: '0', DLI_33: '0.33', DLI_67: '0.67', DLI_100: '1' };
const STATE_TEXT = { LIVE: 'live', STALE: 'stale', NO_EVIDENCE: 'no evidence' };

// ---- Checks -----------------------------------------------------------------------------

const results = [];

async function check(name, body) {
  const started = Date.now();
  await body();
  const ms = Date.now() - started;
  results.push(name);
  console.log(`ok ${results.length} - ${name} (${ms} ms)`);
}

async function overviewShowsOrganization(page, org) {
  await page.waitFor((expected) => !document.getElementById('view-overview').hidden &&
    document.querySelector('[data-testid="org-index"]')?.textContent === expected,
    [fmtValue(org.index)], { describe: () => page.evaluate(() => document.querySelector('[data-testid="org-index"]')?.textContent) });
  const shown = await page.evaluate(() => {
    const text = (selector) => document.querySelector(selector)?.textContent.trim();
    const rollups = (testid) => Object.fromEntries([...document.querySelectorAll(`[data-testid="${testid}"] li`)].map((li) =>
      [li.dataset.key, [li.querySelector('[data-field="index"]').textContent, li.querySelector('[data-field="adjusted"]').textContent]]));
    return {
      index: text('[data-testid="org-index"]'),
      adjusted: text('[data-testid="org-adjusted-index"]'),
      share: text('[data-testid="org-share-meeting-targets"]'),
      shareCount: text('[data-testid="org-meeting-targets-count"]'),
      coverage: text('[data-testid="org-coverage"]'),
      functions: Object.fromEntries([...document.querySelectorAll('[data-testid="function-chart"] .chart-column')].map((g) =>
        [g.dataset.key, g.querySelector('.chart-value').textContent])),
      igs: rollups('rollup-ig'),
      departments: rollups('rollup-departments'),
      suppliers: rollups('rollup-suppliers'),
      areas: Object.fromEntries([...document.querySelectorAll('[data-testid="functional-areas"] tbody tr')].map((tr) =>
        [tr.dataset.areaId, [tr.querySelector('.score').textContent, tr.lastElementChild.textContent]])),
    };
  });
  const rollups = (list) => Object.fromEntries(list.map((r) => [r.key, [fmtValue(r.index), fmtValue(r.adjustedIndex)]]));
  assertEqual(shown.index, fmtValue(org.index), 'organisation index');
  assertEqual(shown.adjusted, fmtValue(org.adjustedIndex), 'dependency-adjusted index');
  assertEqual(shown.share, fmtPercent(org.shareMeetingTargets), 'share meeting targets');
  assertEqual(shown.shareCount, org.assetsWithTargets === 0 ? 'No asset has targets yet.'
    : `${org.assetsMeetingTargets} of ${org.assetsWithTargets} assets with targets`, 'n of m assets with targets');
  assertEqual(shown.coverage, fmtPercent(org.coverage), 'coverage');
  assertEqual(shown.functions, Object.fromEntries(org.functions.map((f) => [f.key, f.assetCount > 0 ? fmtValue(f.index) : 'n/a'])), 'function means');
  assertEqual(shown.igs, rollups(org.implementationGroups), 'IG tiers');
  assertEqual(shown.departments, rollups(org.departments), 'departments');
  assertEqual(shown.suppliers, rollups(org.suppliers), 'suppliers');
  assertEqual(shown.areas, Object.fromEntries(org.functionalAreas.map((a) => [a.id, [fmtValue(a.achievement), String(a.openGaps)]])), 'functional areas');
}

// Rows sorted by asset id, whatever the table's sort order.
const byId = (rows) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

function shownAssets(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid="asset-table"] tbody tr[data-asset-id]')].map((tr) => ({
    id: tr.dataset.assetId,
    name: tr.querySelector('[data-col="asset"] a').textContent,
    value: tr.querySelector('[data-col="value"] .score').textContent,
    adjusted: tr.querySelector('[data-col="adjusted"] .score').textContent,
    limitedBy: tr.querySelector('[data-col="adjusted"] .limited a')?.textContent ?? null,
    coverage: tr.querySelector('[data-col="coverage"]').textContent,
    targets: tr.querySelector('[data-col="targets"] .badge').textContent,
  })));
}

function expectedAssets(list) {
  const names = Object.fromEntries(list.assets.map((a) => [a.assetId, a.name]));
  return list.assets.map((a) => ({
    id: a.assetId,
    name: a.name,
    value: fmtValue(a.value),
    adjusted: fmtValue(a.adjustedValue),
    limitedBy: a.limitingAssetId && a.limitingAssetId !== a.assetId ? names[a.limitingAssetId] : null,
    coverage: fmtPercent(a.coverage),
    targets: a.targetCount === 0 ? 'none' : a.targetsMet ? '✓ met' : '✗ not met',
  }));
}

// Whose session the page says it uses (the top bar), and whose session its requests
// really carry (GET /api/v1/whoami with the page's cookie).
async function sessionOf(page) {
  return page.evaluate(async () => {
    const box = document.querySelector('[data-testid="session-owner"]');
    const response = await fetch('/api/v1/whoami', { cache: 'no-store' });
    return {
      shown: box && !box.hidden ? { credential: box.dataset.credential, role: box.dataset.role, tenant: box.dataset.tenant, text: box.textContent } : null,
      cookie: response.ok ? (await response.json()).id : `HTTP ${response.status}`,
    };
  });
}

// Waits until the page shows the question whether to switch sessions, or has settled on the
// session of `credentialId` without asking: 'asked' or 'signed-in'. Given the credential of
// the session before (`previousId`), also notices a switch to `credentialId` that the page
// neither asked about nor shows: 'switched silently'.
function askedOrSignedIn(page, credentialId, previousId = null) {
  return page.waitFor(async (id, previous) => {
    if (document.querySelector('[data-testid="switch-session"]')?.open) return 'asked';
    if (document.querySelector('[data-testid="session-owner"]')?.dataset.credential === id) return 'signed-in';
    if (previous === null || previous === id) return false;
    const response = await fetch('/api/v1/whoami', { cache: 'no-store' });
    return response.ok && (await response.json()).id === id ? 'switched silently' : false;
  }, [credentialId, previousId]);
}

// Clicks a link of the top bar and waits for its view to show.
async function openView(page, view) {
  await page.click(`nav.views a[data-nav="${view}"]`);
  await page.waitFor((id) => !document.getElementById(id).hidden, [`view-${view}`]);
}

function shownOutcomes(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="outcomes"] tr[data-outcome-id]')].map((tr) =>
    [tr.dataset.outcomeId, [tr.querySelector('[data-col="level"] .level').textContent, tr.querySelector('[data-col="state"] .state-label').textContent]])));
}

// ---- The test ---------------------------------------------------------------------------

async function main() {
  if (!(await browserTestCanRun())) return SKIP;
  const dir = await mkdtemp(join(tmpdir(), 'postura-dashboard-'));
  let collector = null;
  let browser = null;
  let page = null;
  const started = Date.now();
  try {
    collector = await startCollector(dir);
    const { grpc, http } = collector;
    console.log(`collector: gRPC ${grpc}, HTTP ${http}`);
    readTrust(dir);
    await fixture('register', trust.dataDir, grpc);

    // Every applicable outcome of each asset, from the API, to spread evidence over.
    const outcomeIds = await fixtureOutcomeIds(http);
    const items = initialEvidence(outcomeIds);
    await sendEvidence(grpc, items);
    const liveCount = (asset) => items.filter((item) => item.startsWith(`${asset}:`) && !item.includes(':stale')).length;
    await apiEventually(http, '/api/v1/assets', (list) => list.assets.every((a) => a.outcomesLive === liveCount(a.assetId)),
      'the initial evidence');

    browser = await launchBrowser(dir, 'dashboard');
    page = await browser.newPage(1280, 800);
    const base = `https://${http}`;

    await check('the page asks for a token, and a #token= link signs in and leaves the address bar', async () => {
      await page.goto(`${base}/`);
      await page.waitFor(() => document.getElementById('sign-in') !== null);
      await page.screenshot(join(artifacts, 'sign-in.png'));
      // Without a session the page's API calls are refused (401): expected here only.
      const refused = page.errors.splice(0);
      assert(refused.length > 0 && refused.every((e) => e.includes('401')), `unexpected errors before sign-in: ${refused}`);
      await page.goto('about:blank');  // A fresh load, not an in-page hash change.
      await page.goto(`${base}/#token=${encodeURIComponent(trust.token)}`);
      await page.waitFor(() => location.hash === '#/' && document.getElementById('sign-in') === null &&
        !document.getElementById('view-overview').hidden);
      // Before using the link the page asks whether a session is open: no (401), expected.
      const checked = page.errors.splice(0);
      assert(checked.every((e) => e.includes('401') && e.includes('/api/v1/whoami')), `unexpected errors signing in: ${checked}`);
    });

    await check('the page shows whose session it is', async () => {
      const admin = await api(http, '/api/v1/whoami');
      const session = await sessionOf(page);
      assertEqual(session.cookie, admin.id, 'the session cookie\'s credential');
      assertEqual(session.shown && [session.shown.credential, session.shown.role, session.shown.tenant], [admin.id, 'ROLE_ADMIN', 'org'], 'session shown');
      assertEqual(session.shown.text, `Signed in as admin · organisation token ${admin.id}`, 'session owner text');
      const boxes = await page.evaluate(() => ['session', 'notice', 'error'].map((id) => getComputedStyle(document.getElementById(id)).display !== 'none'));
      assertEqual(boxes, [true, false, false], 'session, notice and error boxes shown');
    });

    await check('overview shows the organisation numbers of GET /api/v1/organization', async () => {
      await page.goto(`${base}/`);
      await page.waitFor(() => !document.getElementById('view-overview').hidden);
      const org = await api(http, '/api/v1/organization');
      assert(org.assetCount === 3, `expected 3 assets, the API has ${org.assetCount}`);
      await overviewShowsOrganization(page, org);
      await page.waitFor(() => document.getElementById('live').dataset.status === 'live');
      await page.screenshot(join(artifacts, 'overview.png'));
    });

    await check('asset list shows each asset of GET /api/v1/assets', async () => {
      await openView(page, 'assets');
      const list = await api(http, '/api/v1/assets');
      const expected = expectedAssets(list);
      await page.waitFor((n) => document.querySelectorAll('[data-testid="asset-table"] tbody tr[data-asset-id]').length === n, [expected.length]);
      assertEqual(byId(await shownAssets(page)), byId(expected), 'asset rows');
      assert(expected.find((a) => a.id === 'portal').limitedBy === 'Hosting platform', 'portal should be limited by the platform');
      await page.screenshot(join(artifacts, 'asset-list.png'));
    });

    await check('asset list sorts by a column and filters by text', async () => {
      await page.click('button.sort[data-sort="value"]');
      const ascending = (await shownAssets(page)).map((a) => Number(a.value));
      assertEqual(ascending, [...ascending].sort((a, b) => a - b), 'values sorted ascending');
      await page.click('button.sort[data-sort="value"]');
      const descending = (await shownAssets(page)).map((a) => Number(a.value));
      assertEqual(descending, [...descending].sort((a, b) => b - a), 'values sorted descending');
      await page.click('#asset-filter');
      await page.type('hosting');
      assertEqual((await shownAssets(page)).map((a) => a.id), ['platform'], 'assets matching "hosting" (the supplier)');
      await page.evaluate(() => {
        const input = document.getElementById('asset-filter');
        input.value = '';
        input.dispatchEvent(new Event('input'));
      });
      await page.click('button.sort[data-sort="asset"]');
    });

    await check(`new evidence reaches the open asset list within ${LIVE_DEADLINE_MS} ms, without a reload`, async () => {
      await page.evaluate(() => { window.__sameDocument = true; });
      const before = await api(http, '/api/v1/assets/payroll');
      const raised = outcomesOf(before).filter((_, i) => i % 4 !== 0).slice(0, 60).map((o) => `payroll:${o.id}:1`);
      await sendEvidence(grpc, raised);
      const sent = Date.now();
      const after = await apiEventually(http, '/api/v1/assets/payroll', (s) => fmtValue(s.summary.value) !== fmtValue(before.summary.value), 'the new payroll value');
      const expected = fmtValue(after.summary.value);
      await page.waitFor((value) => document.querySelector('tr[data-asset-id="payroll"] [data-col="value"] .score')?.textContent === value,
        [expected], { timeoutMs: LIVE_DEADLINE_MS, describe: async () => `(shown: ${JSON.stringify((await shownAssets(page)).find((a) => a.id === 'payroll'))})` });
      const elapsed = Date.now() - sent;
      console.log(`   payroll ${fmtValue(before.summary.value)} -> ${expected} on the page ${elapsed} ms after the batch was acknowledged`);
      assert(elapsed <= LIVE_DEADLINE_MS, `the page took ${elapsed} ms`);
      const state = await page.evaluate(() => ({
        same: window.__sameDocument === true,
        live: document.getElementById('live-label').textContent,
        updated: document.getElementById('last-update').textContent,
        name: document.querySelector('tr[data-asset-id="payroll"] [data-col="asset"] a').textContent,
      }));
      assert(state.same, 'the page was reloaded');
      assertEqual(state.live, 'live', 'live indicator');
      assert(/^updated \d\d:\d\d:\d\d$/.test(state.updated), `last update time: "${state.updated}"`);
      assertEqual(state.name, 'Payroll', 'name kept across a watch update');
      // The whole table agrees with the API again, the organisation too (fetched at most
      // once a second while events flow).
      assertEqual(byId(await shownAssets(page)), byId(expectedAssets(await api(http, '/api/v1/assets'))), 'asset rows after the update');
      await openView(page, 'overview');
      await overviewShowsOrganization(page, await api(http, '/api/v1/organization'));
      await openView(page, 'assets');
    });

    await check('asset detail shows the outcome levels and states of GET /api/v1/assets/portal', async () => {
      await page.click('tr[data-asset-id="portal"] [data-col="asset"] a');
      await page.waitFor(() => !document.getElementById('view-asset').hidden &&
        document.querySelector('[data-testid="detail-name"]')?.textContent === 'Customer portal' &&
        document.querySelectorAll('[data-testid="outcomes"] tr[data-outcome-id]').length > 0, [],
      { describe: () => page.evaluate(() => `(at ${location.hash}: ${document.querySelector('main > section:not([hidden])')?.id})`) });
      const score = await api(http, '/api/v1/assets/portal');
      const gaps = await api(http, '/api/v1/assets/portal/gaps');
      const expected = Object.fromEntries(outcomesOf(score).map((o) => [o.id, [LEVEL_TEXT[o.level], STATE_TEXT[o.state]]]));
      const shown = await shownOutcomes(page);
      assertEqual(Object.keys(shown).length, Object.keys(expected).length, 'number of outcomes');
      for (const [id, levelAndState] of Object.entries(expected)) assertEqual(shown[id], levelAndState, `outcome ${id}`);
      const states = new Set(Object.values(expected).map(([, state]) => state));
      assert(states.has('live') && states.has('stale') && states.has('no evidence'), `portal should show every state, has ${[...states]}`);
      const summary = await page.evaluate(() => ({
        value: document.querySelector('[data-testid="detail-value"]').textContent,
        adjusted: document.querySelector('[data-testid="detail-adjusted"]').textContent,
        coverage: document.querySelector('[data-testid="detail-coverage"]').textContent,
        targets: document.querySelector('[data-testid="detail-targets-met"]').textContent,
        gaps: document.querySelectorAll('[data-testid="gaps"] tr[data-gap-outcome-id]').length,
        deciding: Object.fromEntries([...document.querySelectorAll('[data-testid="outcomes"] tr[data-state="LIVE"]')].map((tr) => [
          tr.dataset.outcomeId,
          [tr.querySelector('[data-col="deciding"] .mono').textContent, tr.querySelector('[data-col="deciding"] summary').textContent,
            tr.querySelector('[data-col="source"]').textContent, /^\d+ (s|min|h|d) ago$/.test(tr.querySelector('[data-col="freshness"]').textContent)]])),
      }));
      // The source kind from the evidence as sent (harness.mjs): ':attested' items are
      // attestations, ':openscap' items carry an OpenSCAP profile's check id.
      const sourceOf = (o) => o.deciding.kind === 'ATTESTED' ? 'attestation'
        : o.deciding.checkId.startsWith('openscap:') ? 'OpenSCAP' : 'pack check';
      assertEqual(summary.deciding, Object.fromEntries(outcomesOf(score).filter((o) => o.state === 'LIVE').map((o) =>
        [o.id, [o.deciding.agentId, o.deciding.checkId, sourceOf(o), true]])), 'deciding evidence and freshness of live outcomes');
      const sources = new Set(Object.values(summary.deciding).map(([, , source]) => source));
      assertEqual([...sources].sort(), ['OpenSCAP', 'attestation', 'pack check'], 'every kind of source shows');
      // Opening an OpenSCAP outcome's deciding evidence shows its detail: the failing rules.
      const detail = await page.evaluate(async () => {
        const row = [...document.querySelectorAll('[data-testid="outcomes"] tr[data-state="LIVE"]')]
          .find((tr) => tr.querySelector('[data-col="source"]').textContent === 'OpenSCAP');
        row.querySelector('[data-col="deciding"] summary').click();
        const body = row.querySelector('[data-testid="evidence-detail"]');
        for (let i = 0; i < 100 && body.textContent === 'reading…'; ++i) await new Promise((r) => setTimeout(r, 50));
        return body.textContent;
      });
      assertEqual(detail, OPENSCAP_DETAIL, 'the deciding OpenSCAP evidence opens onto its failing rules');
      assertEqual(summary.value, fmtValue(score.summary.value), 'detail value');
      assertEqual(summary.adjusted, fmtValue(score.summary.adjustedValue), 'detail adjusted value');
      assertEqual(summary.coverage, fmtPercent(score.summary.coverage), 'detail coverage');
      assertEqual(summary.targets, '✗ not met', 'detail targets');
      assertEqual(summary.gaps, gaps.areas.reduce((n, area) => n + Math.min(50, area.gaps.length), 0), 'gap rows');
      await page.screenshot(join(artifacts, 'asset-detail.png'));
      await page.evaluate(() => document.querySelector('[data-testid="outcomes"]').scrollIntoView());
      await page.screenshot(join(artifacts, 'asset-detail-outcomes.png'));
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot(join(artifacts, 'asset-detail-full.png'), { fullPage: true });
    });

    await check(`the open asset detail follows new evidence within ${LIVE_DEADLINE_MS} ms`, async () => {
      const target = 'ID_AM_CSC_1_1';
      await sendEvidence(grpc, [`portal:${target}:1`]);
      const sent = Date.now();
      await page.waitFor((id) => {
        const row = document.querySelector(`tr[data-outcome-id="${id}"]`);
        return row?.querySelector('.level').textContent === '1' && document.querySelector('[data-testid="detail-targets-met"]')?.textContent === '✓ all met';
      }, [target], { timeoutMs: LIVE_DEADLINE_MS });
      console.log(`   portal ${target} -> 1 and its target met on the page ${Date.now() - sent} ms after the batch was acknowledged`);
      const score = await api(http, '/api/v1/assets/portal');
      const shown = await shownOutcomes(page);
      for (const o of outcomesOf(score)) assertEqual(shown[o.id], [LEVEL_TEXT[o.level], STATE_TEXT[o.state]], `outcome ${o.id}`);
    });

    await check('works on a narrow window (390 px) without sideways scrolling', async () => {
      await page.setViewport(390, 844);
      for (const [hash, view, shot] of [['#/', 'view-overview', 'narrow-overview.png'], ['#/assets', 'view-assets', 'narrow-asset-list.png'],
        ['#/asset/portal', 'view-asset', 'narrow-asset-detail.png']]) {
        await page.evaluate((h) => { location.hash = h; }, hash);
        await page.waitFor((id) => !document.getElementById(id).hidden && document.querySelector(`#${id} h1`), [view]);
        await sleep(100);
        const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
        assert(widths.page <= widths.viewport, `${hash}: page is ${widths.page} px wide in a ${widths.viewport} px window`);
        await page.screenshot(join(artifacts, shot));
      }
      await page.setViewport(1280, 800);
    });

    // Opens a #token= link in a fresh load and, if the page asks, switches to its session.
    // Returns 'asked' or 'signed-in' (the page did not ask).
    const signInAs = async (token) => {
      const me = await api(http, '/api/v1/whoami', token);
      await page.goto('about:blank');
      await page.goto(`${base}/#token=${encodeURIComponent(token)}`);
      const outcome = await askedOrSignedIn(page, me.id);
      if (outcome === 'asked') await page.click('[data-testid="switch-session-confirm"]');
      await page.waitFor((id) => document.querySelector('[data-testid="session-owner"]')?.dataset.credential === id &&
        !document.querySelector('[data-testid="switch-session"]'), [me.id]);
      return outcome;
    };
    const supplierToken = (await fixture('token', trust.dataDir, grpc, 'supplier', 'hoster')).trim();
    const supplier = await api(http, '/api/v1/whoami', supplierToken);

    await check('with a session open, a link with another token asks first, and declining keeps the session', async () => {
      const admin = await api(http, '/api/v1/whoami');
      await page.goto('about:blank');
      await page.goto(`${base}/#token=${encodeURIComponent(supplierToken)}`);
      assertEqual(await askedOrSignedIn(page, supplier.id, admin.id), 'asked', 'a link with another token');
      const asking = await page.evaluate(() => ({
        href: location.href,
        current: document.querySelector('[data-testid="switch-session-current"]').textContent,
        linked: document.querySelector('[data-testid="switch-session-linked"]').textContent,
      }));
      assert(!asking.href.includes('token') && asking.href.endsWith('#/'), `the token stayed in the address bar: ${asking.href}`);
      assertEqual(asking.current, `admin · organisation token ${admin.id}`, 'the dialog\'s current session');
      assertEqual(asking.linked, `supplier · tenant hoster token ${supplier.id}`, 'the dialog\'s link session');
      // Not switched while the question is open: the cookie is still the admin's.
      let session = await sessionOf(page);
      assertEqual([session.cookie, session.shown?.credential], [admin.id, admin.id], 'session while asking');
      await page.screenshot(join(artifacts, 'switch-session.png'));
      await page.click('[data-testid="switch-session-keep"]');
      await page.waitFor(() => !document.querySelector('[data-testid="switch-session"]') &&
        document.querySelector('[data-testid="org-index"]') !== null);
      session = await sessionOf(page);
      assertEqual([session.cookie, session.shown?.credential, session.shown?.role], [admin.id, admin.id, 'ROLE_ADMIN'], 'session after declining');

      // The same for a link opened in the page already open (only the hash changes); Escape
      // declines too.
      await page.evaluate((token) => { location.hash = `#token=${encodeURIComponent(token)}`; }, supplierToken);
      await page.waitFor(() => document.querySelector('[data-testid="switch-session"]')?.open === true);
      assertEqual(await page.evaluate(() => location.hash), '#/', 'address bar of the open page');
      await page.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });
      await page.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });
      await page.waitFor(() => !document.querySelector('[data-testid="switch-session"]'));
      await sleep(200);  // A switch would reload the page now.
      session = await sessionOf(page);
      assertEqual([session.cookie, session.shown?.credential], [admin.id, admin.id], 'session after Escape');

      // A link whose token the collector refuses leaves the session as it is, and says so.
      await page.evaluate(() => { location.hash = '#token=pst.not-a-token'; });
      const notice = await page.waitFor(() => {
        const box = document.getElementById('notice');
        return getComputedStyle(box).display !== 'none' && box.textContent;
      });
      assert(notice.includes('refused') && notice.includes('still signed in as admin · organisation'), `notice: "${notice}"`);
      const refused = page.errors.splice(0);
      assert(refused.length === 1 && refused[0].includes('401'), `errors of the refused link: ${refused}`);
      session = await sessionOf(page);
      assertEqual([session.cookie, session.shown?.credential], [admin.id, admin.id], 'session after a refused link');
      await page.click('#notice .notice-dismiss');
      await page.waitFor(() => document.getElementById('notice').hidden);
    });

    await check('confirming switches to the link\'s session, and the page shows its new owner', async () => {
      assertEqual(await signInAs(supplierToken), 'asked', 'switching from the admin to the supplier');
      const session = await sessionOf(page);
      assertEqual([session.cookie, session.shown?.credential, session.shown?.role, session.shown?.tenant],
        [supplier.id, supplier.id, 'ROLE_SUPPLIER', 'hoster'], 'session after switching');
      // The same token again is the same session: nothing to ask.
      assertEqual(await signInAs(supplierToken), 'signed-in', 'a link with the token of the current session');
    });

    await check('a supplier sees only its own assets, and an overview of them instead of the organisation', async () => {
      await signInAs(supplierToken);
      await page.waitFor(() => document.querySelector('[data-testid="supplier-note"]') !== null &&
        document.querySelector('#view-overview a[href="#/asset/platform"]') !== null &&
        document.getElementById('live').dataset.status === 'live');
      await page.screenshot(join(artifacts, 'supplier-overview.png'));
      await openView(page, 'assets');
      await page.waitFor(() => [...document.querySelectorAll('[data-testid="asset-table"] tbody tr[data-asset-id]')]
        .map((row) => row.dataset.assetId).join() === 'platform');
    });

    await check('an auditor sees the organisation, refreshed every 30 s instead of live', async () => {
      await signInAs((await fixture('token', trust.dataDir, grpc, 'auditor')).trim());
      await page.waitFor(() => document.querySelector('[data-testid="org-index"]') !== null &&
        document.getElementById('live').dataset.status === 'polling');
      await page.screenshot(join(artifacts, 'auditor-overview.png'));
    });

    await check('signing out ends the session on the collector: the page asks for a token, the old cookie is refused', async () => {
      await signInAs(trust.token);
      // Live, with the time of the first update shown: the top bar's layout has settled, so
      // the button stays where the click goes.
      await page.waitFor(() => document.getElementById('live').dataset.status === 'live' &&
        document.getElementById('last-update').textContent !== '');
      const sessionCookie = async () => (await page.browser.send('Storage.getCookies'))
        .cookies.find((c) => c.name === 'postura_session');
      const cookie = await sessionCookie();
      assert(cookie && cookie.httpOnly && cookie.secure && cookie.sameSite === 'Strict', `session cookie ${JSON.stringify(cookie)}`);
      assert(!trust.token.includes(cookie.value) && !cookie.value.includes(trust.token.split('.')[2]), 'the cookie holds the token');
      const withCookie = { Cookie: `postura_session=${cookie.value}` };
      assertEqual(await apiStatus(http, '/api/v1/whoami', withCookie), 200, 'the cookie before signing out');
      const button = await page.evaluate(() => {
        const b = document.querySelector('[data-testid="sign-out"]');
        return { shown: !b.hidden && b.getBoundingClientRect().width > 0, text: b.textContent };
      });
      assertEqual(button, { shown: true, text: 'Sign out' }, 'the sign-out button');
      await page.click('[data-testid="sign-out"]');
      // Signed out, the reloaded page asks for a token, and its event stream is refused.
      await page.waitFor(() => document.getElementById('sign-in') !== null &&
        document.querySelector('[data-testid="sign-out"]').hidden && document.getElementById('session').hidden &&
        document.getElementById('live').dataset.status === 'closed');
      await page.screenshot(join(artifacts, 'signed-out.png'));
      // The reloaded page asked whether a session is open and opened the stream: 401s, expected.
      const refused = page.errors.splice(0);
      assert(refused.every((e) => e.includes('401')), `unexpected errors signing out: ${refused}`);
      assertEqual(await sessionCookie(), undefined, 'the browser\'s session cookie after signing out');
      for (const path of ['/api/v1/whoami', '/api/v1/assets', '/api/v1/events']) {
        assertEqual(await apiStatus(http, path, withCookie), 401, `${path} with the signed-out cookie`);
      }
      assertEqual((await api(http, '/api/v1/whoami')).role, 'ROLE_ADMIN', 'the token itself after signing out');
    });

    assertEqual(page.errors, [], 'errors in the page');
    console.log(`screenshots: ${artifacts}; took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${results.length} passed, 0 failed`);
    return 0;
  } catch (error) {
    console.error(`not ok ${results.length + 1} - ${error.stack || error}`);
    if (page) {
      if (page.errors.length) console.error(`page errors:\n  ${page.errors.join('\n  ')}`);
      await page.screenshot(join(artifacts, 'failure.png')).catch(() => {});
      console.error(`screenshot of the failure: ${join(artifacts, 'failure.png')}`);
    }
    console.log(`${results.length} passed, 1 failed`);
    return 1;
  } finally {
    await browser?.close().catch(() => {});
    await stopCollector(collector).catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

process.exitCode = await main();
