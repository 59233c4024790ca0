// A real OpenID Provider (oidc-provider, the certified Node implementation) on loopback, in front of
// which the test can rotate keys, take the JWKS down, make it slow, and count its fetches. Tokens come
// from the provider's own token endpoint (client credentials, JWT access tokens per RFC 9068); the
// refused ones are made with the provider's own private key, or with another's, as an attacker would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export const AUDIENCE = 'https://api.grantor.test';
/** An Auth0-style subject: refused as a Voice identity until mapped with voiceIdentity(). */
export const SUBJECT = 'google-oauth2|1057';
const SECRET = 'test-client-secret-that-is-long-enough';

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    privateKey,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  };
}

function oidcProvider(issuer: string, keys: SigningKey[]): Provider {
  const alg = keys[0]!.privateJwk.alg as 'ES256' | 'RS256';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: SUBJECT,
        client_secret: SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: alg,
      },
    ],
    jwks: { keys: keys.map((key) => key.privateJwk) },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'calls', audience: AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg } } }),
      },
    },
  });
  // Its own console warnings (development keys, http) say nothing about grantor.
  provider.on('server_error', () => {});
  return provider;
}

export type JwksMode = 'up' | 'down' | 'slow';

export interface TestProvider {
  issuer: string;
  /** The keys the provider signs with now; the first signs. */
  keys: SigningKey[];
  /** JWKS fetches (GET /jwks) so far. */
  jwksFetches: number;
  /** 'down' resets the JWKS connection, 'slow' never answers it. Discovery stays up. */
  jwksMode: JwksMode;
  /** A token from the provider's own token endpoint. */
  issueToken(): Promise<string>;
  /** Rotation: a new provider process behind the same issuer, publishing `keys`. */
  rotate(keys: SigningKey[]): void;
  /** A token with these claims (over valid defaults) and header, signed with `key` (the provider's first key by default). */
  sign(claims?: Record<string, unknown>, header?: Record<string, unknown>, key?: SigningKey): Promise<string>;
  close(): Promise<void>;
}

export async function startProvider(keys?: SigningKey[]): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const initialKeys = keys ?? [await signingKey('key-1')];
  let handler = oidcProvider(issuer, initialKeys).callback();
  const hanging = new Set<import('node:http').ServerResponse>();

  const state: TestProvider = {
    issuer,
    keys: initialKeys,
    jwksFetches: 0,
    jwksMode: 'up',
    async issueToken() {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${encodeURIComponent(SUBJECT)}:${SECRET}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'calls', resource: AUDIENCE }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`The provider issued no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    rotate(next) {
      state.keys = next;
      handler = oidcProvider(issuer, next).callback();
    },
    async sign(claims = {}, header = {}, key = state.keys[0]!) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, sub: SUBJECT, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: key.privateJwk.alg!, kid: key.kid, typ: 'at+jwt', ...header })
        .sign(key.privateKey);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  server.on('request', (request, response) => {
    if (request.url === '/jwks') {
      state.jwksFetches++;
      if (state.jwksMode === 'down') return request.socket.destroy();
      if (state.jwksMode === 'slow') {
        hanging.add(response);
        return;
      }
    }
    void handler(request, response);
  });
  return state;
}
