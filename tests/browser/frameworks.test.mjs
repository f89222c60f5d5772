// The dashboard's frameworks view (web/frameworks.js) in real headless Chromium against a
// real postura-collector process: the crosswalk report of each framework and an alignment
// of two, checked row by row against GET /api/v1/crosswalk, the same answer the page
// asked for. Screenshots go to $POSTURA_BROWSER_ARTIFACTS.
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/frameworks.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) without Chromium.
import { join } from 'node:path';

import {
  api, artifacts, assert, assertEqual, runDashboardTest,
} from './harness.mjs';

// web/frameworks.js's cells, restated so that changing them changes this test.
const levelText = (level) => (level === null || level === undefined ? '—' : Number(level).toFixed(2));
const percent = (share) => `${Math.round(100 * share)}%`;
const coverageText = (s) => (s.applicable ? `${percent(s.coverage)} (${s.evaluated} of ${s.applicable})` : 'n/a');
const statusText = (s) => `${s.status}${s.level !== null && !s.complete ? ' (incomplete)' : ''}`;

// The rows of the table `testid`: {control: [cells]}.
function shownRows(page, testid) {
  return page.evaluate((id) => Object.fromEntries([...document.querySelectorAll(`[data-testid="${id}"] tbody tr`)]
    .map((tr) => [tr.dataset.control, [...tr.querySelectorAll('td')].map((td) => td.textContent)])), testid);
}

// Chooses `framework` and `against` in the view and waits until it shows their answer;
// returns the query it loaded.
async function choose(page, framework, against) {
  const query = await page.evaluate((f, a) => {
    const pick = (testid, value) => {
      const select = document.querySelector(`[data-testid="${testid}"]`);
      select.value = value;
      select.dispatchEvent(new Event('change'));
    };
    pick('frameworks-framework', f);
    pick('frameworks-against', a);
    return document.querySelector('[data-testid="frameworks-framework"]').closest('.card').querySelector('[aria-live]').dataset.query;
  }, framework, against);
  await page.waitFor((q) => document.querySelector(`[data-query="${q}"]`)?.dataset.loaded === q, [query]);
  return query;
}

process.exitCode = await runDashboardTest('frameworks', {
  body: async ({ grpc, http, outcomeIds, page, check }) => {
    await page.evaluate(() => { location.hash = '#/frameworks'; });
    await page.waitFor(() => !document.getElementById('view-frameworks').hidden);

    for (const framework of ['csf2.0', 'sp800-53r5', 'iso27001-2013', 'iso27001-2022']) {
      await check(`${framework}: every control with its status, level and coverage, as the API answers`, async () => {
        const query = await choose(page, framework, '');
        const report = await api(http, query);
        const shown = await shownRows(page, 'frameworks-controls');
        assertEqual(Object.keys(shown).length, report.controls.length, `${framework}: rows`);
        for (const control of report.controls) {
          assertEqual(shown[control.id], [control.id, control.title || 'title not shipped', statusText(control), levelText(control.level), coverageText(control)],
            `${framework}: ${control.id}`);
        }
        assert(report.controls.some((c) => c.evaluated > 0), `${framework}: the evidence should reach some control`);
        const summary = await page.evaluate(() => document.querySelector('[data-testid="frameworks-summary"]').textContent);
        assert(summary.startsWith(`${report.summary.knownControls} controls known, ${report.summary.mappedControls} with mapped outcomes`), `${framework}: summary "${summary}"`);
      });
    }

    await check('an alignment shows the shared controls with their shared status and what each lacks', async () => {
      const query = await choose(page, 'csf2.0', 'iso27001-2022');
      const report = await api(http, query);
      const shared = await shownRows(page, 'frameworks-shared');
      assertEqual(Object.keys(shared).length, report.shared.length, 'shared rows');
      for (const item of report.shared) {
        assertEqual(shared[item.id], [item.id, item.counterparts.map((c) => c.id).join(', '), statusText(item.shared), levelText(item.shared.level), coverageText(item.shared)],
          `shared ${item.id}`);
      }
      const only = await shownRows(page, 'frameworks-only-framework');
      assertEqual(Object.keys(only).sort(), report.onlyInFramework.map((c) => c.id).sort(), 'only in CSF 2.0');
      assert(report.onlyInFramework.some((c) => c.id === 'ID.RA-08'), 'RS.AN-5 reaches no ISO 27001:2022 control: ID.RA-08 is CSF\'s alone');
      await page.screenshot(join(artifacts, 'frameworks-alignment.png'));
    });
  },
});
