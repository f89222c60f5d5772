// What the dashboard's browser tests share (dashboard.test.mjs, trends.test.mjs): the
// binaries and paths from the environment, a real postura-collector process on loopback,
// dashboard_fixture to register an organisation and send evidence as its agent, the
// HTTPS API as the admin, and small assertions. One test process drives one collector.
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:https';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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
