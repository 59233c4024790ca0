import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * The only code that differs between runtimes: HMAC-SHA256, base64url and the signature check of a
 * bearer token. Claims, grants, headers and checks are shared. Signing is synchronous in both
 * implementations, so `signer.sign()` and `AccessToken.toJwt()` are too, everywhere, and both give
 * the same bytes.
 */
export interface CryptoRuntime {
  readonly name: 'node:crypto' | 'portable';
  /** Prepares a secret once: the result signs many inputs, each as the base64url HMAC-SHA256 of its UTF-8. */
  hmacSigner(secret: string): (input: string) => string;
  /** UTF-8 text as base64url, without padding. */
  encode(text: string): string;
  /** The UTF-8 text of a base64url string (the caller has checked its alphabet); bad UTF-8 becomes U+FFFD. */
  decodeText(part: string): string;
  /** The bytes of a base64url string (the caller has checked its alphabet and length). */
  decodeBytes(part: string): Uint8Array;
  /**
   * Whether `signature` is a JWS signature of `input` by `key` under `alg`, an algorithm of
   * `JWS_SIGNATURES`; `key` is the public key imported for that algorithm (bearerUser's key set does).
   */
  verifySignature(alg: JwsSignatureAlgorithm, key: CryptoKey, signature: Uint8Array, input: Uint8Array): boolean | Promise<boolean>;
}

/** The asymmetric JWS algorithms (RFC 7518 §3.3-3.5, RFC 8037 and RFC 9864's Ed25519): their scheme and SHA-2 size. */
export const JWS_SIGNATURES = {
  RS256: { scheme: 'pkcs1', bits: 256 },
  RS384: { scheme: 'pkcs1', bits: 384 },
  RS512: { scheme: 'pkcs1', bits: 512 },
  PS256: { scheme: 'pss', bits: 256 },
  PS384: { scheme: 'pss', bits: 384 },
  PS512: { scheme: 'pss', bits: 512 },
  ES256: { scheme: 'ecdsa', bits: 256 },
  ES384: { scheme: 'ecdsa', bits: 384 },
  ES512: { scheme: 'ecdsa', bits: 512 },
  EdDSA: { scheme: 'ed25519', bits: 0 },
  Ed25519: { scheme: 'ed25519', bits: 0 },
} as const;
export type JwsSignatureAlgorithm = keyof typeof JWS_SIGNATURES;

type NodeCrypto = typeof import('node:crypto');

/**
 * node:crypto, reached through `process.getBuiltinModule` (Node 20.16+, Bun, Deno): no import for a bundler to follow.
 * Its one-shot `verify` checks a bearer token's signature several times faster than Node's WebCrypto
 * (ECDSA most of all), so each key set's CryptoKey becomes a KeyObject once.
 */
function nodeRuntime(crypto: NodeCrypto): CryptoRuntime {
  const keyObjects = new WeakMap<CryptoKey, import('node:crypto').KeyObject>();
  return {
    name: 'node:crypto',
    hmacSigner(secret) {
      const key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
      return (input) => crypto.createHmac('sha256', key).update(input).digest('base64url');
    },
    encode: (text) => Buffer.from(text, 'utf8').toString('base64url'),
    decodeText: (part) => Buffer.from(part, 'base64url').toString('utf8'),
    decodeBytes: (part) => Buffer.from(part, 'base64url'),
    verifySignature(alg, key, signature, input) {
      const { scheme, bits } = JWS_SIGNATURES[alg];
      try {
        let keyObject = keyObjects.get(key);
        if (!keyObject) {
          keyObject = crypto.KeyObject.from(key);
          keyObjects.set(key, keyObject);
        }
        const options =
          scheme === 'pss'
            ? { key: keyObject, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 }
            : scheme === 'ecdsa'
              ? { key: keyObject, dsaEncoding: 'ieee-p1363' as const }
              : keyObject;
        return crypto.verify(bits ? `sha${bits}` : null, input, options, signature);
      } catch {
        // A partial node:crypto (workerd's nodejs_compat takes a KeyObject only without options) or a
        // signature it will not parse: WebCrypto decides, as on every other runtime.
        return portableRuntime.verifySignature(alg, key, signature, input);
      }
    },
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Map([...ALPHABET].map((char, value) => [char, value]));
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function bytesToBase64url(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const triple = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) text += ALPHABET[(triple >> (18 - 6 * c)) & 63];
  }
  return text;
}

