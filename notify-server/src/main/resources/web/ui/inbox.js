import { connect } from '/notify-client.js';
import { el, $, timeAgo } from './dom.js';

const TOKEN_KEY = 'notify.token';
const TASK_FINAL = ['task.completed', 'task.failed', 'task.cancelled', 'task.stuck'];
const QUIET = ['task.progress', 'task.heartbeat', 'task.checkpoint', 'task.queued'];
let client = null;
const tasks = new Map();

function start(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#signin').classList.add('hidden');
  ['#inbox-card', '#prefs-card', '#signout', '#bell'].forEach(s => $(s).classList.remove('hidden'));
  $('#who').textContent = 'signed in as ' + (subject(token) || '?');
  const topics = (new URLSearchParams(location.search).get('topics') || '').split(',').filter(Boolean);
  client = connect({ url: location.origin, token, topics });
  window.notifyClient = client; // for the browser console and tests
  client.on('change', render);
  client.on('connected', ({ transport }) => status('live · ' + transport, 'on'));
  client.on('disconnected', () => status('reconnecting…', 'off'));
  client.on('fallback', f => console.info('notify: falling back from', f.from, 'to', f.to, '-', f.reason));
  client.on('error', e => console.warn('notify:', e.message));
  client.on('notification', n => {
    if (n.event.startsWith('task.') && n.taskId) task(n);
    if (!QUIET.includes(n.event)) toast(n);
  });
  render();
  loadPreferences(token);
}

