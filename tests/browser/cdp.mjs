// A small Chrome DevTools Protocol client for the browser tests: launches Chromium
// headless with --remote-debugging-pipe (no port, no extra npm packages) and drives one
// page at a time through flattened target sessions.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export class Browser {
  // Starts `executable`. `logPath` receives Chromium's own stderr; `extraArgs` are added
  // to the command line.
  static async launch({ executable, userDataDir, logPath, extraArgs = [] }) {
    const args = [
      '--headless', '--remote-debugging-pipe', '--no-sandbox', `--user-data-dir=${userDataDir}`,
      '--no-first-run', '--no-default-browser-check', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-extensions', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-features=Translate,MediaRouter', '--mute-audio', '--hide-scrollbars',
      '--force-color-profile=srgb', '--window-size=1280,800', ...extraArgs, 'about:blank',
    ];
    const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const log = createWriteStream(logPath);
    child.stderr.pipe(log);
    const browser = new Browser(child);
    await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', resolve);
    });
    await browser.send('Browser.getVersion');
    return browser;
  }

  constructor(child) {
    this.child = child;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.buffer = '';
    this.exited = false;
    child.stdio[4].setEncoding('utf8');
    child.stdio[4].on('data', (chunk) => this.receive(chunk));
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const { reject, method } of this.pending.values()) {
        reject(new Error(`Chromium exited (${code ?? signal}) during ${method}`));
      }
      this.pending.clear();
    });
  }

  receive(chunk) {
    this.buffer += chunk;
    let end;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const call = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!call) continue;
        if (message.error) call.reject(new Error(`${call.method}: ${message.error.message}`));
        else call.resolve(message.result);
      } else {
        for (const listener of this.listeners) listener(message);
      }
    }
  }

  // Sends one command (to the page of `sessionId` if given) and returns its result.
  send(method, params = {}, sessionId = undefined) {
    if (this.exited) return Promise.reject(new Error(`Chromium has exited; cannot send ${method}`));
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.child.stdio[3].write(`${JSON.stringify(message)}\0`);
    });
  }

  // Opens a new tab of `width` x `height` CSS pixels.
  async newPage(width, height) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    this.listeners.add((message) => { if (message.sessionId === sessionId) page.dispatch(message); });
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.setViewport(width, height);
    return page;
  }

  async close() {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send('Browser.close').catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

export class Page {
  constructor(browser, sessionId) {
    this.browser = browser;
    this.sessionId = sessionId;
    this.waiters = [];
    // Uncaught exceptions and console errors of the page, for the test to report.
    this.errors = [];
    this.console = [];
  }

  send(method, params = {}) {
    return this.browser.send(method, params, this.sessionId);
  }

  dispatch({ method, params }) {
    if (method === 'Runtime.exceptionThrown') {
      const details = params.exceptionDetails;
      this.errors.push(details.exception?.description ?? details.text);
    } else if (method === 'Runtime.consoleAPICalled') {
      const text = params.args.map((arg) => arg.value ?? arg.description ?? '').join(' ');
      this.console.push(`${params.type}: ${text}`);
      if (params.type === 'error') this.errors.push(`console.error: ${text}`);
    } else if (method === 'Log.entryAdded' && params.entry.level === 'error') {
      this.errors.push(`${params.entry.source}: ${params.entry.text} ${params.entry.url ?? ''}`.trim());
    }
    this.waiters = this.waiters.filter((waiter) => !(waiter.method === method && (waiter.resolve(params), true)));
  }

  // Resolves with the params of the next `method` event.
  nextEvent(method) {
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }

  async setViewport(width, height) {
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  }

  // Loads `url` and waits for its load event.
  async goto(url) {
    const loaded = this.nextEvent('Page.loadEventFired');
    const { errorText } = await this.send('Page.navigate', { url });
    if (errorText) throw new Error(`cannot open ${url}: ${errorText}`);
    await loaded;
  }

  // Runs `fn(...args)` in the page (awaiting a returned promise) and returns its JSON value.
  async evaluate(fn, ...args) {
    const expression = `(${fn.toString()})(...${JSON.stringify(args)})`;
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) {
      throw new Error(`in page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value;
  }

  // Evaluates `fn(...args)` every 25 ms until it returns a truthy value, and returns that.
  // Throws after `timeoutMs`, with `describe()` (evaluated in node) in the message.
  async waitFor(fn, args = [], { timeoutMs = 10000, describe = () => '' } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await this.evaluate(fn, ...args);
      if (last) return last;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${fn.toString().slice(0, 200)} ${await describe()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  // A real mouse click at the centre of the first element matching `selector`.
  async click(selector) {
    const box = await this.evaluate((sel) => {
      const element = document.querySelector(sel);
      if (!element) return null;
      element.scrollIntoView({ block: 'center' });
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) return { hidden: true };
      return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
    }, selector);
    if (!box) throw new Error(`no element matches ${selector}`);
    if (box.hidden) throw new Error(`${selector} is not visible`);
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: type === 'mouseMoved' ? 0 : 1 });
    }
  }

  // Types `text` into the focused element.
  async type(text) {
    await this.send('Input.insertText', { text });
  }

  // Saves a PNG of the viewport, or of the whole page with `fullPage`.
  async screenshot(path, { fullPage = false } = {}) {
    const params = { format: 'png' };
    if (fullPage) {
      const { cssContentSize } = await this.send('Page.getLayoutMetrics');
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: Math.ceil(cssContentSize.width), height: Math.ceil(cssContentSize.height), scale: 1 };
    }
    const { data } = await this.send('Page.captureScreenshot', params);
    await writeFile(path, Buffer.from(data, 'base64'));
  }
}
