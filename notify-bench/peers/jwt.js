// The peers' token check: an HS256 signature over header.payload with the benchmark's secret and an
// unexpired `exp`, the cheap part of what Notify does per connect (no JWKS, no topic grants).
'use strict';
const crypto = require('crypto');

const SECRET = process.env.JWT_SECRET || 'bench-jwt-secret-0123456789abcdef0123456789';

function b64url(buf) {
  return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The user id (`sub`) of a valid token, or null. */
function verify(token) {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const sig = b64url(crypto.createHmac('sha256', SECRET).update(parts[0] + '.' + parts[1]).digest());
  if (sig !== parts[2]) return null;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
  return claims.sub || null;
}

/** A token for `user`, granted `topics`, valid for an hour (the load client's side). */
function sign(user, topics) {
  const header = b64url(Buffer.from('{"alg":"HS256","typ":"JWT"}'));
  const payload = b64url(Buffer.from(JSON.stringify({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600, topics: [topics] })));
  const sig = b64url(crypto.createHmac('sha256', SECRET).update(header + '.' + payload).digest());
  return header + '.' + payload + '.' + sig;
}

function bearer(req) {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7);
  const q = req.url.indexOf('token=');
  return q < 0 ? null : decodeURIComponent(req.url.slice(q + 6).split('&')[0]);
}

/** Reads a request body and answers 202, handing the body to `publish`. */
function publishHandler(publish) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      publish(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{}');
    });
  };
}

module.exports = { verify, sign, bearer, publishHandler };
