// notify-client.js: the browser client of a Notify server. An ES module without dependencies.
// This file is both the npm package @notify-dev/client (clients/notify-client) and what every
// server serves at /notify-client.js (the server build copies it); types: notify-client.d.ts.
//
//   import { connect } from 'https://notify.example.com/notify-client.js';  // or from '@notify-dev/client'

//   const client = connect({ tokenProvider: () => myApp.notifyJwt(), topics: ['task:*'] });
//   client.on('notification', n => console.log(n.title));
//
// Streams over Server-Sent Events; falls back to WebSocket, then to long polling, when a stream
// cannot be opened. Reconnects with exponential backoff and jitter, resuming after the last
// event id, and drops what it has already seen, so nothing is missed or shown twice.

const WELL_KNOWN_EVENTS = ['notification', 'info', 'warning', 'error', 'success',
  'task.created', 'task.queued', 'task.started', 'task.progress', 'task.heartbeat', 'task.checkpoint',
  'task.completed', 'task.failed', 'task.stuck', 'task.cancelled'];
const TRANSPORTS = ['sse', 'ws', 'poll'];
// WebSocket close codes that mean "authenticate again": 3000 (IANA: Unauthorized) and 4401
const AUTH_CLOSE_CODES = [3000, 4401];

/**
 * Connects to a Notify server and returns the client at once; it connects in the background.
 *
 * @param {object} options
 * @param {string} [options.url] the server's base URL; default: where this module was loaded from
 *        (a bundled copy: the page's origin)
 * @param {string} [options.token] a user JWT (a stream token opens the stream only: no inbox calls)
 * @param {() => (string|Promise<string>)} [options.tokenProvider] returns a fresh user JWT; called
 *        at start, when the last one is about to expire, and after a 401
 * @param {string[]} [options.topics] topics or prefix:* patterns to follow besides the user's own
 * @param {string[]} [options.transports] the order to try, default ['sse', 'ws', 'poll']
 * @param {string[]} [options.events] custom event names to listen for on the SSE stream
 *        (EventSource cannot listen to every name; on() adds names too)
 * @param {number} [options.connectTimeout] ms to wait for the stream's first event before
 *        deciding a proxy buffers it and falling back, default 10000
 * @param {number} [options.limit] notifications kept in client.notifications, default 50
 */
export function connect(options = {}) {
  return new NotifyClient(options);
}

export class NotifyClient {
  constructor(options) {
    if (!options.token && !options.tokenProvider) {
      throw new Error('notify-client: pass token or tokenProvider');
    }
    // an option given as undefined (a React prop left out, say) keeps its default
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = {
      connectTimeout: 10000, limit: 50, backoffBase: 500, backoffMax: 30000, pollWait: 25,
      transports: TRANSPORTS, events: [], topics: [], ...given,
    };
    this.base = String(options.url || defaultBase()).replace(/\/+$/, '');
    /** Notifications, newest first: inbox items plus what arrived live. */
    this.notifications = [];
    /** {total, unread, read} of the user's inbox. */
    this.stats = { total: 0, unread: 0, read: 0 };
    /** Whether a stream is open. */
    this.connected = false;
    /** 'sse', 'ws' or 'poll' once connected. */
    this.transport = null;
    /** The id of the last event received: where a reconnect resumes. */
    this.lastEventId = null;
    this._listeners = new Map();
    this._seen = new Set();
    this._transports = this.options.transports.filter(t => t !== 'sse' || typeof EventSource === 'function');
    this._failures = 0;
    this._closed = false;
    this._token = options.token ? decode(options.token) : null;
    this._stream = null;
    // counts fetched while the user's own change is on its way may be older than it: see _mutate
    this._statsEpoch = 0;
    this._mutations = 0;
    this._start();
  }

  /** Calls fn(payload) for an event name; returns a function that removes it. */
  on(name, fn) {
    if (!this._listeners.has(name)) {
      this._listeners.set(name, new Set());
      if (this._es && isNotificationEvent(name)) this._listenSse(this._es, name);
    }
    this._listeners.get(name).add(fn);
    return () => this._listeners.get(name)?.delete(fn);
  }

  /** Marks one notification read. */
  async markRead(id) {
    const n = this.notifications.find(x => x.id === id);
    if (n && !n.read) {
      n.read = true;
      this._setStats({ ...this.stats, unread: Math.max(0, this.stats.unread - 1), read: this.stats.read + 1 });
    }
    await this._mutate(() => this._api('PATCH', '/api/v1/notifications/' + encodeURIComponent(id), { read: true }));
    this._refreshStatsUnlessStreamed();
  }

