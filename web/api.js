// The collector's HTTP API, from the same origin (collector/http_api.h).

// GET `path` and parse its JSON. Throws an Error whose message names the path and the
// collector's error ({"error": {"code", "message"}}) or the network failure; `status` is
// the HTTP status, 0 when none came. `headers` are sent as well.
export async function getJson(path, headers = {}) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json', ...headers }, cache: 'no-store' });
  } catch (error) {
    throw Object.assign(new Error(`cannot reach the collector (${path}): ${error.message}`), { status: 0 });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: reported below by status.
  }
  if (!response.ok) {
    const detail = body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`;
    throw Object.assign(new Error(`${path}: ${detail}`), { status: response.status });
  }
  return body;
}

// Whose credential signs the page's requests (GET /api/v1/whoami): {id, role, tenantId,
// name, ...}, or null when there is none (401). With `token`, whose that token is instead:
// the collector prefers an Authorization header to the session cookie, so asking changes
// no session. Throws as getJson for other failures.
export async function whoAmI(token = null) {
  try {
    return await getJson('/api/v1/whoami', token === null ? {} : { Authorization: `Bearer ${token}` });
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

// Trades an API token for the session cookie (POST /api/v1/session): the collector checks
// the token and keeps it in an HttpOnly cookie, out of reach of scripts. Throws an Error
// with the collector's message if the token is refused.
export async function openSession(token) {
  const response = await fetch('/api/v1/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  if (response.ok) return;
  let detail = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body?.error) detail = body.error.message;
  } catch {
    // Not JSON: the status says enough.
  }
  throw new Error(`sign-in refused: ${detail}`);
}

// Signs out (DELETE /api/v1/session): the collector ends the session the cookie names and
// clears the cookie, so it opens nothing any more, in any tab. Throws an Error if the
// collector cannot be reached or refuses.
export async function closeSession() {
  let response;
  try {
    response = await fetch('/api/v1/session', { method: 'DELETE', credentials: 'same-origin' });
  } catch (error) {
    throw new Error(`cannot reach the collector to sign out: ${error.message}`);
  }
  if (!response.ok) throw new Error(`sign-out failed: HTTP ${response.status}`);
}

// Runs `task` (async) on request, at most once per `intervalMs`: a request while it runs
// or too soon after it is folded into one more run later, so the last request is always
// followed by a run that starts after it.
export class Throttle {
  constructor(task, intervalMs) {
    this.task = task;
    this.intervalMs = intervalMs;
    this.lastStart = -Infinity;
    this.running = false;
    this.pending = false;
    this.timer = null;
  }

  request() {
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastStart + this.intervalMs - performance.now());
    this.timer = setTimeout(() => this.run(), wait);
  }

  async run() {
    this.timer = null;
    this.running = true;
    this.pending = false;
    this.lastStart = performance.now();
    try {
      await this.task();
    } catch (error) {
      console.warn(error);
    } finally {
      this.running = false;
      if (this.pending) this.request();
    }
  }
}

// The "score" event stream (GET /api/v1/events): each event a ScoreUpdate. The browser
// reconnects by itself after an error; `onStatus` hears "connecting", "live" and
// "reconnecting", `onUpdate` each parsed update.
export function watchScores(onUpdate, onStatus) {
  onStatus('connecting');
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => onStatus('live'));
  source.addEventListener('error', () => onStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  source.addEventListener('score', (event) => {
    let update;
    try {
      update = JSON.parse(event.data);
    } catch (error) {
      console.warn('unreadable score event', error);
      return;
    }
    onUpdate(update);
  });
  return source;
}

// POSTs a change made on the dashboard's page: `body` (FormData or a JSON-able object) to
// `path` with the session cookie and the X-Postura-Dashboard marker the collector asks of
// cookie-signed changes (docs/security.md). The parsed answer, or an Error carrying the
// collector's message.
export async function postChange(path, body) {
  const form = body instanceof FormData;
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'X-Postura-Dashboard': '1', Accept: 'application/json', ...(form ? {} : { 'Content-Type': 'application/json' }) },
      body: form ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new Error(`cannot reach the collector: ${error.message}`);
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
  return answer;
}
