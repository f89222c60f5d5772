// The dashboard's Requests page (web/requests.js) in real headless Chromium against a real
// postura-collector process: a supplier signs in and uploads a real file (through the
// file input, DOM.setFileInputFiles) as its answer; the admin, who did not submit it,
// opens the document from the review queue and approves it, and the asset's value shown
// rises; a review the collector refuses shows its message; a rejection's comment shows
// back on the supplier's view; every request state shows; the asset page lists each
// outcome's answers; a risk exception shows beside its outcome and in the overview's count
// of gaps with an accepted risk. Screenshots go to $POSTURA_BROWSER_ARTIFACTS.
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/requests.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) without Chromium.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  api, apiEventually, artifacts, assert, assertEqual, browserTestCanRun, fixture,
  fixtureOutcomeIds, initialEvidence, launchBrowser, readTrust, sendInitialEvidence, signIn, SKIP,
  sleep, startCollector, stopCollector, trust,
} from './harness.mjs';

const results = [];
async function check(name, body) {
  const started = Date.now();
  await body();
  results.push(name);
  console.log(`ok ${results.length} - ${name} (${Date.now() - started} ms)`);
}

// POSTs `body` as JSON to the HTTPS API as the admin; the parsed answer.
function apiPost(http, path, body) {
  const [host, port] = [http.slice(0, http.lastIndexOf(':')), http.slice(http.lastIndexOf(':') + 1)];
  const data = JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = request({
      host, port, path, method: 'POST', ca: trust.ca,
      headers: { Authorization: `Bearer ${trust.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => (response.statusCode === 200 ? resolvePromise(JSON.parse(text)) : reject(new Error(`POST ${path}: HTTP ${response.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function openRequest(http, { title, outcome, owner, dueSeconds }) {
  const department = owner === 'finance';
  return (await apiPost(http, '/api/v1/requests', {
    title,
    outcomes: { outcomeIds: [outcome] },
    scopeKind: department ? 'REQUEST_SCOPE_DEPARTMENT' : 'REQUEST_SCOPE_SUPPLIER',
    scopeId: owner,
    ownerKind: department ? 'OWNER_DEPARTMENT' : 'OWNER_SUPPLIER',
    ownerId: owner,
    dueUnixSeconds: String(Math.floor(Date.now() / 1000) + dueSeconds),
  })).id;
}

// A 1280x1000 page of `browser`, signed in with `token`.
async function signedInPage(browser, http, token) {
  const page = await browser.newPage(1280, 1000);
  await signIn(page, http, token);
  return page;
}

// Shows the Requests page afresh (its data is read when it is shown). The table already
// on the page is marked stale first, so the wait ends only on a table rendered from the
// fresh read, never on the one left from the last visit.
async function showRequests(page) {
  await page.evaluate(() => {
    document.querySelector('[data-testid="all-requests"]')?.setAttribute('data-stale', '');
    location.hash = '#/';
  });
  await page.evaluate(() => { location.hash = '#/requests'; });
  await page.waitFor(() => !document.getElementById('view-requests').hidden && document.querySelector('[data-testid="all-requests"]:not([data-stale])'));
}

const row = (request, outcome) => `[data-testid="owner-request"][data-request-id="${request}"] tr[data-outcome-id="${outcome}"]`;
const queued = (request, outcome) => `[data-testid="review-item"][data-request-id="${request}"][data-outcome-id="${outcome}"]`;

// Answers `outcome` of `request` through the form in `page`: level, statement typed, and
// `file` chosen in the file input as a user would.
async function answer(page, request, outcome, level, statement, file) {
  const at = row(request, outcome);
  await page.waitFor((sel) => document.querySelector(`${sel} [data-testid="answer-form"]`), [at]);
  await page.evaluate((sel, value) => { document.querySelector(`${sel} [data-testid="answer-level"]`).value = value; }, at, level);
  await page.click(`${at} [data-testid="answer-statement"]`);
  await page.type(statement);
  const { result } = await page.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(`${at} [data-testid="answer-files"]`)})` });
  await page.send('DOM.setFileInputFiles', { files: [file], objectId: result.objectId });
  await page.click(`${at} [data-testid="answer-submit"]`);
  return page.waitFor((sel) => document.querySelector(`${sel} [data-testid="form-status"]`)?.textContent, [at]);
}

async function review(page, request, outcome, approve, comment) {
  const at = queued(request, outcome);
  await page.waitFor((sel) => document.querySelector(sel), [at]);
  await page.click(`${at} [data-testid="review-comment-input"]`);
  await page.type(comment);
  await page.click(`${at} [data-testid="${approve ? 'review-approve' : 'review-reject'}"]`);
}

async function main() {
  if (!(await browserTestCanRun())) return SKIP;
  const dir = await mkdtemp(join(tmpdir(), 'postura-requests-'));
  let collector = null;
  const browsers = [];
  const pages = {};
  try {
    collector = await startCollector(dir, 'collector-requests.log');
    const { grpc, http } = collector;
    readTrust(dir);
    await fixture('register', trust.dataDir, grpc);
    const outcomeIds = await fixtureOutcomeIds(http);
    await sendInitialEvidence(grpc, http, outcomeIds);
    // Outcomes of platform without evidence (initialEvidence skips every tenth): an
    // approved answer is the only thing that can move them.
    const [a, b, d] = outcomeIds.platform.filter((_, i) => i % 10 === 9);
    const c = outcomeIds.portal[0];
    const supplierToken = (await fixture('token', trust.dataDir, grpc, 'supplier', 'hoster')).trim();
    const reqA = await openRequest(http, { title: 'Supply chain 2027', outcome: a, owner: 'hoster', dueSeconds: 30 * 86400 });
    const reqB = await openRequest(http, { title: 'Recovery plan', outcome: b, owner: 'hoster', dueSeconds: 30 * 86400 });
    const dueSoon = Date.now() + 4000;
    const reqC = await openRequest(http, { title: 'Finance awareness', outcome: c, owner: 'finance', dueSeconds: 4 });
    const reqD = await openRequest(http, { title: 'Withdrawn ask', outcome: d, owner: 'hoster', dueSeconds: 30 * 86400 });
    await apiPost(http, `/api/v1/requests/${reqD}/cancel`, { reason: 'asked by mistake' });

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Hosting Ltd supplier policy v3, signed\ntrailer\n%%EOF\n');
    const policy = join(dir, 'supplier-policy.pdf');
    await writeFile(policy, pdf);
    const plan = join(dir, 'recovery-plan.txt');
    await writeFile(plan, 'Recovery plan, draft: restore from the nightly backup within 8 hours.\n');
    for (const who of ['supplier', 'admin']) {
      const browser = await launchBrowser(dir, `requests-${who}`);
      browsers.push(browser);
      pages[who] = await signedInPage(browser, http, who === 'supplier' ? supplierToken : trust.token);
    }
    const { supplier, admin } = pages;

    await check('the supplier sees its open requests, each outcome with a form; not the cancelled one', async () => {
      await showRequests(supplier);
      const shown = await supplier.evaluate(() => [...document.querySelectorAll('[data-testid="owner-request"]')].map((n) => n.dataset.requestId).sort());
      assertEqual(shown, [reqA, reqB].sort(), 'requests to answer');
      assert(!(await supplier.evaluate(() => document.querySelector('[data-testid="to-review"]'))), 'a supplier has no review queue');
    });

    await check('the supplier uploads a real file as its answer; the collector stores it as sent', async () => {
      const status = await answer(supplier, reqA, a, '1', 'Supplier policy v3, signed by our CISO.', policy);
      assert(status.includes('waits for review'), `form status "${status}"`);
      await supplier.waitFor((sel) => document.querySelector(`${sel} [data-testid="answer-state"]`)?.textContent === 'waiting for review', [row(reqA, a)]);
      const stored = (await api(http, `/api/v1/requests/${reqA}`)).outcomes[0].answer.documents;
      assertEqual(stored.map((x) => [x.fileName, x.mediaType, x.sizeBytes, x.sha256Hex]),
        [['supplier-policy.pdf', 'application/pdf', String(pdf.length), createHash('sha256').update(pdf).digest('hex')]], 'stored document');
      const second = await answer(supplier, reqB, b, '0.67', 'Our recovery plan.', plan);
      assert(second.includes('waits for review'), `form status "${second}"`);
      await supplier.screenshot(join(artifacts, 'requests-supplier-answered.png'), { fullPage: true });
    });

    let before = null;
    await check('the admin opens the document from the queue, approves, and the asset value shown rises', async () => {
      await admin.evaluate(() => { location.hash = '#/asset/platform'; });
      before = await admin.waitFor(() => document.querySelector('[data-testid="detail-value"]')?.textContent);
      await showRequests(admin);
      const link = await admin.waitFor((sel) => {
        const a = document.querySelector(`${sel} [data-testid="document-link"]`);
        return a && { href: a.getAttribute('href'), download: a.getAttribute('download') };
      }, [queued(reqA, a)]);
      assertEqual(link, { href: `/api/v1/documents/${createHash('sha256').update(pdf).digest('hex')}`, download: 'supplier-policy.pdf' }, 'document link');
      const fetched = await admin.evaluate(async (href) => {
        const response = await fetch(href);
        return { disposition: response.headers.get('Content-Disposition'), body: await response.text() };
      }, link.href);
      assert(fetched.disposition.startsWith('attachment'), `served as ${fetched.disposition}`);
      assertEqual(fetched.body, pdf.toString(), 'downloaded document');
      await review(admin, reqA, a, true, 'Signed policy seen.');
      await admin.waitFor(() => document.querySelector('[data-testid="review-note"]')?.textContent.startsWith('Approved'));
      const value = (await apiEventually(http, '/api/v1/assets/platform', (s) => s.summary.value.toFixed(2) !== before, 'the approval in the score')).summary.value;
      await admin.evaluate(() => { location.hash = '#/asset/platform'; });
      await admin.waitFor((want) => document.querySelector('[data-testid="detail-value"]')?.textContent === want, [value.toFixed(2)]);
      assert(Number(value) > Number(before), `platform value went from ${before} to ${value}`);
      await admin.screenshot(join(artifacts, 'requests-asset-after-approval.png'));
    });

    await check('a review the collector refuses shows its message; the answer stays in the queue', async () => {
      await showRequests(admin);
      await admin.click(`${queued(reqB, b)} [data-testid="review-reject"]`);  // No comment.
      const refusal = await admin.waitFor((sel) => document.querySelector(`${sel} [data-testid="form-status"]`)?.textContent, [queued(reqB, b)]);
      assert(refusal.includes('comment: give 1 to 4096 bytes'), `refusal shown "${refusal}"`);
      assertEqual((await api(http, `/api/v1/requests/${reqB}`)).outcomes[0].status, 'ANSWER_SUBMITTED', 'the answer still waits');
      // Chromium logs the refused POST (400) as an error of the page: expected here.
      admin.errors = admin.errors.filter((e) => !e.includes('400'));
    });

    await check('a rejection with its comment shows back on the supplier\'s view', async () => {
      await review(admin, reqB, b, false, 'Unsigned draft: send the signed plan.');
      await admin.waitFor(() => document.querySelector('[data-testid="review-note"]')?.textContent.startsWith('Rejected'));
      await showRequests(supplier);
      const shown = await supplier.waitFor((sel) => {
        const tr = document.querySelector(sel);
        return tr?.querySelector('[data-testid="answer-state"]')?.textContent === 'rejected' && tr.querySelector('[data-testid="review-comment"]')?.textContent;
      }, [row(reqB, b)]);
      assert(shown.includes('Unsigned draft: send the signed plan.'), `comment shown "${shown}"`);
      assert(await supplier.evaluate((sel) => !!document.querySelector(`${sel} [data-testid="answer-form"]`), row(reqB, b)), 'a rejected outcome takes a new answer');
    });

    await check('every request state shows: complete, open, overdue, cancelled', async () => {
      await sleep(Math.max(0, dueSoon - Date.now() + 1500));
      await showRequests(admin);
      const states = await admin.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="all-requests"] tbody tr')]
        .map((tr) => [tr.dataset.requestId, tr.querySelector('[data-testid="request-state"]').textContent])));
      // Newest first.
      assertEqual(states, { [reqD]: 'cancelled', [reqC]: 'overdue', [reqB]: 'open', [reqA]: 'complete' }, 'request states');
      await admin.screenshot(join(artifacts, 'requests-admin.png'), { fullPage: true });
    });

    await check('the asset page lists each outcome\'s answers with reviews and documents', async () => {
      await supplier.evaluate(() => { location.hash = '#/asset/platform'; });
      const open = async (outcome) => {
        const sel = `[data-testid="answer-history"][data-outcome-id="${outcome}"]`;
        await supplier.waitFor((s) => document.querySelector(s), [sel]);
        await supplier.evaluate((s) => { document.querySelector(s).open = true; }, sel);
        return supplier.waitFor((s) => {
          const entries = [...document.querySelectorAll(`${s} [data-testid="answer-history-entry"]`)];
          return entries.length > 0 && entries.map((e) => e.textContent);
        }, [sel]);
      };
      const approved = await open(a);
      assert(approved.length === 1 && approved[0].startsWith('approved') && approved[0].includes('Signed policy seen.') && approved[0].includes('supplier-policy.pdf'),
        `history of ${a}: ${JSON.stringify(approved)}`);
      const rejected = await open(b);
      assert(rejected.length === 1 && rejected[0].startsWith('rejected') && rejected[0].includes('Unsigned draft'), `history of ${b}: ${JSON.stringify(rejected)}`);
      await supplier.screenshot(join(artifacts, 'requests-asset-history.png'));
    });

    await check('an active risk exception shows beside its outcome and in the overview\'s count, apart from the score', async () => {
      const before = (await api(http, '/api/v1/assets/platform')).summary.value;
      const until = Math.floor(Date.now() / 1000) + 90 * 86400;
      await apiPost(http, '/api/v1/exceptions', { assetId: 'platform', outcomeId: b, reason: 'Signed plan due next quarter.', untilUnixSeconds: String(until) });
      await admin.evaluate(() => { location.hash = '#/assets'; });
      await admin.evaluate(() => { location.hash = '#/asset/platform'; });
      const note = await admin.waitFor((id) => document.querySelector(`tr[data-outcome-id="${id}"] [data-testid="accepted-risk"]`)?.textContent, [b]);
      assert(note.startsWith('accepted risk') && note.includes('Signed plan due next quarter.'), `note "${note}"`);
      assertEqual((await api(http, '/api/v1/assets/platform')).summary.value, before, 'the score with an exception');
      const risk = await api(http, '/api/v1/exceptions/accepted-risk');
      assert(risk.organization.gapsWithAcceptedRisk >= 1, `accepted-risk counts ${JSON.stringify(risk)}`);
      await admin.evaluate(() => { location.hash = '#/'; });
      await admin.waitFor((want) => document.querySelector('[data-testid="gaps-with-accepted-risk"]')?.textContent === want, [String(risk.organization.gapsWithAcceptedRisk)]);
      await admin.screenshot(join(artifacts, 'requests-accepted-risk.png'), { fullPage: true });
    });

    await check('the admin opens a request from the page\'s form; the supplier then finds it to answer', async () => {
      await showRequests(admin);
      const field = (name) => `[data-testid="new-request-${name}"]`;
      const fill = async (name, text) => {
        await admin.click(field(name));
        await admin.type(text);
      };
      await fill('title', 'Awareness 2027');
      await admin.evaluate((sel) => { document.querySelector(sel).value = 'category'; }, field('selection'));
      await fill('selected', 'PR.AT');
      await fill('scope-id', 'hoster');
      await fill('owner-id', 'hoster');
      const due = new Date(Date.now() + 30 * 86400 * 1000).toISOString().slice(0, 10);
      await admin.evaluate((sel, value) => { document.querySelector(sel).value = value; }, field('due'), due);
      await admin.click(field('submit'));
      const status = await admin.waitFor((sel) => document.querySelector(sel)?.textContent || null, [field('status')]);
      assert(status.startsWith('Opened REQ-') && status.includes('"Awareness 2027"'), `form status "${status}"`);
      const id = status.split(' ')[1];
      const opened = await api(http, `/api/v1/requests/${id}`);
      assertEqual([opened.title, opened.ownerId, opened.scopeId, opened.status], ['Awareness 2027', 'hoster', 'hoster', 'REQUEST_OPEN'], 'the opened request');
      assert(opened.outcomes.length > 0 && opened.outcomes.every((o) => o.outcomeId.startsWith('PR_AT_')), `outcomes ${opened.outcomes.map((o) => o.outcomeId)}`);
      assertEqual(new Date(Number(opened.dueUnixSeconds) * 1000).toISOString().slice(0, 10), due, 'due date');
      await showRequests(supplier);
      await supplier.waitFor((rid) => document.querySelector(`[data-testid="owner-request"][data-request-id="${rid}"]`), [id]);
      // A refused request shows the collector's reason and opens nothing; the form was reset.
      const before = (await api(http, '/api/v1/requests?all=true')).requests.length;
      await fill('title', 'No such owner');
      await admin.evaluate((sel) => { document.querySelector(sel).value = 'category'; }, field('selection'));
      await fill('selected', 'PR.AT');
      await fill('scope-id', 'hoster');
      await fill('owner-id', 'nobody');
      await admin.evaluate((sel, value) => { document.querySelector(sel).value = value; }, field('due'), due);
      await admin.click(field('submit'));
      const refused = await admin.waitFor((sel) => (document.querySelector(sel)?.textContent ?? '').startsWith('Not opened') && document.querySelector(sel).textContent, [field('status')]);
      assert(refused.includes('nobody'), `refusal "${refused}"`);
      assertEqual((await api(http, '/api/v1/requests?all=true')).requests.length, before, 'requests after a refusal');
      const logged = admin.errors.splice(0);  // The browser logs the refused POST: expected.
      assert(logged.length === 1 && logged[0].includes('400') && logged[0].includes('/api/v1/requests'), `errors ${logged}`);
      await admin.screenshot(join(artifacts, 'requests-new.png'), { fullPage: true });
    });

    for (const [who, page] of Object.entries(pages)) assertEqual(page.errors, [], `errors in the ${who}'s page`);
    console.log(`${results.length} passed, 0 failed`);
    return 0;
  } catch (error) {
    console.error(`not ok ${results.length + 1} - ${error.stack || error}`);
    for (const [who, page] of Object.entries(pages)) {
      if (page.errors.length) console.error(`${who} page errors:\n  ${page.errors.join('\n  ')}`);
      await page.screenshot(join(artifacts, `requests-failure-${who}.png`), { fullPage: true }).catch(() => {});
    }
    console.log(`${results.length} passed, 1 failed`);
    return 1;
  } finally {
    for (const browser of browsers) await browser.close().catch(() => {});
    await stopCollector(collector).catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

process.exitCode = await main();