  /** Marks every notification of the user read. */
  async markAllRead() {
    this.notifications.forEach(n => { n.read = true; });
    this._setStats({ total: this.stats.total, unread: 0, read: this.stats.total });
    await this._mutate(() => this._api('POST', '/api/v1/notifications/read', { all: true }));
    this._refreshStatsUnlessStreamed();
  }

  /** Deletes one notification from the user's inbox. */
  async remove(id) {
    const n = this.notifications.find(x => x.id === id);
    this.notifications = this.notifications.filter(x => x.id !== id);
    if (n) {
      this._setStats({ total: Math.max(0, this.stats.total - 1),
        unread: this.stats.unread - (n.read ? 0 : 1), read: this.stats.read - (n.read ? 1 : 0) });
    } else {
      this._emit('change', this);
    }
    await this._mutate(() => this._api('DELETE', '/api/v1/notifications/' + encodeURIComponent(id)));
    this._refreshStatsUnlessStreamed();
  }

  /** Reloads the newest page of the inbox and the counts. */
  async refresh() {
    const fresh = this._statsTicket();
    const [page, stats] = await Promise.all([
      this._api('GET', '/api/v1/notifications?limit=' + this.options.limit),
      this._api('GET', '/api/v1/notifications/stats'),
    ]);
    const live = this.notifications.filter(n => !page.notifications.some(p => p.id === n.id
      || (n.collapseKey && (p.collapseKey ?? null) === n.collapseKey)) && !n.fromInbox);
    const items = page.notifications.map(p => ({ ...normalize(p), fromInbox: true }));
    items.forEach(n => { this._seen.add(n.id); this._learn(n.event); });
    this.notifications = [...live, ...items].sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || ''))
      .slice(0, this.options.limit);
    if (fresh()) this._setStats(stats);
    else this._emit('change', this);
  }

  /** Stops streaming. */
  close() {
    this._closed = true;
    clearTimeout(this._retryTimer);
    this._stopStream();
    this._setConnected(false);
  }

  // ---- connecting ---------------------------------------------------------------------------

  async _start() {
    try {
      await this.refresh();
    } catch (e) {
      this._emit('error', e);
    }
    this._open();
  }

  async _open() {
    if (this._closed) return;
    const transport = this._transports[0];
    if (!transport) {
      this._emit('error', new Error('notify-client: no transport could be opened'));
      return;
    }
    try {
      if (transport === 'sse') await this._openSse();
      else if (transport === 'ws') await this._openWs();
      else await this._openPoll();
    } catch (e) {
      this._emit('error', e);
      this._retry();
    }
  }

  // Gives up on the current transport for good (a proxy buffers it, or the server lacks it).
  _fallBack(reason) {
    const from = this._transports.shift();
    this._emit('fallback', { from, to: this._transports[0] || null, reason });
    this._stopStream();
    this._failures = 0;
    this._open();
  }

  _retry() {
    this._stopStream();
    this._setConnected(false);
    if (this._closed) return;
    // exponential backoff with full jitter between half and all of the step
    const step = Math.min(this.options.backoffMax, this.options.backoffBase * 2 ** Math.min(this._failures, 10));
    this._failures++;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => this._open(), step / 2 + Math.random() * step / 2);
  }

  _stopStream() {
    clearTimeout(this._watchdog);
    if (this._stream) {
      const s = this._stream;
      this._stream = null;
      try { s.close(); } catch (e) { /* already closed */ }
    }
    this._es = null;
  }

  _onConnected(transport) {
    clearTimeout(this._watchdog);
    this._failures = 0;
    this.transport = transport;
    this._setConnected(true);
  }

  _watch(onTimeout) {
    clearTimeout(this._watchdog);
    this._watchdog = setTimeout(onTimeout, this.options.connectTimeout);
  }

  _streamQuery(token, resumeParam) {
    const q = new URLSearchParams({ token });
    if (this.options.topics.length) q.set('topics', this.options.topics.join(','));
    if (this.lastEventId != null) q.set(resumeParam, String(this.lastEventId));
    return q.toString();
  }

  // EventSource sends no headers, so the stream gets a short-lived stream token in ?token=, and
  // the resume position in ?lastEventId= (a new EventSource has no Last-Event-ID of its own).
  async _openSse() {
    const token = await this._streamToken();
    if (this._closed) return;
    const url = this.base + '/api/v1/notifications/stream?' + this._streamQuery(token, 'lastEventId');
    const es = new EventSource(url);
    es._names = new Set();
    this._stream = es;
    this._es = es;
    let opened = false;
    // a buffering proxy delivers the 200 but holds the events: no 'connected' in time means fall back
    this._watch(() => this._fallBack('no event within ' + this.options.connectTimeout + ' ms; the stream is buffered'));
    es.onopen = () => { opened = true; };
    es.onerror = async () => {
      if (this._stream !== es) return;
      es.close();
      if (!opened) {
        // refused before the stream started: ask why (EventSource does not say)
        const status = await this._probe(url);
        if (this._stream !== es) return;
        if (status === 401) this._forgetTokens();
        else if (status === 404 || status === 405 || (status >= 400 && status < 500 && status !== 429)) {
          this._fallBack('the stream answered ' + status);
          return;
        }
      }
      this._retry();
    };
    es.addEventListener('connected', e => {
      const d = JSON.parse(e.data);
      if (this.lastEventId == null && d.lastEventId != null) this.lastEventId = d.lastEventId;
      this._noteId(e.lastEventId);
      this._onConnected('sse');
    });
    // the server ends a stream when the credential it was opened with expires: renew and reopen at once
    es.addEventListener('reauthenticate', () => this._reauthenticate());
    es.addEventListener('stats', e => this._setStats(JSON.parse(e.data)));
    es.addEventListener('recent', e => JSON.parse(e.data).notifications.forEach(n => this._receive(n, false)));
    es.addEventListener('pruned', e => { this._emit('pruned', JSON.parse(e.data)); this.refresh().catch(() => {}); });
    const names = new Set([...WELL_KNOWN_EVENTS, ...this.options.events, ...this._listeners.keys(),
      ...this.notifications.map(n => n.event)]);
    names.forEach(name => { if (isNotificationEvent(name)) this._listenSse(es, name); });
  }

  // EventSource only dispatches names someone listens to: listen to every name the inbox shows too
  _learn(name) {
    if (this._es && !this._es._names.has(name) && isNotificationEvent(name)) this._listenSse(this._es, name);
  }

  _listenSse(es, name) {
    if (es._names.has(name)) return;
    es._names.add(name);
    es.addEventListener(name, e => {
      this._noteId(e.lastEventId);
      this._receive(JSON.parse(e.data), true);
    });
  }

  async _probe(url) {
    try {
      const ctl = new AbortController();
      const r = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: ctl.signal });
      ctl.abort();
      return r.status;
    } catch (e) {
      return 0; // unreachable: the server is down, retry the same transport
    }
  }

  async _openWs() {
    if (typeof WebSocket !== 'function') { this._fallBack('no WebSocket in this browser'); return; }
    const token = await this._streamToken();
    if (this._closed) return;
    const url = this.base.replace(/^http/, 'ws') + '/api/v1/notifications/ws?' + this._streamQuery(token, 'after');
    const ws = new WebSocket(url);
    this._stream = ws;
    let opened = false;
    this._watch(() => this._fallBack('no WebSocket frame within ' + this.options.connectTimeout + ' ms'));
    ws.onopen = () => { opened = true; };
    ws.onclose = e => {
      if (this._stream !== ws) return;
      if (AUTH_CLOSE_CODES.includes(e.code)) {
        this._forgetTokens(); // the credential expired or was refused: a fresh one, not another transport
        this._retry();
        return;
      }
      if (!opened) {
        // refused before the upgrade: a server without the ws channel, or a proxy without WebSocket
        this._fallBack('the WebSocket could not be opened');
        return;
      }
      this._retry();
    };
    ws.onmessage = e => {
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.notification_id != null) {
        this._noteId(m.id);
        this._receive({ ...m, id: m.notification_id, sequence: m.id, event: m.type, type: m.notification_type }, true);
        return;
      }
      const d = m.data || {};
      if (m.type === 'connected') {
        if (this.lastEventId == null && d.last_id != null) this.lastEventId = d.last_id;
        this._onConnected('ws');
      } else if (m.type === 'reauthenticate') {
        // the server ends the socket when its credential expires: renew and reopen, as for SSE
        this._reauthenticate();
      } else if (m.type === 'stats') {
        this._setStats(d);
      } else if (m.type === 'error') {
        this._emit('error', new Error('notify ws: ' + (d.reason || JSON.stringify(d))));
      }
    };
  }

  // Long polling: a request that the server holds until something arrives (or pollWait passes).
  async _openPoll() {
    const stream = { closed: false, close() { this.closed = true; this.ctl?.abort(); } };
    this._stream = stream;
    const catchingUp = this.lastEventId == null;
    let after = this.lastEventId ?? 0;
    let first = true;
    while (!stream.closed && !this._closed) {
      const q = new URLSearchParams({ after: String(after), wait: first && catchingUp ? '0' : String(this.options.pollWait) });
      if (first && catchingUp) q.set('limit', '1000');
      if (this.options.topics.length) q.set('topics', this.options.topics.join(','));
      stream.ctl = new AbortController();
      let answer;
      try {
        answer = await this._api('GET', '/api/v1/notifications/poll?' + q, undefined, stream.ctl.signal);
      } catch (e) {
        if (stream.closed) return;
        if (e.status === 404) { this._fallBack('the poll channel is not loaded'); return; }
        throw e;
      }
      if (stream.closed) return;
      // a fresh client starts at the log's head: what came before is in the inbox already
      const live = !(first && catchingUp);
      answer.events.forEach(ev => this._receive({ ...ev, id: ev.notification_id, sequence: ev.id }, live));
      after = answer.last_seq;
      this.lastEventId = after;
      if (first) this._onConnected('poll');
      if (!live && answer.events.length >= 1000) continue;
      first = false;
    }
  }

  // ---- receiving ----------------------------------------------------------------------------

  _noteId(id) {
    if (id != null && id !== '' && !Number.isNaN(Number(id))) {
      this.lastEventId = Math.max(Number(id), this.lastEventId ?? 0);
    }
  }

  // One notification from any transport: listed once and announced once, whatever the transport
  // replays. Inbox items (the first page, the stream's 'recent') are listed but not announced, so a
  // replay after a reconnect still announces what arrived while the client was away.
  _receive(raw, live) {
    const n = normalize(raw);
    this._learn(n.event);
    if (live) {
      if (this._seen.has(n.id)) return;
      this._seen.add(n.id);
      if (this._seen.size > 5000) this._seen.delete(this._seen.values().next().value);
    }
    const i = this.notifications.findIndex(x => x.id === n.id);
    if (i >= 0) {
      if (!live) return;
      this.notifications[i] = { ...n, read: this.notifications[i].read };
    } else {
      // the inbox keeps one item per collapse key, the newest: so does the list
      const rest = n.collapseKey ? this.notifications.filter(x => x.collapseKey !== n.collapseKey) : this.notifications;
      this.notifications = [n, ...rest].slice(0, this.options.limit);
    }
    if (live) {
      // an SSE or WebSocket stream pushes a recipient's new counts with every inbox change (published on
      // this node, on another, or carried whole with --redis-payloads; a topic event changes no inbox):
      // fetching them too made a broadcast to 10,000 connected users 10,000 GETs. Polling fetches them.
      this._refreshStatsUnlessStreamed();
      this._emit('notification', n);
      if (n.event !== 'notification') this._emit(n.event, n);
    }
    this._emit('change', this);
  }

  _setStats(s) {
    this.stats = { total: s.total, unread: s.unread, read: s.read };
    this._emit('stats', this.stats);
    this._emit('change', this);
  }

  _setConnected(c) {
    if (this.connected === c) return;
    this.connected = c;
    this._emit(c ? 'connected' : 'disconnected', { transport: this.transport });
    this._emit('change', this);
  }

  // the SSE and WebSocket streams push stats after reads and deletes; polling does not
  _refreshStatsUnlessStreamed() {
    if ((this.transport === 'sse' || this.transport === 'ws') && this.connected) return;
    this._refreshStats();
  }

  _refreshStats() {
    clearTimeout(this._statsTimer);
    this._statsTimer = setTimeout(() => {
      const fresh = this._statsTicket();
      this._api('GET', '/api/v1/notifications/stats').then(s => { if (fresh()) this._setStats(s); }, e => this._emit('error', e));
    }, 100);
  }

  // Runs one of the user's own changes (read, delete). Counts fetched while it is on its way may
  // have been read before the server applied it: they are dropped (the local counts already show
  // the change, and the streams push the server's counts after it; polling fetches them again).
  async _mutate(request) {
    this._statsEpoch++;
    this._mutations++;
    clearTimeout(this._statsTimer);
    try {
      return await request();
    } finally {
      this._mutations--;
      this._statsEpoch++;
    }
  }

  // Returns a function telling whether counts fetched from now on are still to be shown.
  _statsTicket() {
    const epoch = this._statsEpoch;
    const quiet = this._mutations === 0;
    return () => quiet && epoch === this._statsEpoch;
  }

  _emit(name, payload) {
    (this._listeners.get(name) || []).forEach(fn => {
      try { fn(payload); } catch (e) { setTimeout(() => { throw e; }); }
    });
  }

  // ---- tokens and requests ----------------------------------------------------------------------

  // The user's JWT, from the provider again when the last one expires within a minute.
  async _userToken() {
    if (this._token && (!this.options.tokenProvider || this._token.exp - Date.now() > 60000)) {
      return this._token.raw;
    }
    this._token = decode(await this.options.tokenProvider());
    return this._token.raw;
  }

  async _streamToken() {
    if (this._streamTok && this._streamTok.exp - Date.now() > 30000) return this._streamTok.raw;
    const user = await this._userToken();
    if (this._token.use === 'stream') return user; // already a stream token
    const r = await this._api('POST', '/api/v1/stream-tokens');
    this._streamTok = { raw: r.token, exp: Date.parse(r.expiresAt) };
    return r.token;
  }

  // Not a failure: the server ends a stream whose credential expires with a 'reauthenticate' event.
  // Reconnect at once, no backoff, with a stream token minted from a fresh JWT (tokenProvider),
  // resuming after lastEventId.
  _reauthenticate() {
    this._forgetTokens();
    this._stopStream();
    this._failures = 0;
    this._emit('reauthenticate', { transport: this.transport });
    this._open();
  }

  _forgetTokens() {
    this._streamTok = null;
    if (this.options.tokenProvider) this._token = null;
  }

  async _api(method, path, body, signal, retried) {
    const token = await this._userToken();
    const headers = { Authorization: 'Bearer ' + token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + path, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status === 401 && this.options.tokenProvider && !retried) {
      this._forgetTokens();
      return this._api(method, path, body, signal, true);
    }
    if (!r.ok) {
      let detail = r.statusText;
      try { detail = (await r.json()).detail || detail; } catch (e) { /* not a problem document */ }
      const err = new Error(method + ' ' + path.split('?')[0] + ': ' + r.status + ' ' + detail);
      err.status = r.status;
      throw err;
    }
    return r.status === 204 ? null : r.json();
  }
}

