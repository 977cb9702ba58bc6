// A hand-written Node SSE hub with the `http` module: what a team writes instead of Notify.
// GET /stream (Authorization: Bearer JWT, checked by jwt.js) joins the one broadcast;
// POST /publish sends its body to every stream as one `bench.broadcast` event.
'use strict';
const http = require('http');
const { verify, bearer, publishHandler } = require('./jwt');

const port = Number(process.argv[2] || 8081);
const streams = new Set();
let seq = 0;

const publish = publishHandler((body) => {
  const frame = 'id: ' + (++seq) + '\nevent: bench.broadcast\ndata: ' + body + '\n\n';
  for (const res of streams) res.write(frame);
});

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') return publish(req, res);
  if (req.method === 'GET' && req.url.startsWith('/stream')) {
    const user = verify(bearer(req));
    if (!user) {
      res.writeHead(401);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 3000\nevent: connected\ndata: {"userId":"' + user + '"}\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 0;
server.requestTimeout = 0;
server.headersTimeout = 0;
server.listen(port, '127.0.0.1');
