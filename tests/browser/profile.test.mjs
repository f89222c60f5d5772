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
import { join } from 'node:path';

import {
  api, artifacts, assert, assertEqual, fixture, runDashboardTest, trust,
} from './harness.mjs';

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

process.exitCode = await runDashboardTest('profile', {
  // payroll (IG3, mostly unreported) must climb; platform has no targets.
  prepare: async ({ grpc }) => {
    await fixture('targets', trust.dataDir, grpc, 'payroll', 'asset>=0.45', 'function:PR>=0.5');
  },
  body: async ({ grpc, http, outcomeIds, page, check }) => {
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
  },
});
