import { el, $, timeAgo } from './dom.js';

const KEY = 'notify.apiKey';
let apiKey = sessionStorage.getItem(KEY);

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + apiKey };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
  if (!r.ok) {
    const err = new Error(r.status + ' ' + ((json && json.detail) || r.statusText));
    err.status = r.status;
    throw err;
  }
  return json;
}

function status(text, cls) {
  $('#status').textContent = text;
  $('#status').className = 'status ' + cls;
}

function rows(tbody, list, empty) {
  $(tbody).replaceChildren(...(list.length ? list : [el('tr', {}, el('td', { colspan: 8, class: 'muted' }, empty))]));
}

async function connections() {
  const c = await api('GET', '/api/v1/notifications/stream/connections');
  $('#conn-total').textContent = String(c.total);
  rows('#per-channel', Object.entries(c.perChannel).map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: 'num' }, v))), 'No live connections.');
  rows('#per-user', Object.entries(c.perUser).map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: 'num' }, v))), 'Nobody connected.');
}

async function nodes() {
  const r = await api('GET', '/api/v1/admin/nodes');
  $('#nodes-count').textContent = String(r.nodes.filter(n => n.state === 'live').length);
  $('#nodes-signals').textContent = 'this is ' + r.self + '; signals: ' + r.signals + (r.signalsConnected ? '' : ' (reconnecting)')
      + ', last lag ' + r.signalLagMs + ' ms';
  rows('#nodes', r.nodes.map(n => el('tr', {},
    el('td', {}, n.nodeId + (n.nodeId === r.self ? ' (this one)' : '')),
    el('td', {}, n.address),
    el('td', {}, el('span', { class: 'pill ' + (n.state === 'live' ? 'sent' : 'failed') }, n.state)),
    el('td', {}, timeAgo(n.startedAt)),
    el('td', {}, timeAgo(n.lastHeartbeat)),
    el('td', { class: 'num' }, n.connections),
    el('td', { class: 'num' }, n.claimedDeliveries))), 'No node has registered.');
}

// Queue depth and per-channel counters from the Prometheus text at /metrics.
async function metrics() {
  const text = await (await fetch('/metrics')).text();
  const perChannel = {};
  let depth = null;
  for (const line of text.split('\n')) {
    const m = /^(notify_[a-z_]+?)(?:\{([^}]*)\})?\s+([0-9.eE+-]+|NaN)$/.exec(line);
    if (!m) continue;
    const [, name, labels = '', value] = m;
    if (name === 'notify_queue_depth') depth = (depth || 0) + Number(value);
    const kind = /^notify_deliveries_(sent|failed|retrying)(?:_total)?$/.exec(name);
    if (!kind) continue;
    const channel = (/channel="([^"]*)"/.exec(labels) || [])[1] || '(all)';
    perChannel[channel] = perChannel[channel] || { sent: 0, failed: 0, retrying: 0 };
    perChannel[channel][kind[1]] += Number(value);
  }
  $('#queue-depth').textContent = depth == null ? '–' : String(Math.round(depth));
  rows('#per-channel-deliveries', Object.entries(perChannel).sort().map(([ch, v]) =>
    el('tr', {}, el('td', {}, ch), el('td', { class: 'num' }, Math.round(v.sent)), el('td', { class: 'num' }, Math.round(v.failed)),
      el('td', { class: 'num' }, Math.round(v.retrying)))), 'Nothing delivered yet.');
}

async function deadLetters() {
  const page = await api('GET', '/api/v1/dead-letters?limit=50');
  $('#dl-count').textContent = String(page.deadLetters.length) + (page.nextCursor ? '+' : '');
  rows('#dead-letters', page.deadLetters.map(d => el('tr', { 'data-id': d.id },
    el('td', { class: 'nowrap' }, d.id), el('td', { class: 'id' }, d.notificationId), el('td', {}, d.channel), el('td', {}, d.target),
    el('td', { class: 'num' }, d.attempts), el('td', {}, d.lastError || ''), el('td', { title: d.updatedAt }, timeAgo(d.updatedAt)),
    el('td', {}, el('button', { type: 'button', class: 'replay', 'aria-label': 'Replay dead letter ' + d.id,
      onclick: e => replay(d.id, e.currentTarget) }, 'Replay')))), 'No dead letters.');
}

async function replay(id, button) {
  button.disabled = true;
  button.textContent = 'Replaying…';
  try {
    await api('POST', '/api/v1/dead-letters/' + encodeURIComponent(id) + '/replay');
    button.textContent = 'Replayed';
    setTimeout(refresh, 500);
  } catch (e) {
    button.textContent = 'Failed: ' + e.message;
    button.disabled = false;
  }
}

