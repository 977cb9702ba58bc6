// A real OpenID provider for IdentityProviderTest: oidc-provider (OpenID certified) issuing JWT
// access tokens (RFC 9068) through the client credentials grant with resource indicators.
//
// Prints one JSON line {"issuer": ..., "jwks_uri": ..., "token_endpoint": ...} once it listens on a
// free loopback port, then serves until stdin closes (the test's process ends).
//
// The resource (RFC 8707) a token is requested for picks how it is made:
//   https://notify.example/api        RS256, audience https://notify.example/api, 5 minutes
//   https://notify.example/api/es256  ES256, audience https://notify.example/api
//   https://notify.example/api/short  RS256, audience https://notify.example/api, 1 second (to test expiry)
//   https://other.example/api         RS256, audience https://other.example/api (the wrong audience)
// Every token carries topics ["task:*"] and the requested scope.
//
// POST /test/rotate replaces the signing keys with new ones (new kids) on the same issuer and port:
// a key rotation; tokens signed with the old keys stop verifying once the server refetches the JWKS.
import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const NOTIFY = 'https://notify.example/api';
const OTHER = 'https://other.example/api';

function keys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' },
  ];
}

function resourceInfo(resource) {
  return {
    scope: 'notify:tasks notify:builds',
    audience: resource === OTHER ? OTHER : NOTIFY,
    accessTokenTTL: resource === `${NOTIFY}/short` ? 1 : 300,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: resource === `${NOTIFY}/es256` ? 'ES256' : 'RS256' } },
  };
}

function provider(issuer, jwks) {
  const p = new Provider(issuer, {
    jwks: { keys: jwks },
    scopes: ['notify:tasks', 'notify:builds'],
    clients: [{
      client_id: 'alice',
      client_secret: 'alice-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'notify:tasks notify:builds',
    }],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => NOTIFY,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (![NOTIFY, `${NOTIFY}/es256`, `${NOTIFY}/short`, OTHER].includes(resource)) {
            throw new Error(`unknown resource ${resource}`);
          }
          return resourceInfo(resource);
        },
      },
    },
    extraTokenClaims: () => ({ topics: ['task:*'] }),
  });
  p.proxy = false;
  return p;
}

const server = http.createServer();
let current;
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url === '/test/rotate') {
    current = provider(current.issuer, keys());
    res.writeHead(204).end();
    return;
  }
  current.callback()(req, res);
});
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  current = provider(issuer, keys());
  process.stdout.write(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
