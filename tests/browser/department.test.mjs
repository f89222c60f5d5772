// The dashboard signed in with a department officer's token (ROLE_DEPARTMENT, issue 17
// item 7) in real headless Chromium against a real postura-collector process: the top bar
// names the officer's department, the overview shows its department's assets instead of
// the organisation's figures (which the collector refuses it), the asset list holds only
// them, another department's or a supplier's asset is "no such asset", and the page
// reports no error (no call it makes is refused). Screenshots go to
// $POSTURA_BROWSER_ARTIFACTS.
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/department.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) without Chromium.
import { join } from 'node:path';

import {
  artifacts, assert, assertEqual, fixture, runDashboardTest, trust,
} from './harness.mjs';

process.exitCode = await runDashboardTest('department', {
  // The fixture's organisation: portal and payroll in the department finance, platform
  // run by the supplier hoster. The page signs in as a finance officer.
  prepare: async ({ grpc }) => (await fixture('token', trust.dataDir, grpc, 'department', 'finance')).trim(),
  body: async ({ grpc, http, outcomeIds, page, check }) => {
    await check('the top bar names the officer and its department', async () => {
      const shown = await page.waitFor(() => {
        const box = document.querySelector('[data-testid="session-owner"]');
        return box && !box.hidden && box.dataset.role ? { role: box.dataset.role, text: box.textContent } : null;
      });
      assertEqual(shown.role, 'ROLE_DEPARTMENT', 'role shown');
      assert(shown.text.includes('department officer · department finance'), `session box "${shown.text}"`);
    });

    await check('the overview shows its department\'s assets, live, instead of the organisation', async () => {
      const overview = await page.waitFor(() => {
        const note = document.querySelector('[data-testid="supplier-note"]');
        const links = [...document.querySelectorAll('#view-overview a[href^="#/asset/"]')].map((a) => a.getAttribute('href')).sort();
        return note && links.length === 2 && document.getElementById('live').dataset.status === 'live'
          ? { title: document.querySelector('#view-overview .view-title').textContent, note: note.textContent, links } : null;
      });
      assertEqual(overview.title, 'Your department\'s assets (finance)', 'overview title');
      assert(overview.note.includes('the assets of your department'), `note "${overview.note}"`);
      assertEqual(overview.links, ['#/asset/payroll', '#/asset/portal'], 'assets on the overview');
      assert(!(await page.evaluate(() => document.querySelector('[data-testid="org-index"]'))), 'no organisation index');
      await page.screenshot(join(artifacts, 'department-overview.png'));
    });

    await check('the asset list holds the department\'s assets only; another\'s is no such asset', async () => {
      await page.evaluate(() => { location.hash = '#/assets'; });
      await page.waitFor(() => [...document.querySelectorAll('[data-testid="asset-table"] tbody tr[data-asset-id]')]
        .map((row) => row.dataset.assetId).sort().join() === 'payroll,portal');
      await page.evaluate(() => { location.hash = '#/asset/portal'; });
      await page.waitFor(() => document.querySelector('[data-testid="detail-value"]')?.textContent);
      // No call the asset page makes for its own department's asset is refused.
      assertEqual(page.errors.filter((e) => /status of 4\d\d/.test(e)), [], 'refused calls on its own asset');
      await page.evaluate(() => { location.hash = '#/asset/platform'; });
      const title = await page.waitFor(() => {
        const shown = document.querySelector('#view-asset .view-title')?.textContent;
        return shown === 'No such asset' ? shown : null;
      });
      assertEqual(title, 'No such asset', 'the supplier\'s asset');
      page.errors.splice(0);  // Its 404, expected.
    });
  },
});
