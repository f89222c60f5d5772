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

async function main() {
  if (!existsSync(chromiumPath)) {
    console.log(`SKIP: Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
    return SKIP;
  }
  for (const [what, path] of [['POSTURA_COLLECTOR_BIN', collectorBin], ['POSTURA_DASHBOARD_FIXTURE', fixtureBin]]) {
    assert(existsSync(path), `${what}: no binary at ${path}`);
  }
  await mkdir(artifacts, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'postura-frameworks-'));
  let collector = null;
  let browser = null;
  let page = null;
  try {
    collector = await startCollector(dir, 'collector-frameworks.log');
    const { grpc, http } = collector;
    trust.dataDir = join(dir, 'data');
    trust.ca = readFileSync(join(trust.dataDir, 'tls', 'ca.crt'), 'utf8');
    trust.token = readFileSync(join(trust.dataDir, 'admin.token'), 'utf8').trim();
    await fixture('register', trust.dataDir, grpc);
    const outcomeIds = {};
    for (const id of ['platform', 'portal', 'payroll']) outcomeIds[id] = outcomesOf(await api(http, `/api/v1/assets/${id}`)).map((o) => o.id);
    await sendEvidence(grpc, initialEvidence(outcomeIds));
    await apiEventually(http, '/api/v1/assets', (list) => list.assets.every((a) => a.outcomesLive > 0), 'the initial evidence');

    const spki = (await fixture('spki', join(trust.dataDir, 'tls', 'server.crt'))).trim();
    browser = await Browser.launch({
      executable: chromiumPath, userDataDir: join(dir, 'chromium'), logPath: join(artifacts, 'chromium-frameworks.log'),
      extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`],
    });
    page = await browser.newPage(1280, 900);
    await page.goto(`https://${http}/#token=${encodeURIComponent(trust.token)}`);
    await page.waitFor(() => document.getElementById('sign-in') === null && !document.getElementById('view-overview').hidden);
    page.errors.splice(0);  // The page first asks whether a session is open: 401, expected.
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

    assertEqual(page.errors, [], 'errors in the page');
    console.log(`${results.length} passed, 0 failed`);
    return 0;
  } catch (error) {
    console.error(`not ok ${results.length + 1} - ${error.stack || error}`);
    if (page) {
      if (page.errors.length) console.error(`page errors:\n  ${page.errors.join('\n  ')}`);
      await page.screenshot(join(artifacts, 'frameworks-failure.png')).catch(() => {});
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