// The preferences panel: one opt-out rule (event patterns on the ticked channels), mute and quiet hours.
async function preferencesApi(token, method, body) {
  const r = await fetch('/api/v1/preferences', { method, headers: { Authorization: 'Bearer ' + token,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json();
  if (!r.ok) throw new Error(json.detail || r.statusText);
  return json;
}

async function loadPreferences(token) {
  try {
    const p = await preferencesApi(token, 'GET');
    $('#pref-muted').checked = p.muted;
    const rule = p.optOuts.find(o => o.events.length && !o.topics.length);
    $('#pref-events').value = rule ? rule.events.join(', ') : '';
    for (const ch of ['inbox', 'live', 'os']) $('#pref-ch-' + ch).checked = !rule || !rule.channels.length || rule.channels.includes(ch);
    $('#pref-quiet-start').value = p.quietHours ? p.quietHours.start : '';
    $('#pref-quiet-end').value = p.quietHours ? p.quietHours.end : '';
    $('#pref-quiet-zone').value = p.quietHours ? p.quietHours.timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    $('#prefs-status').textContent = 'Preferences unavailable: ' + e.message;
  }
}

async function savePreferences(e) {
  e.preventDefault();
  const token = sessionStorage.getItem(TOKEN_KEY);
  const events = $('#pref-events').value.split(',').map(s => s.trim()).filter(Boolean);
  const channels = ['inbox', 'live', 'os'].filter(ch => $('#pref-ch-' + ch).checked);
  const body = { muted: $('#pref-muted').checked, optOuts: [] };
  if (events.length && channels.length) body.optOuts.push({ events, channels: channels.length === 3 ? [] : channels });
  const start = $('#pref-quiet-start').value;
  const end = $('#pref-quiet-end').value;
  if (start && end) body.quietHours = { start, end, timeZone: $('#pref-quiet-zone').value.trim() || 'UTC' };
  try {
    await preferencesApi(token, 'PUT', body);
    $('#prefs-status').textContent = 'Saved.';
  } catch (err) {
    $('#prefs-status').textContent = 'Not saved: ' + err.message;
  }
}

function subject(token) {
  try { return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub; } catch (e) { return null; }
}

function status(text, cls) {
  const s = $('#status');
  s.textContent = text;
  s.className = 'status ' + cls;
}

function render() {
  const { unread, total } = client.stats;
  $('#badge').textContent = unread > 99 ? '99+' : String(unread);
  $('#badge').classList.toggle('zero', unread === 0);
  $('#bell').setAttribute('aria-label', 'Notifications: ' + unread + ' unread');
  $('#counts').textContent = unread + ' unread of ' + total;
  const unreadOnly = $('#unread-only').checked;
  const items = client.notifications.filter(n => !unreadOnly || !n.read);
  const list = $('#inbox');
  list.replaceChildren(...items.map(item));
  if (!items.length) list.append(el('li', { class: 'empty' }, unreadOnly ? 'No unread notifications.' : 'No notifications yet.'));
}

function item(n) {
  const percent = typeof n.data.percent === 'number' ? Math.max(0, Math.min(100, Math.round(n.data.percent))) : null;
  return el('li', { class: (n.read ? 'read' : 'unread') + ' type-' + n.type, 'data-id': n.id,
    'data-collapse-key': n.collapseKey },
    el('span', { class: 'stripe', 'aria-hidden': 'true' }),
    el('div', {},
      el('div', { class: 'title' }, n.read ? null : el('span', { class: 'dot', title: 'unread' }), n.title || n.event),
      n.body ? el('div', { class: 'body' }, n.body) : null,
      // an item that collapses (one per task) shows how far its task got
      n.collapseKey && percent !== null ? el('progress', { class: 'progress', max: '100', value: String(percent),
        'aria-label': (n.title || n.event) + ' progress' }, percent + '%') : null,
      el('div', { class: 'meta' }, n.type + ' · ' + n.event + (n.topic ? ' · ' + n.topic : '') + ' · ' + timeAgo(n.createdAt))),
    el('div', { class: 'buttons' },
      n.read ? null : el('button', { type: 'button', class: 'mark-read', onclick: () => act(client.markRead(n.id)) }, 'Mark read'),
      el('button', { type: 'button', class: 'danger delete', 'aria-label': 'Delete ' + (n.title || n.event), onclick: () => act(client.remove(n.id)) }, 'Delete')));
}

function act(promise) {
  promise.catch(e => toast({ type: 'error', title: 'That did not work', body: e.message, event: 'error' }));
}

// A toast per live notification: a status region, dismissable with its button (or Escape when focused), gone after 8 s.
function toast(n) {
  const close = () => t.remove();
  const t = el('div', { class: 'toast type-' + n.type, role: 'status', tabindex: '0',
    onkeydown: e => { if (e.key === 'Escape') close(); } },
    el('div', {},
      el('div', { class: 'kind' }, n.type + (n.event !== 'notification' ? ' · ' + n.event : '')),
      el('div', { class: 'title' }, n.title || n.event),
      n.body ? el('div', { class: 'body' }, n.body) : null),
    el('button', { type: 'button', 'aria-label': 'Dismiss notification', onclick: close }, '×'));
  $('#toasts').append(t);
  let timer = setTimeout(close, 8000);
  t.addEventListener('mouseenter', () => clearTimeout(timer));
  t.addEventListener('focusin', () => clearTimeout(timer));
  t.addEventListener('mouseleave', () => { timer = setTimeout(close, 4000); });
  while ($('#toasts').children.length > 5) $('#toasts').firstElementChild.remove();
}

// Live task progress: one bar per task id.
function task(n) {
  const t = tasks.get(n.taskId) || { id: n.taskId, percent: 0, message: '', state: 'running' };
  if (typeof n.data.percent === 'number') t.percent = Math.max(0, Math.min(100, n.data.percent));
  t.message = n.data.message || n.data.error || n.title || t.message;
  t.state = n.event.slice(5);
  if (n.event === 'task.completed') t.percent = 100;
  tasks.set(n.taskId, t);
  $('#tasks-card').classList.remove('hidden');
  $('#tasks').replaceChildren(...[...tasks.values()].map(x => {
    const done = TASK_FINAL.includes('task.' + x.state);
    const mark = x.state === 'completed' ? '✓ ' : done ? '✗ ' : '';
    return el('div', { class: 'task ' + x.state, 'data-task': x.id },
      el('span', { class: 'name', title: x.id }, mark + x.id),
      el('div', { class: 'bar', role: 'progressbar', 'aria-label': 'Task ' + x.id, 'aria-valuemin': 0, 'aria-valuemax': 100,
        'aria-valuenow': Math.round(x.percent) }, el('div', { style: null })),
      el('span', { class: 'pct' }, Math.round(x.percent) + '%'),
      el('div', { class: 'msg' }, x.state + (x.message ? ' · ' + x.message : '')));
  }));
  // width through the CSSOM: the page's CSP forbids inline style attributes
  $('#tasks').querySelectorAll('.task').forEach(row => {
    row.querySelector('.bar > div').style.width = tasks.get(row.dataset.task).percent + '%';
  });
}

async function mintDevToken(e) {
  e.preventDefault();
  $('#signin-error').textContent = '';
  const topics = $('#dev-topics').value.split(',').map(s => s.trim()).filter(Boolean);
  try {
    const r = await fetch('/api/v1/dev/tokens', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + $('#dev-key').value.trim(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: $('#dev-user').value.trim(), topics }),
    });
    const body = await r.json();
    if (!r.ok) throw new Error(body.detail || r.statusText);
    start(body.token);
  } catch (err) {
    $('#signin-error').textContent = 'Could not mint a token: ' + err.message;
  }
}

async function signIn(e) {
  e.preventDefault();
  const token = $('#token').value.trim();
  $('#signin-error').textContent = '';
  const r = await fetch('/api/v1/notifications/stats', { headers: { Authorization: 'Bearer ' + token } });
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    $('#signin-error').textContent = 'This token is not accepted: ' + (body.detail || r.status);
    return;
  }
  start(token);
}

$('#token-form').addEventListener('submit', signIn);
$('#dev-form').addEventListener('submit', mintDevToken);
$('#prefs-form').addEventListener('submit', savePreferences);
$('#unread-only').addEventListener('change', () => client && render());
$('#mark-all').addEventListener('click', () => act(client.markAllRead()));
$('#bell').addEventListener('click', () => {
  if (!client) return;
  $('#unread-only').checked = !$('#unread-only').checked;
  render();
  $('#inbox-title').focus();
});
$('#signout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) start(saved);
else $('#signin').classList.remove('hidden');
setInterval(() => client && render(), 30000);