async function webhooks() {
  const box = $('#webhooks');
  let list;
  try {
    list = await api('GET', '/api/v1/webhooks');
  } catch (e) {
    if (e.status === 404) {
      box.replaceChildren(el('p', { class: 'notice' }, 'Webhook channel not loaded: this server has no webhook plugin.'));
      return;
    }
    throw e;
  }
  const endpoints = Array.isArray(list) ? list : (list.webhooks || list.endpoints || []);
  if (!endpoints.length) {
    box.replaceChildren(el('p', { class: 'muted' }, 'No webhook endpoints registered.'));
    return;
  }
  const cards = await Promise.all(endpoints.map(async w => {
    let attempts = [];
    try {
      const d = await api('GET', '/api/v1/webhooks/' + encodeURIComponent(w.id) + '/deliveries?limit=10');
      attempts = Array.isArray(d) ? d : (d.deliveries || d.attempts || []);
    } catch (e) { /* shown as no attempts */ }
    return el('div', { class: 'mt' },
      el('div', {}, el('strong', {}, w.url), ' ', el('span', { class: 'muted' }, w.id + (w.description ? ' · ' + w.description : ''))),
      el('div', { class: 'muted' }, 'events: ' + (w.events || []).join(', ') + ' · topics: ' + (w.topics || []).join(', ')),
      // a hanging or failing endpoint: its failure run, and whether it was disabled (POST .../enable brings it back)
      (w.enabled === false || w.consecutiveFailures > 0) ? el('div', {},
        w.enabled === false ? el('span', { class: 'pill failed' }, 'disabled') : el('span', { class: 'pill retrying' }, 'failing'),
        ' ' + (w.consecutiveFailures || 0) + ' failures in a row' + (w.failingSince ? ', the first ' + timeAgo(w.failingSince) : '')
          + (w.enabled === false ? ' · enable with POST /api/v1/webhooks/' + w.id + '/enable' : '')) : '',
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'Notification'), el('th', {}, 'Status'), el('th', {}, 'Detail'))),
        el('tbody', {}, attempts.length ? attempts.map(a => el('tr', {},
          el('td', {}, timeAgo(a.at || a.attemptedAt || a.timestamp || a.createdAt)),
          el('td', {}, a.notificationId || a.notification_id || ''),
          el('td', {}, el('span', { class: 'pill ' + String(a.status || a.outcome || '').toLowerCase() }, a.status ?? a.statusCode ?? a.outcome ?? '')),
          el('td', {}, a.error || a.detail || a.responseStatus || ''))) : el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No attempts yet.')))));
  }));
  box.replaceChildren(...cards);
}

async function refresh() {
  const parts = await Promise.allSettled([connections(), nodes(), metrics(), deadLetters(), webhooks()]);
  const failed = parts.find(p => p.status === 'rejected');
  if (failed && failed.reason.status === 401) {
    sessionStorage.removeItem(KEY);
    apiKey = null;
    showSignIn('The API key was refused: ' + failed.reason.message);
    return;
  }
  status(failed ? 'error: ' + failed.reason.message : 'updated ' + new Date().toLocaleTimeString(), failed ? 'off' : 'on');
}

async function publish(e) {
  e.preventDefault();
  const list = id => $(id).value.split(',').map(s => s.trim()).filter(Boolean);
  const n = { type: $('#p-type').value, priority: $('#p-priority').value };
  if (list('#p-recipients').length) n.recipients = list('#p-recipients');
  if (list('#p-channels').length) n.channels = list('#p-channels');
  for (const [field, id] of [['topic', '#p-topic'], ['event', '#p-event'], ['title', '#p-title'], ['body', '#p-body']]) {
    if ($(id).value.trim()) n[field] = $(id).value.trim();
  }
  const result = $('#publish-result');
  try {
    if ($('#p-data').value.trim()) n.data = JSON.parse($('#p-data').value);
    const r = await api('POST', '/api/v1/notifications', n);
    result.className = 'muted';
    result.textContent = 'Published ' + r.id + (r.duplicate ? ' (duplicate)' : '');
    setTimeout(refresh, 300);
  } catch (err) {
    result.className = 'error-text';
    result.textContent = 'Not published: ' + err.message;
  }
}

function showSignIn(message) {
  $('#dashboard').classList.add('hidden');
  $('#signout').classList.add('hidden');
  $('#signin').classList.remove('hidden');
  $('#signin-error').textContent = message || '';
  status('not signed in', 'off');
}

function showDashboard() {
  $('#signin').classList.add('hidden');
  $('#dashboard').classList.remove('hidden');
  $('#signout').classList.remove('hidden');
  refresh();
}

$('#key-form').addEventListener('submit', e => {
  e.preventDefault();
  apiKey = $('#key').value.trim();
  sessionStorage.setItem(KEY, apiKey);
  showDashboard();
});
$('#signout').addEventListener('click', () => { sessionStorage.removeItem(KEY); apiKey = null; showSignIn(); });
$('#reload').addEventListener('click', refresh);
$('#publish-form').addEventListener('submit', publish);
setInterval(() => apiKey && refresh(), 5000);
if (apiKey) showDashboard(); else showSignIn();
