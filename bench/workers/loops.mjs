// The loops timed on both runtimes: copied next to the user-style install, so `@grantor/core`
// resolves to the packed package both when esbuild bundles it for workerd and when Node imports it.
import { createSigner, verifyAccessToken } from '@grantor/core';

const utf8 = new TextEncoder();

/**
 * Each loop runs `n` operations and returns a value built from every result (so none can be
 * skipped). `syncHmac(secret)` gives the runtime's synchronous HMAC-SHA256 (bytes) of a string:
 * @noble/hashes in workerd, node:crypto in Node; WebCrypto's is async and awaited per operation.
 */
export function makeLoops({ credentials, identity, grants, syncHmac }) {
  const verifyOptions = { accountSid: credentials.accountSid, keys: credentials.keys };
  const signer = createSigner(credentials);
  const token = signer.sign({ identity, grants }).token;
  const signingInput = token.slice(0, token.lastIndexOf('.'));
  const hmacSync = syncHmac(credentials.keys.secret);
  const webCryptoKey = crypto.subtle.importKey('raw', utf8.encode(credentials.keys.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return {
    token: () => signer.sign({ identity, grants }).token,
    noop: async () => 0,
    sign: async (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink ^= signer.sign({ identity, grants }).token.length;
      return sink;
    },
    verify: async (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink ^= verifyAccessToken(token, verifyOptions).claims.jti.length;
      return sink;
    },
    hmacSync: async (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink ^= hmacSync(signingInput)[i & 31];
      return sink;
    },
    hmacWebCrypto: async (n) => {
      const key = await webCryptoKey;
      let sink = 0;
      for (let i = 0; i < n; i++) sink ^= new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(signingInput)))[i & 31];
      return sink;
    },
  };
}
