// The dashboard's trends and "changes since" lists (web/trends.js, web/trend_chart.js) in
// real headless Chromium against a real postura-collector process.
//
// Registers the organisation of dashboard.test.mjs with two targets on portal (its value
// >= 0.5 and ID_AM_CSC_1_1 >= 0.67), sends the initial evidence, then raises portal's
// outcomes in four batches a second apart, so that the collector's history (kept on its
// real clock) holds several points and portal's targets go from missed to met. Then checks
// that each chart draws every point of the history the collector answers, where the
// y-axis puts it, the value-scale target as a line at its value, the first, last, lowest
// and highest values in text, and that the changes lists show the collector's diff with
// before and after. Screenshots go to $POSTURA_BROWSER_ARTIFACTS.
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/trends.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) without Chromium.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  api, apiEventually, artifacts, assert, assertEqual, browserTestCanRun, fixture,
  fixtureOutcomeIds, initialEvidence, launchBrowser, outcomesOf, readTrust, sendEvidence, signIn,
  SKIP, sleep, startCollector, stopCollector, trust,
} from './harness.mjs';

// The dashboard's formats (web/format.js), restated so that changing them changes this test.
const fmtValue = (v) => Number(v).toFixed(2);
const LEVEL_TEXT = { DLI_0: '0', DLI_33: '0.33', DLI_67: '0.67', DLI_100: '1' };
const STATE_TEXT = { LIVE: 'live', STALE: 'stale', NO_EVIDENCE: 'no evidence' };
const VALUE_TARGET = 0.5;
// web/remediation.js's durations.
function fmtDuration(seconds) {
  const s = Number(seconds ?? 0);
  if (!(s > 0)) return '—';
  if (s < 1) return '< 1 s';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

const millis = (rfc3339) => Date.parse(rfc3339.replace(/(\.\d{3})\d+/, '$1'));

const results = [];
async function check(name, body) {
  const started = Date.now();
  await body();
  results.push(name);
  console.log(`ok ${results.length} - ${name} (${Date.now() - started} ms)`);
}

// Whether `expected` appears in `values` in order, not necessarily adjacent.
function inOrder(values, expected) {
  let at = 0;
  for (const value of values) if (at < expected.length && value === expected[at]) at += 1;
  return at === expected.length;
}

// Raises portal's outcomes in `steps` batches about a second apart; returns the asset's
// and the organisation's values published after each, oldest first. The last batch
// raises ID_AM_CSC_1_1 to 1, so that all of portal's targets are met from then on.
async function recordHistory(http, grpc, steps) {
  const portal = [];
  const organization = [];
  for (let step = 0; step < steps; ++step) {
    await sleep(1100);
    const before = await api(http, '/api/v1/assets/portal');
    const raise = outcomesOf(before).filter((o) => o.id !== 'ID_AM_CSC_1_1' && (o.level !== 'DLI_100' || o.state !== 'LIVE'))
      .slice(0, 6).map((o) => `portal:${o.id}:1`);
    if (step === steps - 1) raise.push('portal:ID_AM_CSC_1_1:1');
    await sendEvidence(grpc, raise);
    const after = await apiEventually(http, '/api/v1/assets/portal', (s) => s.summary.value !== before.summary.value, `portal's value after batch ${step + 1}`);
    portal.push(after.summary.value);
    organization.push((await api(http, '/api/v1/organization')).index);
  }
  assert((await api(http, '/api/v1/assets/portal')).summary.targetsMet, 'portal should meet its targets after the last batch');
  // The history is written by its own thread, after the live scores: the charts are
  // compared with it once it holds every value published (seen lagging under ASan).
  await apiEventually(http, '/api/v1/assets/portal/history', (h) => inOrder(h.points.map((p) => p.value), portal), 'portal\'s history');
  await apiEventually(http, '/api/v1/organization/history', (h) => inOrder(h.points.map((p) => p.value), organization), 'the organisation\'s history');
  return { portal, organization };
}

// What the trend card matching `selector` draws, read from its SVG and text.
function shownChart(page, selector) {
  return page.evaluate((sel) => {
    const card = document.querySelector(sel);
    const svg = card.querySelector('svg.trend-svg');
    const axis = Object.fromEntries([...svg.querySelectorAll('text.chart-axis')].filter((t) => ['0', '1'].includes(t.textContent))
      .map((t) => [t.textContent, Number(t.getAttribute('y')) - 4]));
    return {
      query: card.dataset.query,
      every: card.dataset.every,
      label: svg.getAttribute('aria-label'),
      describedBy: document.getElementById(svg.getAttribute('aria-describedby'))?.dataset.testid ?? null,
      points: [...svg.querySelectorAll('circle.trend-point-value')].map((c) => ({ value: Number(c.dataset.value), time: c.dataset.time, cy: Number(c.getAttribute('cy')) })),
      adjusted: [...svg.querySelectorAll('rect.trend-point-adjusted')].map((r) => Number(r.dataset.value)),
      met: [...svg.querySelectorAll('.trend-met rect')].map((r) => r.dataset.met === 'true'),
      targets: [...svg.querySelectorAll('.trend-target')].map((g) => ({ value: Number(g.dataset.value), y: Number(g.querySelector('line').getAttribute('y1')), text: g.querySelector('text').textContent })),
      ticks: [...svg.querySelectorAll('.trend-tick')].map((t) => ({ time: t.dataset.time, text: t.textContent })),
      summary: Object.fromEntries([...card.querySelectorAll('[data-testid="trend-summary"] dd')].map((dd) => [dd.dataset.field, [Number(dd.dataset.value), dd.firstChild.textContent]])),
      y0: axis['0'],
      y1: axis['1'],
    };
  }, selector);
}

// Checks the chart of `selector` against the history the collector answers to the same
// query; returns what it shows.
async function chartMatchesHistory(page, http, selector, { path, targets }) {
  await page.waitFor((sel) => document.querySelector(`${sel} svg.trend-svg`) !== null && document.querySelector(sel).dataset.query, [selector]);
  const shown = await shownChart(page, selector);
  assert(shown.query.startsWith(`${path}?`) || shown.query.startsWith(`${path}&`), `chart query ${shown.query} is not of ${path}`);
  const history = await api(http, shown.query);
  const points = history.points;
  assertEqual(shown.points.length, points.length, `${selector}: number of points`);
  assertEqual(shown.points.map((p) => p.value), points.map((p) => p.value), `${selector}: values`);
  assertEqual(shown.points.map((p) => p.time), points.map((p) => new Date(millis(p.time)).toISOString()), `${selector}: times`);
  assertEqual(shown.adjusted, points.map((p) => p.adjustedValue), `${selector}: adjusted values`);
  assertEqual(shown.met, points.map((p) => p.targetsMet), `${selector}: targets met strip`);
  const y = (v) => shown.y0 + (shown.y1 - shown.y0) * v;
  for (const p of shown.points) assert(Math.abs(p.cy - y(p.value)) < 0.01, `${selector}: point ${p.value} drawn at y ${p.cy}, the axis puts it at ${y(p.value)}`);
  assertEqual(shown.targets.map((t) => [t.value, t.text]), targets.map((v) => [v, `target ≥ ${fmtValue(v)}`]), `${selector}: target lines`);
  for (const t of shown.targets) assert(Math.abs(t.y - y(t.value)) < 0.01, `${selector}: target ${t.value} drawn at y ${t.y}, the axis puts it at ${y(t.value)}`);
  const values = points.map((p) => p.value);
  const expected = { first: values[0], last: values[values.length - 1], min: Math.min(...values), max: Math.max(...values) };
  assertEqual(shown.summary, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, [v, fmtValue(v)]])), `${selector}: first, last, lowest and highest`);
  assert(shown.label.includes(`first ${fmtValue(expected.first)}, last ${fmtValue(expected.last)}, lowest ${fmtValue(expected.min)}, highest ${fmtValue(expected.max)}`),
    `${selector}: aria-label "${shown.label}"`);
  assertEqual(shown.describedBy, 'trend-summary', `${selector}: the chart is described by its summary`);
  const tickTimes = shown.ticks.map((t) => Date.parse(t.time));
  assert(shown.ticks.length === 5 && shown.ticks.every((t) => /\d\d:\d\d/.test(t.text)), `${selector}: ticks ${JSON.stringify(shown.ticks)}`);
  assert(tickTimes.every((t, i) => i === 0 || t > tickTimes[i - 1]) && tickTimes[0] <= millis(points[0].time) &&
    tickTimes[4] >= millis(points[points.length - 1].time), `${selector}: ticks do not span the points: ${JSON.stringify(shown.ticks)}`);
  return { shown, points };
}