function base64urlToBytes(part: string): Uint8Array {
  const bytes = new Uint8Array(Math.floor((part.length * 6) / 8));
  let bits = 0;
  let buffered = 0;
  let index = 0;
  for (const char of part) {
    buffered = (buffered << 6) | VALUES.get(char)!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffered >> bits) & 255;
    }
  }
  return bytes;
}

/** @noble/hashes (audited, no dependencies) and plain JavaScript base64url: Workers, Vercel Edge, browsers. */
export const portableRuntime: CryptoRuntime = {
  name: 'portable',
  hmacSigner(secret) {
    // The keyed state is computed once; each signature clones it.
    const keyed = hmac.create(sha256, utf8.encode(secret));
    return (input) => bytesToBase64url(keyed.clone().update(utf8.encode(input)).digest());
  },
  encode: (text) => bytesToBase64url(utf8.encode(text)),
  decodeText: (part) => utf8Decoder.decode(base64urlToBytes(part)),
  decodeBytes: base64urlToBytes,
  verifySignature(alg, key, signature, input) {
    const { scheme, bits } = JWS_SIGNATURES[alg];
    // The names and parameters of WebCrypto's verify (RSA-PSS's salt is the hash's size, RFC 7518 §3.5).
    const params =
      scheme === 'pkcs1'
        ? { name: 'RSASSA-PKCS1-v1_5' }
        : scheme === 'pss'
          ? { name: 'RSA-PSS', saltLength: bits / 8 }
          : scheme === 'ecdsa'
            ? { name: 'ECDSA', hash: `SHA-${bits}` }
            : { name: 'Ed25519' };
    return crypto.subtle.verify(params, key, signature as Uint8Array<ArrayBuffer>, input as Uint8Array<ArrayBuffer>);
  },
};

/** node:crypto where the runtime has it. Next.js's Edge sandbox stubs process.getBuiltinModule with a function that throws. */
function builtinCrypto(): NodeCrypto | undefined {
  try {
    const crypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
      | NodeCrypto
      | undefined;
    return typeof crypto?.createHmac === 'function' ? crypto : undefined;
  } catch {
    return undefined;
  }
}

let nodeCryptoImplementation: CryptoRuntime | undefined | null = null;

/** @internal node:crypto's implementation where the runtime has it (looked up once), for tests that compare the two. */
export function nodeCryptoRuntime(): CryptoRuntime | undefined {
  if (nodeCryptoImplementation === null) {
    const crypto = builtinCrypto();
    nodeCryptoImplementation = crypto && nodeRuntime(crypto);
  }
  return nodeCryptoImplementation;
}

const chosen = () => nodeCryptoRuntime() ?? portableRuntime;

/**
 * The implementation this process uses: node:crypto where it exists (Node, Bun, Deno, workerd with
 * nodejs_compat), else the portable one. Chosen on first use, not at import: loading node:crypto is
 * about a third of core's import time, and many processes that import core sign nothing at start-up.
 */
export const cryptoRuntime: CryptoRuntime = {
  get name() {
    return chosen().name;
  },
  hmacSigner: (secret) => chosen().hmacSigner(secret),
  encode: (text) => chosen().encode(text),
  decodeText: (part) => chosen().decodeText(part),
  decodeBytes: (part) => chosen().decodeBytes(part),
  verifySignature: (alg, key, signature, input) => chosen().verifySignature(alg, key, signature, input),
};

/** Compares two strings in time that depends only on their length, as jws compares signatures. */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
