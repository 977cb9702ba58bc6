// The npm packages (@notify-dev/client, @notify-dev/react) in a small React app, in real headless
// Chromium against a real server, one case per run:  node packages.mjs <case>
// ClientPackagesTest packs the packages, installs the tarballs into app/ (copied to
// target/react-app), bundles it with esbuild and passes, besides harness.mjs's variables:
//   NOTIFY_APP_DIR (the bundled app: index.html, app.js), NOTIFY_BAD_JWT (a JWT the server refuses)
// The app is served at <server>/app/ by request interception, so it shares the server's origin as an
// app behind the same reverse proxy would; /my-app/notify-token plays the app's backend.
import { readFileSync } from 'node:fs';
import { BASE, JWT, TIMEOUT, USER, ask, check, publish, runCase, shot } from './harness.mjs';

const APP = process.env.NOTIFY_APP_DIR;
const BAD_JWT = process.env.NOTIFY_BAD_JWT;
const APP_FILES = { '': 'index.html', 'index.html': 'index.html', 'app.js': 'app.js', 'vue-app.js': 'vue-app.js' };

// Serves the app and its token endpoint; counts what the client asked for.
async function openApp(page, tokens = [JWT], path = '/app/') {
  const seen = { tokenCalls: 0, streamTokens: 0, streamUrls: [] };
  await page.route(BASE + '/my-app/notify-token', route => {
    const token = tokens[Math.min(seen.tokenCalls, tokens.length - 1)];
    seen.tokenCalls++;
    return route.fulfill({ status: 200, contentType: 'text/plain', body: token });
  });
  await page.route(BASE + '/app/**', route => {
    const name = new URL(route.request().url()).pathname.replace(/^\/app\/?/, '').replace(/\/$/, '');
    if (name === 'vue') {
      // the same page, loading the Vue app's bundle
      const html = readFileSync(APP + '/index.html', 'utf8').replace('src="app.js"', 'src="/app/vue-app.js"');
      return route.fulfill({ contentType: 'text/html', body: html });
    }
    const file = APP_FILES[name];
    return file ? route.fulfill({ path: APP + '/' + file }) : route.fulfill({ status: 404, body: 'no such file' });
  });
  page.on('request', r => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/stream-tokens')) seen.streamTokens++;
    if (r.url().includes('/api/v1/notifications/stream?')) seen.streamUrls.push(r.url());
  });
  await page.goto(BASE + path);
  await live(page);
  return seen;
}

const live = page => page.waitForSelector('.status:has-text("live")', { timeout: TIMEOUT });
const toast = (page, text) => page.waitForSelector(`.notify-toast[role=status]:has-text(${JSON.stringify(text)})`, { timeout: TIMEOUT });
async function waitBadge(page, value) {
  await page.waitForFunction(v => document.querySelector('.notify-badge')?.textContent === v, value, { timeout: TIMEOUT })
    .catch(async () => { throw new Error('the bell shows ' + await page.textContent('.notify-badge') + ', expected ' + value); });
}

// Every toast ever shown, since toasts leave after 8 s and a restart can take longer.
async function recordToasts(page) {
  await page.evaluate(() => {
    window.shownToasts = [];
    new MutationObserver(changes => {
      for (const c of changes) for (const n of c.addedNodes) if (n.classList && n.classList.contains('notify-toast')) window.shownToasts.push(n.textContent);
    }).observe(document.querySelector('.notify-toasts'), { childList: true });
  });
  return title => page.evaluate(t => window.shownToasts.filter(text => text.includes(t)).length, title);
}

async function serverStats(jwt = JWT) {
  const r = await fetch(BASE + '/api/v1/notifications/stats', { headers: { Authorization: 'Bearer ' + jwt } });
  return r.json();
}

// The server's counts once they satisfy `ok`, or the last ones read after TIMEOUT: the page may show a
// change (its own state) a moment before the request that makes it on the server has been answered.
async function serverStatsWhen(ok) {
  const deadline = Date.now() + TIMEOUT;
  let s = await serverStats();
  while (!ok(s) && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 50));
    s = await serverStats();
  }
  return s;
}

