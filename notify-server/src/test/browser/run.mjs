// Browser tests of the Notify pages in real headless Chromium, one case per run:
//   node run.mjs <case>
// BrowserTest (JUnit, in notify-server) starts the server and runs each case with these variables:
//   NOTIFY_URL, NOTIFY_API_KEY, NOTIFY_USER, NOTIFY_JWT (a JWT of NOTIFY_USER), NOTIFY_SCREENSHOTS (a folder)
// A case asks the JUnit side to restart the server by printing "@@restart" and waiting for a line on stdin.
import { API_KEY, BASE, JWT, TIMEOUT, USER, ask, check, publish, runCase, shot } from './harness.mjs';

async function signIn(page, jwt = JWT) {
  await page.goto(BASE + '/');
  await page.fill('#token', jwt);
  await page.click('#token-form button[type=submit]');
  await page.waitForSelector('#status.on', { timeout: TIMEOUT });
}

const badge = page => page.textContent('#badge');
async function waitBadge(page, value) {
  await page.waitForFunction(v => document.querySelector('#badge').textContent === v, value, { timeout: TIMEOUT })
    .catch(async () => { throw new Error('the bell shows ' + await badge(page) + ', expected ' + value); });
}
const toast = (page, text) => page.waitForSelector(`#toasts .toast[role=status]:has-text(${JSON.stringify(text)})`, { timeout: TIMEOUT });

