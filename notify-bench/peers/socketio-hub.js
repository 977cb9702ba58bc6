// Socket.IO 4, websocket transport only: the handshake's auth.token is checked by jwt.js;
// POST /publish emits its body to every socket as one `notification` event.
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { verify, publishHandler } = require('./jwt');

const port = Number(process.argv[2] || 8083);
const publish = publishHandler((body) => io.emit('notification', body));
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') return publish(req, res);
});
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.use((socket, next) => {
  const user = verify(socket.handshake.auth && socket.handshake.auth.token);
  if (!user) return next(new Error('unauthorized'));
  socket.data.user = user;
  next();
});
io.on('connection', (socket) => socket.emit('connected', { userId: socket.data.user }));
server.listen(port, '127.0.0.1');