const cases = {
  // The Vue composable: connect, receive, mark read (checked on the server).
  async vueConnectReceiveMarkRead(page) {
    await openApp(page, [JWT], '/app/vue/');
    await page.waitForSelector('.status:has-text("0 unread")', { timeout: TIMEOUT });
    const id = await publish({ recipients: [USER], title: 'Vue says hi', body: 'from the composable' });
    await page.waitForSelector(`li.unread[data-id="${id}"]:has-text("Vue says hi")`, { timeout: TIMEOUT });
    await page.waitForSelector('.status:has-text("1 unread")', { timeout: TIMEOUT });
    await page.click(`li[data-id="${id}"] button`);
    await page.waitForSelector(`li.read[data-id="${id}"]`, { timeout: TIMEOUT });
    await page.waitForSelector('.status:has-text("0 unread")', { timeout: TIMEOUT });
    const s = await serverStatsWhen(x => x.unread === 0 && x.read === 1);
    check(s.unread === 0 && s.read === 1, 'the server has it read: ' + JSON.stringify(s));
  },

  // The provider connects; a publish shows a toast and bumps the bell; mark read and mark all read
  // reach the server; markup stays text.
  async connectReceiveMarkRead(page) {
    await openApp(page);
    await waitBadge(page, '0');
    const id = await publish({ recipients: [USER], type: 'success', title: 'Deploy finished', body: 'v2.3 is live' });
    const t = await toast(page, 'Deploy finished');
    check((await t.getAttribute('class')).includes('success'), 'the toast carries its type');
    await waitBadge(page, '1');
    check(await page.getAttribute('.notify-bell', 'aria-label') === 'Notifications: 1 unread', 'the bell has an accessible label');
    await page.click(`li[data-id="${id}"] button`);
    await page.waitForSelector(`li.read[data-id="${id}"]`, { timeout: TIMEOUT });
    await waitBadge(page, '0');
    const afterOne = await serverStatsWhen(x => x.unread === 0 && x.read === 1);
    check(afterOne.unread === 0 && afterOne.read === 1, 'the server has it read: ' + JSON.stringify(afterOne));

    await publish({ recipients: [USER], type: 'error', title: '<img src=x onerror=alert(1)>', body: '<b>bold?</b>' });
    const x = await toast(page, '<img src=x');
    check((await page.$$('.notify-toasts img, .notify-toasts b, ul img')).length === 0, 'no element made from the data');
    await x.$eval('button[aria-label=Dismiss]', b => b.click());
    await page.waitForSelector('.notify-toast:has-text("<img src=x")', { state: 'detached', timeout: TIMEOUT });
    await publish({ recipients: [USER], title: 'Second' });
    await waitBadge(page, '2');
    await shot(page, 'react-app');
    await page.click('button:has-text("Mark all read")');
    await waitBadge(page, '0');
    const all = await serverStatsWhen(x => x.unread === 0 && x.read === 3);
    check(all.unread === 0 && all.read === 3, 'the server has all read: ' + JSON.stringify(all));
  },

  // A server restart: the app reconnects, resuming after its last event id, and shows what was
  // published meanwhile exactly once.
  async reconnectWithResume(page) {
    const seen = await openApp(page);
    const shown = await recordToasts(page);
    const before = await publish({ recipients: [USER], title: 'Before the restart' });
    await toast(page, 'Before the restart');
    const streamsBefore = seen.streamUrls.length;
    const ids = JSON.parse(await ask('restart'));
    for (const id of ids) await page.waitForSelector(`li[data-id="${id}"]`, { timeout: TIMEOUT });
    for (const title of ['During the restart 1', 'During the restart 2']) {
      await page.waitForFunction(t => window.shownToasts.some(text => text.includes(t)), title, { timeout: TIMEOUT });
    }
    await live(page);
    const resumed = seen.streamUrls.slice(streamsBefore);
    check(resumed.length > 0 && resumed.every(u => /[?&]lastEventId=\d+/.test(u)), 'the reconnect resumes after the last event id: ' + resumed);
    const after = await publish({ recipients: [USER], title: 'After the restart' });
    await toast(page, 'After the restart');
    await page.waitForTimeout(500);
    for (const title of ['Before the restart', 'During the restart 1', 'During the restart 2', 'After the restart']) {
      const n = await shown(title);
      check(n === 1, `toast "${title}" shown ${n} times`);
    }
    for (const id of [before, ...ids, after]) {
      const n = await page.locator(`li[data-id="${id}"]`).count();
      check(n === 1, `item ${id} listed ${n} times`);
    }
    await waitBadge(page, '4');
  },

  // Token renewal: a JWT the server refuses (401) makes the client ask the app's tokenProvider
  // again; a stream whose token expired is resumed with a newly minted stream token.
  async tokenRenewal(page) {
    const seen = await openApp(page, [BAD_JWT, JWT]);
    check(seen.tokenCalls >= 2, 'after the 401 the client asked the provider again (' + seen.tokenCalls + ' calls)');
    const oldStream = new URL(seen.streamUrls[seen.streamUrls.length - 1]).searchParams.get('token');
    const minted = seen.streamTokens;
    // this server's stream tokens live 10 s: wait until the open stream's one has expired
    await page.waitForTimeout(11000);
    const claims = JSON.parse(Buffer.from(oldStream.split('.')[1], 'base64url').toString());
    check(claims.exp * 1000 < Date.now(), 'the open stream\'s token has expired (exp ' + claims.exp + ')');
    const streamsBefore = seen.streamUrls.length;
    await ask('end-streams'); // the server ends the user's streams, as it does for an expired credential
    const deadline = Date.now() + TIMEOUT;
    while (seen.streamUrls.length === streamsBefore && Date.now() < deadline) await page.waitForTimeout(100);
    await live(page);
    check(seen.streamTokens > minted, 'a new stream token was minted for the reconnect');
    const newStream = new URL(seen.streamUrls[seen.streamUrls.length - 1]).searchParams.get('token');
    check(newStream !== oldStream, 'the reconnect uses the new stream token');
    await publish({ recipients: [USER], title: 'After the renewal' });
    await toast(page, 'After the renewal');
  },
};

await runCase(cases);