const cases = {
  // A published notification shows a toast and bumps the bell; task.progress draws a bar.
  async toastAndBell(page) {
    await signIn(page);
    await waitBadge(page, '0');
    await publish({ recipients: [USER], type: 'success', title: 'Build 42 finished', body: 'All 311 tests passed' });
    const t = await toast(page, 'Build 42 finished');
    await waitBadge(page, '1');
    check(await page.getAttribute('#bell', 'aria-label') === 'Notifications: 1 unread', 'the bell has an accessible label');
    check((await t.getAttribute('class')).includes('type-success'), 'the toast is coloured by type');
    await publish({ recipients: [USER], type: 'warning', title: 'Disk almost full', body: '92% used on /var' });
    await toast(page, 'Disk almost full');
    await publish({ recipients: [USER], event: 'task.progress', title: 'Import', data: { task_id: 'import-7', percent: 40, message: 'Reading rows' } });
    await page.waitForSelector('.task[data-task="import-7"] .pct:has-text("40%")', { timeout: TIMEOUT });
    await publish({ recipients: [USER], event: 'task.progress', title: 'Export', data: { task_id: 'export-3', percent: 75, message: 'Writing files' } });
    await page.waitForSelector('.task[data-task="export-3"] .pct:has-text("75%")', { timeout: TIMEOUT });
    await publish({ recipients: [USER], event: 'task.completed', type: 'success', title: 'Import done', data: { task_id: 'import-7', message: '1200 rows' } });
    await page.waitForSelector('.task.completed[data-task="import-7"] .pct:has-text("100%")', { timeout: TIMEOUT });
    await shot(page, 'inbox');
    // the dismiss button is reachable by keyboard
    const close = await t.$('button');
    await close.focus();
    check(await page.evaluate(() => document.activeElement.getAttribute('aria-label')) === 'Dismiss notification', 'the dismiss button takes focus');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#toasts .toast:has-text("Build 42 finished")', { state: 'detached', timeout: TIMEOUT });
  },

  // Mark read, mark all read and delete update the bell and the list, and stick after a reload.
  async markRead(page) {
    const first = await publish({ recipients: [USER], title: 'First' });
    await publish({ recipients: [USER], title: 'Second' });
    await publish({ recipients: [USER], title: 'Third' });
    await signIn(page);
    await waitBadge(page, '3');
    await page.click(`#inbox li[data-id="${first}"] .mark-read`);
    await waitBadge(page, '2');
    check(await page.$(`#inbox li.read[data-id="${first}"]`), 'the item shows as read');
    await page.click('#mark-all');
    await waitBadge(page, '0');
    await page.click(`#inbox li[data-id="${first}"] .delete`);
    await page.waitForSelector(`#inbox li[data-id="${first}"]`, { state: 'detached', timeout: TIMEOUT });
    await page.reload();
    await page.waitForSelector('#status.on', { timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelectorAll('#inbox li[data-id]').length === 2, null, { timeout: TIMEOUT });
    await waitBadge(page, '0');
    check(!(await page.$(`#inbox li[data-id="${first}"]`)), 'the deleted item stays deleted');
  },

  // A server restart mid-session: the page reconnects and shows what was published meanwhile, once.
  async restart(page) {
    await signIn(page);
    // every toast shown is recorded, since toasts close by themselves after 8 s and a restart can take longer
    await page.evaluate(() => {
      window.shownToasts = [];
      new MutationObserver(changes => {
        for (const c of changes) for (const n of c.addedNodes) if (n.classList && n.classList.contains('toast')) window.shownToasts.push(n.textContent);
      }).observe(document.querySelector('#toasts'), { childList: true });
    });
    const shown = title => page.evaluate(t => window.shownToasts.filter(text => text.includes(t)).length, title);
    const before = await publish({ recipients: [USER], title: 'Before the restart' });
    await toast(page, 'Before the restart');
    // the JUnit side stops the server, starts it on the same port and data directory, and publishes two
    const reply = await ask('restart');
    const ids = JSON.parse(reply);
    await page.waitForSelector('#status.off', { timeout: TIMEOUT }).catch(() => {});
    await page.waitForSelector('#status.on', { timeout: TIMEOUT }).catch(() => {});
    console.log('after the restart: lastEventId ' + await page.evaluate(() => window.notifyClient.lastEventId)
      + ', transport ' + await page.evaluate(() => window.notifyClient.transport));
    // what was published meanwhile is listed (from the stream's replay or its 'recent' event)
    await page.waitForSelector(`#inbox li[data-id="${ids[0]}"]`, { timeout: TIMEOUT });
    await page.waitForSelector(`#inbox li[data-id="${ids[1]}"]`, { timeout: TIMEOUT });
    await page.waitForSelector('#status.on', { timeout: TIMEOUT });
    // and announced by a toast when the replay arrives (a reconnect that got them from 'recent' only would not)
    for (const title of ['During the restart 1', 'During the restart 2']) {
      await page.waitForFunction(t => window.shownToasts.some(text => text.includes(t)), title, { timeout: TIMEOUT })
        .catch(() => console.log('NOTE: no toast for "' + title + '" after the restart'));
    }
    const after = await publish({ recipients: [USER], title: 'After the restart' });
    await toast(page, 'After the restart');
    await page.waitForTimeout(1000);
    for (const title of ['Before the restart', 'During the restart 1', 'During the restart 2', 'After the restart']) {
      const n = await shown(title);
      check(title.startsWith('During') ? n <= 1 : n === 1, `toast "${title}" shown ${n} times`);
    }
    for (const id of [before, ...ids, after]) {
      const n = await page.locator(`#inbox li[data-id="${id}"]`).count();
      check(n === 1, `inbox item ${id} listed ${n} times`);
    }
    await waitBadge(page, '4');
    await shot(page, 'after-restart');
  },

  // A title with markup is shown as text: no element is created and no script runs.
  async xss(page) {
    let dialogs = 0;
    page.on('dialog', d => { dialogs++; d.dismiss(); });
    const title = '<img src=x onerror=alert(1)>';
    const body = '<script>alert(2)</script><b>bold?</b>';
    // a custom event name: the page learns it from the inbox, since EventSource only hands out names it listens to
    await publish({ recipients: [USER], type: 'warning', title: 'Earlier alert', event: 'security.alert' });
    await signIn(page);
    await publish({ recipients: [USER], type: 'error', title, body, event: 'security.alert' });
    const t = await toast(page, title);
    check(await t.$eval('.title', e => e.textContent) === title, 'the toast title is the literal text');
    check(await t.$eval('.body', e => e.textContent) === body, 'the toast body is the literal text');
    await page.waitForSelector('#inbox li .title:has-text("<img src=x")', { timeout: TIMEOUT });
    check((await page.$$('#toasts img, #inbox img, #toasts script, #inbox script, #toasts b, #inbox b')).length === 0, 'no element made from the data');
    await page.reload();
    await page.waitForSelector('#inbox li .title:has-text("<img src=x")', { timeout: TIMEOUT });
    await page.waitForTimeout(500);
    check(dialogs === 0, dialogs + ' dialogs fired');
    await shot(page, 'xss');
  },

  // The admin page lists a dead letter; Replay re-sends it and it leaves the list.
  async adminReplay(page) {
    const id = await publish({ recipients: [USER], title: 'To the flaky channel', channels: ['flaky'] });
    await page.goto(BASE + '/admin');
    await page.fill('#key', API_KEY);
    await page.click('#key-form button[type=submit]');
    const row = `#dead-letters tr:has-text("${id}")`;
    await page.waitForSelector(row, { timeout: TIMEOUT });
    await page.waitForSelector('#per-channel tr:has-text("sse")', { timeout: TIMEOUT }).catch(() => {});
    await page.waitForSelector('#webhooks .notice, #webhooks table, #webhooks p', { timeout: TIMEOUT });
    await page.waitForFunction(() => /\d/.test(document.querySelector('#queue-depth').textContent), null, { timeout: TIMEOUT });
    await page.waitForSelector('#per-channel-deliveries tr:has-text("flaky")', { timeout: TIMEOUT });
    await shot(page, 'admin');
    await page.click(`${row} button.replay`);
    await page.waitForSelector(row, { state: 'detached', timeout: TIMEOUT });
    console.log('@@replayed ' + id);
    // the publish form
    await page.fill('#p-recipients', USER);
    await page.fill('#p-title', 'From the admin page');
    await page.click('#publish-form button[type=submit]');
    await page.waitForSelector('#publish-result:has-text("Published")', { timeout: TIMEOUT });
    const r = await fetch(BASE + '/api/v1/notifications?limit=5', { headers: { Authorization: 'Bearer ' + JWT } });
    check((await r.json()).notifications.some(n => n.title === 'From the admin page'), 'the published notification is in the inbox');
  },

  // Without EventSource the client takes the WebSocket, and still shows toasts and counts.
  async wsFallback(page) {
    await page.addInitScript(() => { delete window.EventSource; });
    await signIn(page);
    await page.waitForSelector('#status.on:has-text("ws")', { timeout: TIMEOUT });
    await publish({ recipients: [USER], type: 'success', title: 'Over the WebSocket' });
    await toast(page, 'Over the WebSocket');
    await waitBadge(page, '1');
    await page.click('#mark-all');
    await waitBadge(page, '0');
  },

  // Counts the client fetched before "Mark all read" reached the server, answered after it, do not
  // put the bell back to 1 (CI saw the WebSocket fallback's bell stay at 1 that way, when a streamed
  // client still fetched counts after each arrival; over long polling it does).
  async staleCounts(page) {
    await page.addInitScript(() => { delete window.EventSource; delete window.WebSocket; });
    await signIn(page);
    await page.waitForSelector('#status.on:has-text("poll")', { timeout: TIMEOUT });
    await waitBadge(page, '0');
    let armed = false;
    let held = null;
    let release;
    const released = new Promise(r => { release = r; });
    await page.route('**/api/v1/notifications/stats', async route => {
      const answer = await route.fetch(); // read by the server now, before the read below
      if (armed && !held) {
        held = answer;
        await released;
      }
      await route.fulfill({ response: answer });
    });
    await publish({ recipients: [USER], type: 'info', title: 'Counted' });
    await toast(page, 'Counted');
    await waitBadge(page, '1');
    armed = true;
    await publish({ recipients: [USER], type: 'info', title: 'Counted late' });
    await toast(page, 'Counted late');
    // the fetch the second arrival started is read by the server and held back in the browser
    for (let i = 0; i < 100 && !held; i++) await new Promise(r => setTimeout(r, 20));
    check(held !== null, 'the client fetched the counts after the notification arrived');
    check((await held.json()).unread === 2, 'the held answer counts both notifications as unread');
    const marked = page.waitForResponse(r => r.url().endsWith('/api/v1/notifications/read'), { timeout: TIMEOUT });
    await page.click('#mark-all');
    await waitBadge(page, '0');
    await marked;
    await new Promise(r => setTimeout(r, 300)); // the counts fetched after the read arrive meanwhile
    release();
    await new Promise(r => setTimeout(r, 500));
    check(await badge(page) === '0', 'the bell stays at 0 after the older counts arrive, shows ' + await badge(page));
  },

  // Over a stream the bell follows the counts the server pushes: live arrivals cost no request (a
  // broadcast to 10,000 connected users once made 10,000 GETs of their counts), over SSE and WebSocket.
  async streamedCounts(page) {
    for (const transport of ['sse', 'ws']) {
      if (transport === 'ws') {
        await page.addInitScript(() => { delete window.EventSource; });
        await page.evaluate(() => sessionStorage.clear()); // signed out: the next load shows the sign-in form
      }
      await signIn(page);
      await page.waitForSelector(`#status.on:has-text("${transport}")`, { timeout: TIMEOUT });
      const before = await badge(page);
      await new Promise(r => setTimeout(r, 500)); // the counts fetched on connecting are in
      const fetched = [];
      const onRequest = r => { if (r.url().includes('/api/v1/notifications/stats')) fetched.push(r.url()); };
      page.on('request', onRequest);
      for (let i = 1; i <= 3; i++) {
        await publish({ recipients: [USER], type: 'info', title: `Pushed count ${transport} ${i}` });
        await toast(page, `Pushed count ${transport} ${i}`);
      }
      await waitBadge(page, String(Number(before) + 3));
      await new Promise(r => setTimeout(r, 500)); // past the 100 ms a fetch of counts would wait
      page.off('request', onRequest);
      check(fetched.length === 0, `over ${transport} three arrivals fetched no counts, fetched ${fetched.length}`);
      await page.click('#mark-all');
      await waitBadge(page, '0');
    }
  },

  // Without EventSource and WebSocket the client long-polls, and still shows toasts and counts.
  async pollFallback(page) {
    await page.addInitScript(() => { delete window.EventSource; delete window.WebSocket; });
    await signIn(page);
    await page.waitForSelector('#status.on:has-text("poll")', { timeout: TIMEOUT });
    await publish({ recipients: [USER], type: 'info', title: 'Over long polling' });
    await toast(page, 'Over long polling');
    await waitBadge(page, '1');
    await page.click('#mark-all');
    await waitBadge(page, '0');
  },

  // The developer sign-in mints a token with the API key (the server runs with --dev-tokens).
  // Progress updates that share a collapse key show as one inbox item, the newest, live and after a reload.
  async collapsedProgress(page) {
    await signIn(page);
    await waitBadge(page, '0');
    const key = 'task:sync-9';
    const one = `#inbox li[data-collapse-key="${key}"]`;
    for (const percent of [20, 50, 80]) {
      await publish({ recipients: [USER], event: 'task.progress', topic: key, collapseKey: key, title: 'Sync ' + percent + '%',
        data: { percent, message: 'Copying' } });
    }
    await page.waitForSelector(`${one} progress[value="80"]`, { timeout: TIMEOUT });
    check(await page.locator(one).count() === 1, 'one inbox item for the task');
    check((await page.textContent(one)).includes('Sync 80%'), 'the item shows the newest update');
    await waitBadge(page, '1');
    await page.reload();
    await page.waitForSelector('#status.on', { timeout: TIMEOUT });
    await page.waitForSelector(`${one} progress[value="80"]`, { timeout: TIMEOUT });
    check(await page.locator(one).count() === 1, 'still one item after a reload');
    check((await page.textContent('#counts')) === '1 unread of 1', 'the counts: ' + await page.textContent('#counts'));
    await shot(page, 'collapsed-progress');
  },

  // The preferences panel saves an opt-out and quiet hours; the server applies them and the page shows them after a reload.
  async preferencesPanel(page) {
    await signIn(page);
    await page.click('#prefs summary');
    await page.waitForFunction(() => document.querySelector('#pref-quiet-zone').value !== '', null, { timeout: TIMEOUT });
    check(!(await page.isChecked('#pref-muted')), 'not muted at first');
    await page.fill('#pref-events', 'marketing.*');
    await page.uncheck('#pref-ch-live');
    await page.uncheck('#pref-ch-os');
    // quiet hours well away from now, so the live event of this test is not held whenever it runs
    const hh = h => String(h % 24).padStart(2, '0') + ':00';
    const quietStart = hh(new Date().getUTCHours() + 6);
    await page.fill('#pref-quiet-start', quietStart);
    await page.fill('#pref-quiet-end', hh(new Date().getUTCHours() + 7));
    await page.fill('#pref-quiet-zone', 'UTC');
    await page.click('#prefs-form button[type=submit]');
    await page.waitForSelector('#prefs-status:has-text("Saved.")', { timeout: TIMEOUT });
    const stored = await (await fetch(BASE + '/api/v1/preferences', { headers: { Authorization: 'Bearer ' + JWT } })).json();
    check(JSON.stringify(stored.optOuts) === JSON.stringify([{ events: ['marketing.*'], topics: [], channels: ['inbox'], critical: false }]),
      'stored opt-out: ' + JSON.stringify(stored.optOuts));
    check(stored.quietHours && stored.quietHours.timeZone === 'UTC' && stored.quietHours.start === quietStart, 'stored quiet hours');
    await publish({ recipients: [USER], event: 'marketing.promo', title: 'Big sale' });
    await publish({ recipients: [USER], event: 'task.completed', type: 'success', title: 'Export done' });
    await page.waitForSelector('#inbox li:has-text("Export done")', { timeout: TIMEOUT });
    await page.reload();
    await page.waitForSelector('#status.on', { timeout: TIMEOUT });
    await page.waitForSelector('#inbox li:has-text("Export done")', { timeout: TIMEOUT });
    check(await page.locator('#inbox li:has-text("Big sale")').count() === 0, 'the opted-out event is not in the inbox');
    await page.click('#prefs summary');
    await page.waitForFunction(() => document.querySelector('#pref-events').value === 'marketing.*', null, { timeout: TIMEOUT });
    check(await page.isChecked('#pref-ch-inbox') && !(await page.isChecked('#pref-ch-live')), 'the channels read back');
    check(await page.inputValue('#pref-quiet-start') === quietStart, 'the quiet hours read back');
    await shot(page, 'preferences');
  },

  async devSignIn(page) {
    await page.goto(BASE + '/');
    await shot(page, 'signin');
    await page.click('summary');
    await page.fill('#dev-key', API_KEY);
    await page.fill('#dev-user', USER);
    await page.fill('#dev-topics', 'task:*');
    await page.click('#dev-form button[type=submit]');
    await page.waitForSelector('#status.on', { timeout: TIMEOUT });
    check((await page.textContent('#who')).includes(USER), 'signed in as ' + USER);
    await publish({ recipients: [USER], title: 'Hello developer' });
    await toast(page, 'Hello developer');
  },
};

await runCase(cases);
