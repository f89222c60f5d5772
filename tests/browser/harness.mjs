// What the dashboard's browser tests share (every tests/browser/*.test.mjs): the
// binaries and paths from the environment, a real postura-collector process on loopback,
// dashboard_fixture to register an organisation and send evidence as its agent, the
// HTTPS API as the admin, small assertions, and a test's whole life (runDashboardTest:
// collector, organisation, evidence, Chromium signed in, checks, clean-up). One test process
// drives one collector.
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:https';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Browser } from './cdp.mjs';

export const SKIP = 77;
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const collectorBin = process.env.POSTURA_COLLECTOR_BIN || join(repoRoot, 'build/bin/postura-collector');
export const fixtureBin = process.env.POSTURA_DASHBOARD_FIXTURE || join(repoRoot, 'build/bin/dashboard_fixture');
export const artifacts = resolve(process.env.POSTURA_BROWSER_ARTIFACTS || 'browser-artifacts');

export const run = promisify(execFile);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: page shows ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

// ---- The collector and the fixture ------------------------------------------------------

// Starts the collector with its data in `dir`, its log in `logName` under the artifacts.
export async function startCollector(dir, logName = 'collector.log') {
  const config = join(dir, 'collector.yaml');
  const ready = join(dir, 'ready');
  await writeFile(config, `listen_address: 127.0.0.1:0\nhttp_listen_address: 127.0.0.1:0\ndata_dir: ${join(dir, 'data')}\n`);
  const log = openSync(join(artifacts, logName), 'w');
  const child = spawn(collectorBin, ['--config', config, '--ready-file', ready], { stdio: ['ignore', log, log] });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const deadline = Date.now() + 30000;
  for (;;) {
    const lines = existsSync(ready) ? readFileSync(ready, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [];
    if (lines.length >= 2) return { child, exited, grpc: lines[0], http: lines[1] };
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`collector did not start (see ${join(artifacts, logName)})`);
    }
    await sleep(20);
  }
}

export async function stopCollector(collector) {
  if (!collector || collector.child.exitCode !== null) return;
  collector.child.kill('SIGTERM');
  const timer = setTimeout(() => collector.child.kill('SIGKILL'), 10000);
  await collector.exited;
  clearTimeout(timer);
}

// The collector's data directory, its CA (PEM) and the first admin token, once it runs.
export const trust = { dataDir: '', ca: '', token: '' };

export async function fixture(...args) {
  try {
    return (await run(fixtureBin, args, { timeout: 30000 })).stdout;
  } catch (error) {
    throw new Error(`dashboard_fixture ${args.slice(0, 3).join(' ')} failed: ${error.stderr || error.message}`);
  }
}

let sequence = 0;
// Sends `items` ("asset:outcome:level[:stale][:attested|:openscap]") as the next batch of host-1.
export async function sendEvidence(grpc, items) {
  sequence += 1;
  await fixture('send', trust.dataDir, grpc, String(sequence), ...items);
}