function shownChanges(page, selector) {
  return page.evaluate((sel) => {
    const card = document.querySelector(sel);
    const text = (row, col) => row.querySelector(`[data-col="${col}"]`)?.textContent ?? null;
    return {
      query: card.dataset.query,
      count: card.querySelector('[data-testid="changes-count"]')?.textContent ?? null,
      from: card.querySelector('[data-testid="changes-count"]')?.dataset.from ?? null,
      clamped: card.querySelector('[data-testid="changes-clamped"]') !== null,
      error: card.querySelector('.inline-error')?.textContent ?? null,
      rows: [...card.querySelectorAll('table.changes tbody tr')].map((row) => ({
        key: row.dataset.outcome ?? row.dataset.asset,
        cells: [...row.querySelectorAll('td')].filter((td) => td.dataset.col !== 'evidence').map((td) => td.textContent),
        link: row.querySelector('a')?.getAttribute('href') ?? null,
      })),
    };
  }, selector);
}

async function main() {
  if (!(await browserTestCanRun())) return SKIP;
  const dir = await mkdtemp(join(tmpdir(), 'postura-trends-'));
  let collector = null;
  let browser = null;
  let page = null;
  const started = Date.now();
  try {
    collector = await startCollector(dir, 'collector-trends.log');
    const { grpc, http } = collector;
    readTrust(dir);
    await fixture('register', trust.dataDir, grpc);
    await fixture('targets', trust.dataDir, grpc, 'portal', 'outcome:ID_AM_CSC_1_1>=0.67', `asset>=${VALUE_TARGET}`);
    const outcomeIds = await fixtureOutcomeIds(http);
    const items = initialEvidence(outcomeIds);
    await sendEvidence(grpc, items);
    await apiEventually(http, '/api/v1/assets', (list) => list.assets.every((a) => a.outcomesLive > 0), 'the initial evidence');
    const published = await recordHistory(http, grpc, 4);
    console.log(`   portal published ${published.portal.map(fmtValue).join(' -> ')}, the organisation ${published.organization.map(fmtValue).join(' -> ')}`);

    browser = await launchBrowser(dir, 'trends');
    page = await browser.newPage(1280, 900);
    await signIn(page, http);

    await check('the asset trend draws every point of the asset\'s history, its value target as a line, and the figures in text', async () => {
      await page.evaluate(() => { location.hash = '#/asset/portal'; });
      const { shown, points } = await chartMatchesHistory(page, http, '[data-testid="asset-trend"]', { path: '/api/v1/assets/portal/history', targets: [VALUE_TARGET] });
      assert(points.length >= 5, `the history should hold the initial evidence and 4 batches, has ${points.length} points`);
      assert(inOrder(points.map((p) => p.value), published.portal), `the values published after each batch (${published.portal}) are not in the chart's history (${points.map((p) => p.value)})`);
      assert(shown.met.includes(false) && shown.met[shown.met.length - 1] === true, `portal's targets should go from missed to met: ${shown.met}`);
      assertEqual(shown.every, 'true', 'a history younger than the range shows every change');
      assertEqual(shown.summary.last[0], (await api(http, '/api/v1/assets/portal')).summary.value, 'last value is the current one');
      await page.screenshot(join(artifacts, 'trends-asset.png'));
    });

    await check('choosing another range draws the chart again from the collector\'s answer', async () => {
      await page.evaluate(() => { window.__oldChart = document.querySelector('[data-testid="asset-trend"] figure'); });
      await page.click('[data-testid="asset-trend"] input[value="1y"]');
      await page.waitFor(() => document.querySelector('[data-testid="asset-trend"] figure') !== window.__oldChart &&
        document.querySelector('[data-testid="asset-trend"] input[value="1y"]').checked);
      await chartMatchesHistory(page, http, '[data-testid="asset-trend"]', { path: '/api/v1/assets/portal/history', targets: [VALUE_TARGET] });
    });

    await check('the asset\'s changes since yesterday are the collector\'s diff, from when its history began', async () => {
      await page.waitFor(() => document.querySelector('[data-testid="asset-changes"] [data-testid="changes-count"]') !== null);
      const shown = await shownChanges(page, '[data-testid="asset-changes"]');
      const window = await api(http, '/api/v1/history');
      assert(shown.clamped, 'a store younger than a day should say the list starts when its history began');
      assertEqual(shown.from, new Date(millis(window.began)).toISOString(), 'changes from');
      const diff = await api(http, shown.query);
      assert(diff.changes.length > 0, 'the diff should hold changes');
      assertEqual(shown.count, `${diff.changes.length} changes since ${await page.evaluate((ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }), millis(window.began))}`, 'count line');
      const text = (side) => `${LEVEL_TEXT[side.level]} ${STATE_TEXT[side.state]}`;
      assertEqual(shown.rows, diff.changes.map((c) => ({ key: c.outcome, cells: [c.outcome, text(c.before), `→ ${text(c.after)}`], link: null })), 'asset change rows');
      const raised = shown.rows.find((r) => r.key === 'ID_AM_CSC_1_1');
      assertEqual(raised?.cells, ['ID_AM_CSC_1_1', '0 no evidence', '→ 1 live'], 'the outcome raised by the last batch');
    });

    await check('a date in the future is refused with a message, without asking the collector', async () => {
      await page.evaluate(() => {
        const card = document.querySelector('[data-testid="asset-changes"]');
        const select = card.querySelector('select');
        select.value = 'date';
        select.dispatchEvent(new Event('change'));
        const input = card.querySelector('input[type="date"]');
        const tomorrow = new Date(Date.now() + 36 * 3600 * 1000);
        input.value = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
        input.dispatchEvent(new Event('change'));
      });
      const error = await page.waitFor(() => document.querySelector('[data-testid="asset-changes"] .inline-error')?.textContent);
      assert(/^\d{4}-\d\d-\d\d is in the future\.$/.test(error), `message: "${error}"`);
      assertEqual(await page.evaluate(() => !document.querySelector('[data-testid="asset-changes"] input[type="date"]').hidden), true, 'date input shown');
    });

    await check('the overview trend draws the organisation\'s history, then a department\'s', async () => {
      await page.evaluate(() => { location.hash = '#/'; });
      await page.waitFor(() => !document.getElementById('view-overview').hidden && document.querySelector('[data-testid="org-index"]'));
      const { points } = await chartMatchesHistory(page, http, '[data-testid="org-trend"]', { path: '/api/v1/organization/history', targets: [] });
      assert(inOrder(points.map((p) => p.value), published.organization), `the organisation's published indexes (${published.organization}) are not in the chart (${points.map((p) => p.value)})`);
      const options = await page.evaluate(() => [...document.querySelectorAll('[data-testid="org-trend"] select option')].map((o) => [o.value, o.textContent]));
      assertEqual(options, [['organization', 'Organisation'], ['department:finance', 'Department Finance'], ['supplier:hoster', 'Supplier Hosting Ltd']], 'trend subjects');
      await page.evaluate(() => {
        const select = document.querySelector('[data-testid="org-trend"] select');
        select.value = 'department:finance';
        select.dispatchEvent(new Event('change'));
      });
      await page.waitFor(() => document.querySelector('[data-testid="org-trend"]').dataset.query.includes('department=finance'));
      await chartMatchesHistory(page, http, '[data-testid="org-trend"]', { path: '/api/v1/organization/history?department=finance', targets: [] });
      await page.screenshot(join(artifacts, 'trends-overview.png'), { fullPage: true });
    });

    await check('the organisation\'s changes list each changed asset with its value before and after, linked to the asset', async () => {
      await page.waitFor(() => document.querySelector('[data-testid="org-changes"] [data-testid="changes-count"]') !== null);
      const shown = await shownChanges(page, '[data-testid="org-changes"]');
      const diff = await api(http, shown.query);
      const names = Object.fromEntries((await api(http, '/api/v1/assets')).assets.map((a) => [a.assetId, a.name]));
      const moved = (before, after) => (before === after ? fmtValue(after) : `${fmtValue(before)} → ${fmtValue(after)}`);
      const met = (m) => (m ? '✓ met' : '✗ not met');
      assertEqual(shown.rows, diff.changes.map((c) => ({
        key: c.asset,
        cells: [names[c.asset], moved(c.valueBefore, c.valueAfter), moved(c.adjustedValueBefore, c.adjustedValueAfter),
          c.targetsMetBefore === c.targetsMetAfter ? met(c.targetsMetAfter) : `${met(c.targetsMetBefore)} → ${met(c.targetsMetAfter)}`],
        link: `#/asset/${c.asset}`,
      })), 'organisation change rows');
      const portal = shown.rows.find((r) => r.key === 'portal');
      assert(portal && portal.cells[1].startsWith('0.00 → '), `portal should have risen from 0: ${JSON.stringify(portal)}`);
      await page.click('[data-testid="org-changes"] tr[data-asset="portal"] a');
      await page.waitFor(() => location.hash === '#/asset/portal' && document.querySelector('[data-testid="detail-name"]')?.textContent === 'Customer portal');
    });

    await check('the remediation card shows the collector\'s remediation times by area, then by asset', async () => {
      await page.evaluate(() => { location.hash = '#/'; });
      const shownRemediation = () => page.evaluate(() => {
        const card = document.querySelector('[data-testid="remediation"]');
        const cells = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent);
        return {
          query: card.dataset.query,
          rows: [...card.querySelectorAll('tbody tr')].map((tr) => [tr.dataset.key, ...cells(tr)]),
          links: [...card.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('a')?.getAttribute('href') ?? null),
          total: [...card.querySelectorAll('tfoot tr')].map(cells)[0],
        };
      });
      // The oldest open gap's age grows between the page's request and the test's: checked
      // for its form, and present exactly when a gap is open.
      const figures = (g) => [String(g.closed), fmtDuration(g.medianSeconds), fmtDuration(g.p90Seconds), String(g.open)];
      const withoutAge = (cells) => cells.slice(0, -1);
      const ageFits = (cells) => (cells[4] === '0' ? cells[5] === '—' : /^\d+(\.\d)? (s|min|h|d)$/.test(cells[5]));
      for (const by of ['function', 'asset']) {
        await page.evaluate((b) => {
          const select = document.getElementById('remediation-by');
          if (select.value !== b) {
            select.value = b;
            select.dispatchEvent(new Event('change'));
          }
        }, by);
        await page.waitFor((b) => document.querySelector('[data-testid="remediation"]')?.dataset.query === `/api/v1/remediation?by=${b}`, [by]);
        const shown = await shownRemediation();
        const answer = await api(http, shown.query);
        assertEqual(shown.rows.map(withoutAge), answer.groups.slice(0, 10).map((g) => [g.key, ...figures(g)]), `remediation rows by ${by}`);
        assertEqual(shown.total.slice(0, -1), figures(answer.total), `remediation total by ${by}`);
        for (const cells of [...shown.rows, ['total', ...shown.total]]) assert(ageFits(cells), `oldest open gap of ${cells[0]}: ${cells}`);
        if (by === 'asset') {
          const portal = answer.groups.find((g) => g.key === 'portal');
          assert(portal && portal.closed >= 1, `portal's raised outcomes should have closed gaps: ${JSON.stringify(portal)}`);
          assertEqual(shown.links[shown.rows.findIndex((r) => r[0] === 'portal')], '#/asset/portal', 'portal row links to the asset');
        }
      }
      await page.evaluate(() => document.querySelector('[data-testid="remediation"]').scrollIntoView());
      await page.screenshot(join(artifacts, 'trends-remediation.png'));
    });

    await check('trends fit a narrow window (390 px) without sideways scrolling', async () => {
      await page.setViewport(390, 844);
      for (const [hash, view, card] of [['#/', 'view-overview', 'org-trend'], ['#/asset/portal', 'view-asset', 'asset-trend']]) {
        await page.evaluate((h) => { location.hash = h; }, hash);
        await page.waitFor((id, c) => !document.getElementById(id).hidden && document.querySelector(`[data-testid="${c}"] svg`), [view, card]);
        await sleep(100);
        const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
        assert(widths.page <= widths.viewport, `${hash}: page is ${widths.page} px wide in a ${widths.viewport} px window`);
        await page.evaluate((c) => document.querySelector(`[data-testid="${c}"]`).scrollIntoView(), card);
        await page.screenshot(join(artifacts, `trends-narrow-${view}.png`));
      }
    });

    assertEqual(page.errors, [], 'errors in the page');
    console.log(`screenshots: ${artifacts}; took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${results.length} passed, 0 failed`);
    return 0;
  } catch (error) {
    console.error(`not ok ${results.length + 1} - ${error.stack || error}`);
    if (page) {
      if (page.errors.length) console.error(`page errors:\n  ${page.errors.join('\n  ')}`);
      await page.screenshot(join(artifacts, 'trends-failure.png')).catch(() => {});
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
