// Prints the markdown table of a peers.sh run from its RESULT lines, with the ratios the issue asks for.
'use strict';
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.startsWith('RESULT '))
  .map((l) => JSON.parse(l.slice(7)));
const NAMES = { 'notify-sse': 'Notify SSE', 'node-sse': 'hand-written Node SSE hub (`http`)', 'jetty-sse': 'bare Jetty 12 async-servlet SSE',
  'notify-ws': 'Notify WebSocket', ws: 'hand-written `ws` hub', socketio: 'Socket.IO 4, websocket transport' };
const f = (x, d = 1) => (typeof x === 'number' && isFinite(x) ? x.toFixed(d) : '-');
console.log('| target | N connects, fresh / reconnect storm (server CPU per connect) | RSS / heap after GC per connection | paced p50 / p99 / max | burst events/s (delivered) | server CPU per event |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log('| ' + (NAMES[r.target] || r.target) + ' | ' + f(r.connectS) + ' / ' + f(r.reconnectS) + ' s (' + f(r.connectCpuUsPerConn, 0) + ' / ' + f(r.reconnectCpuUsPerConn, 0) + ' µs)' + (r.failed ? ' (' + r.failed + ' failed)' : '')
    + ' | ' + f(r.rssPerConnKiB) + ' / ' + f(r.heapPerConnKiB) + ' KiB | ' + f(r.p50ms, 0) + ' / ' + f(r.p99ms, 0) + ' / ' + f(r.maxms, 0)
    + ' ms | ' + Math.round(r.burstEvS).toLocaleString('en') + ' (' + r.burstDelivered + '/' + r.burstExpected + ') | ' + f(r.cpuUsPerEvent, 2) + ' µs |');
}
const best = (t) => {
  const v = rows.filter((r) => r.target === t).map((r) => r.burstEvS);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};
const ratio = (a, b) => f(best(a) / best(b), 2) + 'x';
console.log('\nburst ratios (mean over rounds): Notify SSE / Node SSE hub ' + ratio('notify-sse', 'node-sse') + ', Notify SSE / bare Jetty '
  + ratio('notify-sse', 'jetty-sse') + ', Notify WS / Socket.IO ' + ratio('notify-ws', 'socketio') + ', Notify WS / ws hub ' + ratio('notify-ws', 'ws'));
