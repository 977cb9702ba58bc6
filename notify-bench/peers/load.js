// The load client of notify-bench/peers.sh: the same client for every target.
//
//   node load.js --target notify-sse --port 8080 --pid 1234 [--jvm] [--n 10000] [--workers 4] [--nmt DIR]
//                [--storms 2] [--paced 10] [--bursts 3] [--pacedWait 30] [--burstWait 60]   (waits in seconds)
//
// The master forks --workers processes (each under the 20,000 open-files limit) that hold
// the connections, one JWT per connection for users load-0..N-1. It then measures, on the
// server process --pid: the connect storm (every connection opened at once, until each is
// greeted; then every client drops and all reconnect at once, the reconnect storm), RSS (/proc/PID/status) and, for JVMs, heap after GC (jcmd GC.run; GC.heap_info)
// per connection, paced broadcasts (publish-to-receive p50/p99/max over every connection),
// bursts of back-to-back broadcasts (delivered events/s, every event counted) and server CPU
// per delivered event (/proc/PID/stat utime+stime). One JSON line `RESULT {...}` goes to stdout.
'use strict';
const { fork, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const { sign } = require('./jwt');

const API_KEY = process.env.API_KEY || 'bench-api-key-0123456789abcdef';
const HOST = '127.0.0.1';

/** What differs between targets: how to connect, what greets, where to publish. */
const TARGETS = {
  'notify-sse': { kind: 'sse', path: '/api/v1/notifications/stream?topics=bench:all', ready: 'event: recent',
    publishPath: '/api/v1/notifications', body: (t) => '{"topic":"bench:all","event":"bench.broadcast","title":"' + t + '"}' },
  'notify-ws': { kind: 'ws', path: '/api/v1/notifications/ws?topics=bench:all', ready: '"type":"stats"',
    publishPath: '/api/v1/notifications', body: (t) => '{"topic":"bench:all","event":"bench.broadcast","title":"' + t + '"}' },
  'node-sse': { kind: 'sse', path: '/stream', ready: 'event: connected', publishPath: '/publish', body: (t) => '{"title":"' + t + '"}' },
  'jetty-sse': { kind: 'sse', path: '/stream', ready: 'event: connected', publishPath: '/publish', body: (t) => '{"title":"' + t + '"}' },
  'ws': { kind: 'ws', path: '/ws', ready: '"type":"connected"', publishPath: '/publish', body: (t) => '{"title":"' + t + '"}' },
  'socketio': { kind: 'sio', path: '/', ready: null, publishPath: '/publish', body: (t) => '{"title":"' + t + '"}' },
};

function args() {
  const a = { n: 10000, workers: 4, paced: 10, warmup: 3, bursts: 3, burst: 20, gap: 500, pacedWait: 30, burstWait: 60 };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i].replace(/^--/, '');
    if (k === 'jvm') a.jvm = true;
    else a[k] = isNaN(Number(v[i + 1])) ? v[++i] : Number(v[++i]);
  }
  return a;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- worker: holds connections and counts what arrives ---------------------------------------

