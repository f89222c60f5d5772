// The dashboard's profile (web/profile.js) in real headless Chromium against a real
// postura-collector process: the Profile section of an asset page and the organisation's
// Profile page show the roadmap the API answers (GET /api/v1/assets/{id}/profile and GET
// /api/v1/profile), step by step in the same order, its phases in IG order, and the values
// reached rise to the target profile's. Screenshots go to $POSTURA_BROWSER_ARTIFACTS.
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/profile.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) without Chromium.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Browser } from './cdp.mjs';
import {
  api, apiEventually, artifacts, assert, assertEqual, chromiumPath, collectorBin, fixture, fixtureBin,
  initialEvidence, outcomesOf, SKIP, sendEvidence, startCollector, stopCollector, trust,
} from './harness.mjs';

const results = [];
async function check(name, body) {
  const started = Date.now();
  await body();
  results.push(name);
  console.log(`ok ${results.length} - ${name} (${Date.now() - started} ms)`);
}

// The roadmap rows the page shows under `testid`: [{step, asset, outcome, reached}], in order.
function shownRoadmap(page, testid) {
  return page.evaluate((id) => [...document.querySelectorAll(`[data-testid="${id}"] tbody tr[data-step]`)]
    .map((tr) => ({ step: Number(tr.dataset.step), asset: tr.dataset.asset ?? null, outcome: tr.dataset.outcome, reached: Number(tr.dataset.reached) })), testid);
}

function shownPhases(page, testid) {
  return page.evaluate((id) => [...document.querySelectorAll(`[data-testid="${id}"] h4[data-phase]`)].map((h) => Number(h.dataset.phase)), testid);
}

// The roadmap's rules on the API's answer: phases never go back, values reached never fall
// and end at `target`.
function assertRisesTo(roadmap, start, target, field, what) {
  assert(roadmap.length > 0, `${what}: the roadmap is empty`);
  let phase = 1;
  let value = start;
  for (const action of roadmap) {
    assert(action.phase >= phase, `${what}: phase ${action.phase} after phase ${phase}`);
    phase = action.phase;
    assert(action[field] >= value - 1e-12, `${what}: ${action.outcomeId} reaches ${action[field]} after ${value}`);
    value = action[field];
  }
  assert(Math.abs(value - target) < 1e-12, `${what}: the last step reaches ${value}, the target profile ${target}`);
}