// GET `path` from the HTTPS API as the admin (or with `token`), checking the server against
// the local CA.
export function api(http, path, token = trust.token) {
  const [host, port] = [http.slice(0, http.lastIndexOf(':')), http.slice(http.lastIndexOf(':') + 1)];
  return new Promise((resolvePromise, reject) => {
    const req = request({ host, port, path, ca: trust.ca, headers: { Authorization: `Bearer ${token}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`GET ${path}: HTTP ${response.statusCode} ${body}`));
          return;
        }
        resolvePromise(JSON.parse(body));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// The HTTP status of GET `path` with `headers` only (no token), checking the server against
// the local CA; the body is not read past the status, so an event stream is fine.
export function apiStatus(http, path, headers = {}) {
  const [host, port] = [http.slice(0, http.lastIndexOf(':')), http.slice(http.lastIndexOf(':') + 1)];
  return new Promise((resolvePromise, reject) => {
    const req = request({ host, port, path, ca: trust.ca, headers }, (response) => {
      resolvePromise(response.statusCode);
      response.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

export function outcomesOf(score) {
  return score.functions.flatMap((fn) => fn.categories.flatMap((category) => category.outcomes));
}

// Polls the API until `predicate(value)` holds; returns that value.
export async function apiEventually(http, path, predicate, what) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const value = await api(http, path);
    if (predicate(value)) return value;
    assert(Date.now() < deadline, `the collector never reported ${what}`);
    await sleep(20);
  }
}

// Evidence that spreads the three assets over the colour bands: platform amber (and so
// limiting portal), portal green with its target unmet and some stale outcomes, payroll
// red with most outcomes unreported.
export function initialEvidence(outcomeIds) {
  const items = [];
  outcomeIds.platform.forEach((id, i) => {
    if (i % 10 === 9) return;
    const level = ['0.67', '0.33', '0.67', '0', '1'][i % 5];
    items.push(`platform:${id}:${level}${i % 4 === 0 ? ':attested' : ''}`);
  });
  outcomeIds.portal.forEach((id, i) => {
    if (id === 'ID_AM_CSC_1_1') {
      items.push(`portal:${id}:0.33`);  // Below portal's target (>= 0.67).
    } else if (i % 9 === 4) {
      items.push(`portal:${id}:1:stale`);
    } else if (i % 13 !== 6) {
      // Every kind of source: pack checks, OpenSCAP evaluations, attestations.
      const source = ['', '', ':openscap', '', ':attested'][i % 5];
      items.push(`portal:${id}:${['1', '1', '0.67', '1'][i % 4]}${source}`);
    }
  });
  outcomeIds.payroll.forEach((id, i) => {
    if (i % 4 === 0) items.push(`payroll:${id}:${i % 8 === 0 ? '0.33' : '0.67'}`);
  });
  return items;
}

// ---- A dashboard test's life ------------------------------------------------------------

// Reads the collector's CA and first admin token from its data directory under `dir`.
export function readTrust(dir) {
  trust.dataDir = join(dir, 'data');
  trust.ca = readFileSync(join(trust.dataDir, 'tls', 'ca.crt'), 'utf8');
  trust.token = readFileSync(join(trust.dataDir, 'admin.token'), 'utf8').trim();
}

// The outcome ids of each of the fixture's assets, as the API lists them.
export async function fixtureOutcomeIds(http) {
  const outcomeIds = {};
  for (const id of ['platform', 'portal', 'payroll']) {
    outcomeIds[id] = outcomesOf(await api(http, `/api/v1/assets/${id}`)).map((o) => o.id);
  }
  return outcomeIds;
}

// Sends initialEvidence and waits until every asset has live evidence.
export async function sendInitialEvidence(grpc, http, outcomeIds) {
  await sendEvidence(grpc, initialEvidence(outcomeIds));
  await apiEventually(http, '/api/v1/assets', (list) => list.assets.every((a) => a.outcomesLive > 0), 'the initial evidence');
}

// Chromium with its profile under `dir`, its log under the artifacts, trusting only the
// collector's certificate.
export async function launchBrowser(dir, name) {
  const spki = (await fixture('spki', join(trust.dataDir, 'tls', 'server.crt'))).trim();
  return Browser.launch({
    executable: chromiumPath, userDataDir: join(dir, `chromium-${name}`), logPath: join(artifacts, `chromium-${name}.log`),
    extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`],
  });
}

// Opens the dashboard on `page` through a #token= link and waits until it is signed in on
// the overview. The page first asks whether a session is open: that 401 is cleared.
export async function signIn(page, http, token = trust.token) {
  await page.goto(`https://${http}/#token=${encodeURIComponent(token)}`);
  await page.waitFor(() => document.getElementById('sign-in') === null && !document.getElementById('view-overview').hidden);
  page.errors.splice(0);
}

// False, after saying why, without Chromium (the test then exits SKIP); throws if a
// binary is missing. Creates the artifacts directory.
export async function browserTestCanRun() {
  if (!existsSync(chromiumPath)) {
    console.log(`SKIP: Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
    return false;
  }
  for (const [what, path] of [['POSTURA_COLLECTOR_BIN', collectorBin], ['POSTURA_DASHBOARD_FIXTURE', fixtureBin]]) {
    assert(existsSync(path), `${what}: no binary at ${path}`);
  }
  await mkdir(artifacts, { recursive: true });
  return true;
}

// Runs a browser test file and resolves to its exit code: SKIP without Chromium, else a
// collector in a fresh directory with the fixture organisation and its initial evidence;
// `prepare(world)`, if given, for what the test adds before the browser opens (it may
// return the token to sign in with; default the admin's); a 1280x900 page signed in on the
// overview; then `body(world)`, whose `check(name, fn)` runs and reports one check. The
// page must have logged no error by the end. A failure prints itself, the page's errors
// and a screenshot `<name>-failure.png`. Browser, collector and directory always go.
// world = { dir, grpc, http, outcomeIds, browser, page, check }.
export async function runDashboardTest(name, { prepare, body }) {
  if (!(await browserTestCanRun())) return SKIP;
  const dir = await mkdtemp(join(tmpdir(), `postura-${name}-`));
  let passed = 0;
  const check = async (title, fn) => {
    const started = Date.now();
    await fn();
    passed += 1;
    console.log(`ok ${passed} - ${title} (${Date.now() - started} ms)`);
  };
  const world = { dir, check };
  let collector = null;
  try {
    collector = await startCollector(dir, `collector-${name}.log`);
    Object.assign(world, { grpc: collector.grpc, http: collector.http });
    readTrust(dir);
    await fixture('register', trust.dataDir, world.grpc);
    world.outcomeIds = await fixtureOutcomeIds(world.http);
    await sendInitialEvidence(world.grpc, world.http, world.outcomeIds);
    const token = (await prepare?.(world)) ?? trust.token;
    world.browser = await launchBrowser(dir, name);
    world.page = await world.browser.newPage(1280, 900);
    await signIn(world.page, world.http, token);
    await body(world);
    assertEqual(world.page.errors, [], 'errors in the page');
    console.log(`${passed} passed, 0 failed`);
    return 0;
  } catch (error) {
    console.error(`not ok ${passed + 1} - ${error.stack || error}`);
    if (world.page) {
      if (world.page.errors.length) console.error(`page errors:\n  ${world.page.errors.join('\n  ')}`);
      await world.page.screenshot(join(artifacts, `${name}-failure.png`)).catch(() => {});
    }
    console.log(`${passed} passed, 1 failed`);
    return 1;
  } finally {
    await world.browser?.close().catch(() => {});
    await stopCollector(collector).catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