function worker() {
  const conns = [];
  let ready = 0;
  let failed = 0;
  let paced = new Map(); // round -> receptions
  const latencies = [];
  let burstCount = 0;
  let burstTarget = 0;
  let lastBurstAt = 0;
  let spec;

  // every "title":"..." in a piece of text: p<round>_<t0us> (paced) or b<k> (burst)
  function titles(text, at) {
    let i = 0;
    while ((i = text.indexOf('title', i)) >= 0) {
      // JSON as a peer sends it ("title":"x") or escaped inside Socket.IO's string (\"title\":\"x)
      let s = i + 5;
      while (s < text.length && (text[s] === '"' || text[s] === '\\' || text[s] === ':')) s++;
      i = s;
      const c = text[s];
      if (c === 'p') {
        const u = text.indexOf('_', s);
        const round = Number(text.slice(s + 1, u));
        const t0 = Number(text.slice(u + 1, text.indexOf(text[s - 1] === '\\' ? '\\' : '"', u)));
        paced.set(round, (paced.get(round) || 0) + 1);
        if (round >= 0) latencies.push(at - t0);
        if (paced.get(round) === ready) process.send({ round, all: true });
      } else if (c === 'b') {
        burstCount++;
        lastBurstAt = at;
        if (burstCount === burstTarget) process.send({ burstDone: burstCount, at: lastBurstAt });
      }
    }
  }

  function greeted() {
    ready++;
    if (ready + failed === conns.length) process.send({ connected: ready, failed });
  }
  function fail(why) {
    failed++;
    if (failed <= 3) process.send({ log: 'connection failed: ' + why });
    if (ready + failed === conns.length) process.send({ connected: ready, failed });
  }

  function openSse(port, token) {
    const c = { ready: false, tail: '' };
    const s = net.connect(port, HOST, () => {
      s.setNoDelay(true);
      s.write('GET ' + spec.path + ' HTTP/1.1\r\nHost: ' + HOST + '\r\nAccept: text/event-stream\r\nAuthorization: Bearer ' + token + '\r\n\r\n');
    });
    s.on('data', (chunk) => {
      const at = nowUs();
      let text = c.tail + chunk.toString('latin1');
      const end = text.lastIndexOf('\n\n');
      if (end < 0) {
        c.tail = text;
        return;
      }
      c.tail = text.slice(end + 2);
      text = text.slice(0, end);
      if (!c.ready) {
        if (!text.startsWith('HTTP/1.1 200') && !text.startsWith('HTTP/1.0 200')) {
          c.failed = true;
          s.destroy();
          return fail(text.split('\r\n')[0]);
        }
        if (text.indexOf(spec.ready) < 0) return;
        c.ready = true;
        greeted();
      }
      titles(text, at);
    });
    s.on('error', (e) => { if (!c.ready && !c.failed) { c.failed = true; fail(e.code); } });
    // an answer that is not a stream (401, 429, 503) ends without an SSE blank line
    s.on('close', () => { if (!c.ready && !c.failed) { c.failed = true; fail('closed: ' + c.tail.split('\r\n')[0]); } });
    c.socket = s;
    return c;
  }

  function openWs(port, token) {
    const WebSocket = require('ws');
    const c = { ready: false };
    const w = new WebSocket('ws://' + HOST + ':' + port + spec.path, { headers: { Authorization: 'Bearer ' + token }, perMessageDeflate: false });
    w.on('message', (data) => {
      const at = nowUs();
      const text = data.toString();
      if (!c.ready) {
        if (text.indexOf(spec.ready) < 0) return;
        c.ready = true;
        greeted();
        return;
      }
      titles(text, at);
    });
    w.on('error', (e) => { if (!c.ready && !c.failed) { c.failed = true; fail(e.message); } });
    w.on('close', (code) => { if (!c.ready && !c.failed) { c.failed = true; fail('closed ' + code); } });
    c.socket = w;
    return c;
  }

  function openSio(port, token) {
    const { io } = require('socket.io-client');
    const c = { ready: false };
    const s = io('ws://' + HOST + ':' + port, { transports: ['websocket'], auth: { token }, reconnection: false, timeout: 120000 });
    s.on('connected', () => { c.ready = true; greeted(); });
    s.on('notification', (body) => titles(body, nowUs()));
    s.on('connect_error', (e) => { if (!c.ready) fail(e.message); });
    c.socket = s;
    return c;
  }

  process.on('message', (m) => {
    if (m.connect) {
      spec = TARGETS[m.target];
      const open = spec.kind === 'sse' ? openSse : spec.kind === 'ws' ? openWs : openSio;
      // tokens first, so the storm measures the server and not the signing
      const tokens = [];
      for (let i = m.from; i < m.to; i++) tokens.push(sign('load-' + i, 'bench:*'));
      for (const t of tokens) conns.push(open(m.port, t));
    } else if (m.disconnect) {
      // every client goes at once, as after a deploy or a network blip; the next `connect` is the reconnect storm
      for (const c of conns) {
        c.failed = true;
        if (spec.kind === 'sse') c.socket.destroy();
        else if (spec.kind === 'ws') c.socket.terminate();
        else c.socket.disconnect();
      }
      conns.length = 0;
      ready = 0;
      failed = 0;
    } else if (m.burstPerConnection) {
      // counted against the greeted connections: a refused one is reported as failed, not waited for
      burstTarget = m.burstPerConnection * ready;
    } else if (m.report) {
      process.send({ latencies, burstCount, paced: [...paced.entries()] });
    } else if (m.exit) {
      process.exit(0);
    }
  });
}

