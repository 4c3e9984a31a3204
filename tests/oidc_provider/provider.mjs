// A real OpenID provider for the web app's tests: the npm `oidc-provider` (installed by
// `make` from web/package-lock.json), with one client, a few council staff carrying roles
// and a directory id, and its own development login and consent forms (devInteractions),
// which the tests fill in as a browser would.
//
//   node tests/oidc_provider/provider.mjs [PORT]
//
// PORT (or OIDC_TEST_PORT; 0 or none: a free one). The client comes from OIDC_TEST_CLIENT_ID,
// OIDC_TEST_CLIENT_SECRET and OIDC_TEST_REDIRECT_URI; OIDC_TEST_CLAIMS_IN is "id_token" (the
// claims in the ID token, as Microsoft Entra ID puts roles) or "userinfo" (only there).
// Once listening it prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"}, and
// serves until it is stopped. Nothing here is a real person or a real secret.

import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.OIDC_TEST_NODE_MODULES || path.join(here, '..', '..', 'web', 'node_modules');
const { default: Provider } = await import(pathToFileURL(path.join(modules, 'oidc-provider', 'lib', 'index.js')));

// The test users: the login typed in the provider's form is the account id; any password is accepted.
const USERS = {
  sam: { name: 'Sam Patel', email: 'sam.patel@example.org', roles: ['clerk'] },
  'io-1': { name: 'Ira Officer', email: 'ira.officer@example.org', roles: ['officer'], directory_id: 'io-1' },
  chris: { name: 'Chris Manager', email: 'chris@example.org', roles: ['complaints_manager', 'librarian'] },
  visitor: { name: 'Val Visitor', email: 'val@example.org', roles: ['librarian'] },
  nobody: { name: 'Noel Noroles', email: 'noel@example.org' },
};

function setting(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const clientId = setting('OIDC_TEST_CLIENT_ID');
const clientSecret = setting('OIDC_TEST_CLIENT_SECRET');
const redirectUri = setting('OIDC_TEST_REDIRECT_URI');
const claimsIn = process.env.OIDC_TEST_CLAIMS_IN || 'id_token';
const port = Number(process.argv[2] ?? process.env.OIDC_TEST_PORT ?? 0);

// A signing key of its own each run: nothing to keep, nothing in the repository.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'roles', 'directory_id'], email: ['email'] },
    conformIdTokenClaims: claimsIn !== 'id_token',
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const user = USERS[id];
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...user };
        },
      };
    },
  });
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
