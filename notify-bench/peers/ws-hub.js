// A hand-written WebSocket hub with the `ws` package: GET /ws (Authorization: Bearer JWT) joins
// the one broadcast; POST /publish sends its body to every socket as one text frame.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');
const { verify, bearer, publishHandler } = require('./jwt');

const port = Number(process.argv[2] || 8082);
const publish = publishHandler((body) => {
  const frame = '{"type":"bench.broadcast","data":' + body + '}';
  for (const ws of wss.clients) ws.send(frame);
});
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') return publish(req, res);
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({
  server,
  path: '/ws',
  perMessageDeflate: false,
  verifyClient: (info) => verify(bearer(info.req)) !== null,
});
wss.on('connection', (ws, req) => {
  ws.send('{"type":"connected","userId":"' + verify(bearer(req)) + '"}');
});
server.listen(port, '127.0.0.1');
