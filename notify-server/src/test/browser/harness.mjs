// What the browser test scripts share: the variables the JUnit side passes, requests to the server,
// the stdin/stdout protocol to ask the JUnit side for something ("@@restart"), and running one case
// in headless Chromium (Debian's chromium, driven by playwright-core; never a downloaded browser).
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { mkdirSync } from 'node:fs';

export const BASE = process.env.NOTIFY_URL;
export const API_KEY = process.env.NOTIFY_API_KEY;
export const USER = process.env.NOTIFY_USER;
export const JWT = process.env.NOTIFY_JWT;
export const TIMEOUT = 15000;
const SHOTS = process.env.NOTIFY_SCREENSHOTS || 'screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const stdin = createInterface({ input: process.stdin });
const lines = [];
let waiting = null;
stdin.on('line', l => { if (waiting) { const w = waiting; waiting = null; w(l); } else lines.push(l); });

/** Asks the JUnit side to do something (restart the server, say) and resolves to its one-line answer. */
export function ask(command) {
  console.log('@@' + command);
  return lines.length ? Promise.resolve(lines.shift()) : new Promise(r => { waiting = r; });
}

export function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

/** Publishes with the API key; resolves to the new notification's id. */
export async function publish(body) {
  const r = await fetch(BASE + '/api/v1/notifications', {
    method: 'POST', headers: { Authorization: 'Bearer ' + API_KEY, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await r.text();
  check(r.status === 202, 'publish answered ' + r.status + ': ' + text);
  return JSON.parse(text).id;
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: SHOTS + '/' + name + '.png', fullPage: true });
  console.log('screenshot ' + SHOTS + '/' + name + '.png');
}

/** Runs the case named by the first argument in a fresh page and exits 0 (ok) or 1 (failed). */
export async function runCase(cases) {
  const name = process.argv[2];
  if (!cases[name]) {
    console.error('unknown case ' + name + '; cases: ' + Object.keys(cases).join(', '));
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  let failed = false;
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', e => { failed = true; console.log('page error: ' + e.message); });
    page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') console.log('console.' + m.type() + ': ' + m.text()); });
    try {
      await cases[name](page);
    } catch (e) {
      failed = true;
      console.log('FAILED ' + name + ': ' + (e.stack || e));
      await shot(page, 'failed-' + name).catch(() => {});
    }
  } finally {
    await browser.close();
    stdin.close();
  }
  if (failed) {
    console.log('not ok ' + name);
    process.exit(1);
  }
  console.log('ok ' + name);
  process.exit(0);
}