function isNotificationEvent(name) {
  return !['connected', 'disconnected', 'stats', 'recent', 'pruned', 'change', 'error', 'fallback', 'reauthenticate'].includes(name);
}

// The server's origin when the server itself served this file; a bundled copy (npm) has no origin
// of its own and talks to the page's origin unless options.url says otherwise.
function defaultBase() {
  try {
    const own = new URL(import.meta.url);
    if (own.protocol === 'http:' || own.protocol === 'https:') return own.origin;
  } catch (e) { /* bundled into a script without import.meta */ }
  return globalThis.location ? globalThis.location.origin : '';
}

// One shape for SSE, WebSocket, poll and inbox items.
function normalize(raw) {
  return {
    id: String(raw.id),
    sequence: raw.sequence ?? null,
    event: raw.event || 'notification',
    type: raw.type || 'info',
    topic: raw.topic ?? null,
    taskId: raw.task_id ?? raw.data?.task_id ?? null,
    collapseKey: raw.collapseKey ?? raw.collapse_key ?? null,
    priority: raw.priority || 'normal',
    title: raw.title ?? '',
    body: raw.body ?? '',
    data: raw.data || {},
    createdAt: raw.createdAt || raw.timestamp || new Date().toISOString(),
    read: Boolean(raw.read),
  };
}

// Reads a JWT's exp and use claims (no verification: the server does that).
function decode(raw) {
  let claims = {};
  try {
    const part = raw.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    claims = JSON.parse(atob(part + '='.repeat((4 - part.length % 4) % 4)));
  } catch (e) { /* opaque token: treat as never expiring */ }
  return { raw, exp: claims.exp ? claims.exp * 1000 : Infinity, use: claims.use, sub: claims.sub };
}