async function main() {
  if (!existsSync(chromiumPath)) {
    console.log(`SKIP: Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
    return SKIP;
  }
  for (const [what, path] of [['POSTURA_COLLECTOR_BIN', collectorBin], ['POSTURA_DASHBOARD_FIXTURE', fixtureBin]]) {
    assert(existsSync(path), `${what}: no binary at ${path}`);
  }
  await mkdir(artifacts, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'postura-profile-'));
  let collector = null;
  let browser = null;
  let page = null;
  try {
    collector = await startCollector(dir, 'collector-profile.log');
    const { grpc, http } = collector;
    trust.dataDir = join(dir, 'data');
    trust.ca = readFileSync(join(trust.dataDir, 'tls', 'ca.crt'), 'utf8');
    trust.token = readFileSync(join(trust.dataDir, 'admin.token'), 'utf8').trim();
    await fixture('register', trust.dataDir, grpc);
    const outcomeIds = {};
    for (const id of ['platform', 'portal', 'payroll']) outcomeIds[id] = outcomesOf(await api(http, `/api/v1/assets/${id}`)).map((o) => o.id);
    await sendEvidence(grpc, initialEvidence(outcomeIds));
    await apiEventually(http, '/api/v1/assets', (list) => list.assets.every((a) => a.outcomesLive > 0), 'the initial evidence');
    // payroll (IG3, mostly unreported) must climb; platform has no targets.
    await fixture('targets', trust.dataDir, grpc, 'payroll', 'asset>=0.45', 'function:PR>=0.5');

    const spki = (await fixture('spki', join(trust.dataDir, 'tls', 'server.crt'))).trim();
    browser = await Browser.launch({
      executable: chromiumPath, userDataDir: join(dir, 'chromium'), logPath: join(artifacts, 'chromium-profile.log'),
      extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`],
    });
    page = await browser.newPage(1280, 900);
    await page.goto(`https://${http}/#token=${encodeURIComponent(trust.token)}`);
    await page.waitFor(() => document.getElementById('sign-in') === null && !document.getElementById('view-overview').hidden);
    page.errors.splice(0);  // The page first asks whether a session is open: 401, expected.

    await check('an asset page shows the API\'s roadmap step by step, phases in order, values rising to the target', async () => {
      const path = '/api/v1/assets/payroll/profile';
      await page.evaluate(() => { location.hash = '#/asset/payroll'; });
      await page.waitFor((p) => document.querySelector('[data-testid="asset-profile"]')?.dataset.loaded === p, [path]);
      const profile = (await api(http, path)).assets[0];
      assertEqual(profile.basis, 'PLANNED', 'payroll\'s basis');
      assertRisesTo(profile.roadmap, profile.currentValue, profile.targetValue, 'assetValueReached', 'payroll');
      assert(profile.roadmap.at(-1).assetTargetsMet, 'the last step meets payroll\'s targets');
      const shown = await shownRoadmap(page, 'asset-profile-roadmap');
      assertEqual(shown, profile.roadmap.map((a, i) => ({ step: i + 1, asset: 'payroll', outcome: a.outcomeId, reached: a.assetValueReached })),
        'payroll\'s roadmap');
      assertEqual(await shownPhases(page, 'asset-profile-roadmap'), [...new Set(profile.roadmap.map((a) => a.phase))], 'phases');
      const functions = await page.evaluate(() => [...document.querySelectorAll('[data-testid="asset-profile-functions"] tbody tr')].map((tr) => tr.dataset.function));
      assertEqual(functions, profile.functions.map((f) => f.functionId), 'function rows');
      await page.screenshot(join(artifacts, 'profile-asset.png'));
    });

    await check('an asset without targets says so and shows no roadmap', async () => {
      const path = '/api/v1/assets/platform/profile';
      await page.evaluate(() => { location.hash = '#/asset/platform'; });
      await page.waitFor((p) => document.querySelector('[data-testid="asset-profile"]')?.dataset.loaded === p, [path]);
      const basis = await page.evaluate(() => document.querySelector('[data-testid="asset-profile-basis"]').dataset.basis);
      assertEqual(basis, 'NO_TARGETS', 'platform\'s basis');
      assertEqual(await shownRoadmap(page, 'asset-profile-roadmap'), [], 'platform\'s roadmap');
      const text = await page.evaluate(() => document.querySelector('[data-testid="asset-profile-roadmap"]').textContent);
      assert(text.startsWith('No roadmap'), `platform's roadmap says "${text}"`);
    });

    await check('the organisation\'s page shows the merged roadmap of the API, the index rising to the target', async () => {
      await page.evaluate(() => { location.hash = '#/profile'; });
      await page.waitFor(() => document.querySelector('[data-testid="org-profile"]')?.dataset.loaded === '/api/v1/profile');
      const profile = await api(http, '/api/v1/profile');
      const org = profile.organization;
      assertRisesTo(org.roadmap, org.indexCurrent, org.indexTarget, 'indexReached', 'organisation');
      const shown = await shownRoadmap(page, 'org-profile-roadmap');
      assertEqual(shown, org.roadmap.map((a, i) => ({ step: i + 1, asset: a.assetId, outcome: a.outcomeId, reached: a.indexReached })),
        'the organisation\'s roadmap');
      const tiers = await page.evaluate(() => [...document.querySelectorAll('[data-testid="org-profile-tiers"] tbody tr')]
        .map((tr) => [tr.dataset.scope, Number(tr.dataset.tier)]));
      assertEqual(tiers, org.tiers.tiers.map((t) => [t.scope, t.tier]), 'the implementation tiers');
      const counts = await page.evaluate(() => document.querySelector('[data-testid="org-profile-counts"]').textContent);
      assert(counts.includes(`${org.assetsMeetingTargets} of ${org.assetsWithTargets} assets with targets meet them now`), `counts "${counts}"`);
      await page.screenshot(join(artifacts, 'profile-organisation.png'));
    });

    assertEqual(page.errors, [], 'errors in the page');
    console.log(`${results.length} passed, 0 failed`);
    return 0;
  } catch (error) {
    console.error(`not ok ${results.length + 1} - ${error.stack || error}`);
    if (page) {
      if (page.errors.length) console.error(`page errors:\n  ${page.errors.join('\n  ')}`);
      await page.screenshot(join(artifacts, 'profile-failure.png')).catch(() => {});
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