// ---- master: drives the phases and measures the server ---------------------------------------

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'));
  return Number(m[1]);
}
function cpuMs(pid) {
  const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}
function heapAfterGcKb(pid) {
  execFileSync('jcmd', [String(pid), 'GC.run']);
  execFileSync('jcmd', [String(pid), 'GC.run']);
  const info = execFileSync('jcmd', [String(pid), 'GC.heap_info']).toString();
  // every generation's "total ...K, used ...K" (G1 prints one line for the heap, Serial and Parallel one
  // per generation; Metaspace's line has no "total")
  const used = [...info.matchAll(/total \d+K, used (\d+)K/g)].map((m) => Number(m[1]));
  return used.length ? used.reduce((x, y) => x + y, 0) : NaN;
}
function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1))];
}

async function master() {
  const a = args();
  const spec = TARGETS[a.target];
  if (!spec) throw new Error('unknown --target ' + a.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const publish = (title) => new Promise((resolve, reject) => {
    const body = spec.body(title);
    const req = http.request({ host: HOST, port: a.port, path: spec.publishPath, method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + API_KEY, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error('publish answered ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(body);
  });

  const workers = [];
  const handlers = new Set();
  for (let w = 0; w < a.workers; w++) {
    const child = fork(__filename, ['--worker'], { stdio: 'inherit' });
    child.on('message', (m) => {
      if (m.log) console.error('worker ' + w + ': ' + m.log);
      for (const h of handlers) h(w, m);
    });
    workers.push(child);
  }
  // resolves when `done(states)` is true after some message, or at the deadline (with false)
  const until = (done, ms) => new Promise((resolve) => {
    const states = new Map();
    const h = (w, m) => {
      states.set(w, Object.assign(states.get(w) || {}, m));
      if (done(states)) { handlers.delete(h); clearTimeout(t); resolve(states); }
    };
    const t = setTimeout(() => { handlers.delete(h); resolve(null); }, ms);
    handlers.add(h);
  });

  const log = (s) => console.error('[' + a.target + '] ' + s);
  const out = { target: a.target, n: a.n };
  await sleep(500);
  const rss0 = rssKb(a.pid);
  const heap0 = a.jvm ? heapAfterGcKb(a.pid) : NaN;
  // --nmt DIR (a JVM started with -XX:NativeMemoryTracking=summary): where the first storm's RSS went,
  // as NMT's diff against a baseline taken here, written to DIR/<target>.nmt.txt
  const nmt = (cmd) => execFileSync('jcmd', [String(a.pid), 'VM.native_memory', cmd]).toString();
  if (a.jvm && a.nmt) nmt('baseline');

  // the connect storm on the fresh server, then (--storms 2, the default) every client drops and reconnects at once
  const per = Math.ceil(a.n / a.workers);
  const storm = async (name) => {
    const connected = until((s) => s.size === a.workers && [...s.values()].every((x) => x.connected !== undefined), 180000);
    const cpu0 = cpuMs(a.pid);
    const t0 = nowUs();
    workers.forEach((w, i) => w.send({ connect: true, target: a.target, port: a.port, from: i * per, to: Math.min(a.n, (i + 1) * per) }));
    const c = await connected;
    out[name + 'S'] = (nowUs() - t0) / 1e6;
    out[name + 'CpuUsPerConn'] = (cpuMs(a.pid) - cpu0) * 1000 / a.n;
    out.connected = c ? [...c.values()].reduce((x, y) => x + y.connected, 0) : 'timeout';
    out.failed = (out.failed || 0) + (c ? [...c.values()].reduce((x, y) => x + y.failed, 0) : a.n);
    log(name + ': ' + out.connected + ' greeted (failed so far ' + out.failed + ') in ' + out[name + 'S'].toFixed(2) + ' s, server CPU '
        + out[name + 'CpuUsPerConn'].toFixed(0) + ' us per connect');
  };
  await storm('connect');
  await sleep(1000);
  out.rssPerConnKiB = (rssKb(a.pid) - rss0) / a.n;
  if (a.jvm) out.heapPerConnKiB = (heapAfterGcKb(a.pid) - heap0) / a.n;
  if (a.jvm && a.nmt) fs.writeFileSync(a.nmt + '/' + a.target + '.nmt.txt', nmt('summary.diff'));
  log('RSS per connection ' + out.rssPerConnKiB.toFixed(1) + ' KiB' + (a.jvm ? ', heap after GC ' + out.heapPerConnKiB.toFixed(1) + ' KiB' : ''));
  if ((a.storms || 2) > 1) {
    workers.forEach((w) => w.send({ disconnect: true }));
    await sleep(3000);
    await storm('reconnect');
  }

  // paced broadcasts: the first `warmup` (negative rounds) are left out of the figures
  let pacedMissing = 0;
  for (let r = -a.warmup; r < a.paced; r++) {
    const all = until((s) => s.size === a.workers && [...s.values()].every((x) => x.round === r && x.all), a.pacedWait * 1000);
    await publish('p' + r + '_' + nowUs());
    if (!(await all)) { pacedMissing++; log('paced round ' + r + ' not complete after ' + a.pacedWait + ' s'); }
    await sleep(a.gap);
  }

  // bursts of `burst` back-to-back broadcasts
  const rates = [];
  let expected = 0;
  const live = typeof out.connected === 'number' ? out.connected : a.n;
  const cpu0 = cpuMs(a.pid);
  let sent = 0;
  for (let b = 0; b < a.bursts; b++) {
    sent += a.burst;
    workers.forEach((w) => w.send({ burstPerConnection: sent }));
    const done = until((s) => s.size === a.workers && [...s.values()].every((x) => x.burstDone), a.burstWait * 1000);
    const start = nowUs();
    const posts = [];
    for (let k = 0; k < a.burst; k++) posts.push(publish('b' + (b * a.burst + k)));
    await Promise.all(posts);
    const d = await done;
    expected += a.burst * live;
    if (d) {
      const last = Math.max(...[...d.values()].map((x) => x.at));
      rates.push(a.burst * live / ((last - start) / 1e6));
    } else {
      log('burst ' + b + ' incomplete after ' + a.burstWait + ' s');
    }
    await sleep(1000);
  }
  const cpu = cpuMs(a.pid) - cpu0;

  // gather what the workers counted
  const reports = until((s) => s.size === a.workers && [...s.values()].every((x) => x.latencies), 30000);
  workers.forEach((w) => w.send({ report: true }));
  const rs = [...(await reports).values()];
  const lat = [].concat(...rs.map((x) => x.latencies)).sort((x, y) => x - y);
  const counted = rs.reduce((x, y) => x + y.burstCount, 0);
  out.pacedReceived = lat.length;
  out.pacedExpected = a.paced * live;
  out.p50ms = pct(lat, 50) / 1000;
  out.p99ms = pct(lat, 99) / 1000;
  out.maxms = pct(lat, 100) / 1000;
  rates.sort((x, y) => x - y);
  out.burstEvS = rates.length ? rates[Math.floor(rates.length / 2)] : 0;
  out.burstDelivered = counted;
  out.burstExpected = expected;
  out.cpuUsPerEvent = cpu * 1000 / Math.max(1, counted);
  log('paced p50/p99/max ' + out.p50ms.toFixed(1) + '/' + out.p99ms.toFixed(1) + '/' + out.maxms.toFixed(1) + ' ms; burst '
      + Math.round(out.burstEvS) + ' events/s (median of ' + rates.length + '), delivered ' + counted + '/' + expected
      + '; server CPU ' + out.cpuUsPerEvent.toFixed(2) + ' us per event');
  console.log('RESULT ' + JSON.stringify(out));
  // --hold S keeps the connections open S seconds more, for a heap histogram or NMT of the server
  if (a.hold) await sleep(a.hold * 1000);
  workers.forEach((w) => w.send({ exit: true }));
  setTimeout(() => process.exit(0), 500);
}

if (process.argv.includes('--worker')) worker();
else master().catch((e) => { console.error(e); process.exit(1); });
