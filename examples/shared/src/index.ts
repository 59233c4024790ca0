import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import type { PolicyDecision } from '@grantor/core';
import { Redis } from 'ioredis';
import { Strategy as LocalStrategy } from 'passport-local';
import { RateLimiterRedis } from 'rate-limiter-flexible';

export interface DemoUser {
  id: string;
  username: string;
  role: 'host' | 'guest';
}

// Demo only: real apps keep slow password hashes (scrypt, argon2) in a database, never passwords.
const USERS: readonly (DemoUser & { password: string })[] = [
  { id: 'alice', username: 'alice', password: 'alice-pass', role: 'host' },
  { id: 'bob', username: 'bob', password: 'bob-pass', role: 'guest' },
];

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** The user with this username and password, or undefined. */
export function authenticate(username: unknown, password: unknown): DemoUser | undefined {
  const match = USERS.find((user) => user.username === username);
  if (!match || typeof password !== 'string') return undefined;
  // Equal-length digests compared in constant time: the answer's timing tells nothing about the password.
  return timingSafeEqual(sha256(match.password), sha256(password)) ? findUser(match.id) : undefined;
}

export function findUser(id: unknown): DemoUser | undefined {
  const match = USERS.find((user) => user.id === id);
  return match && { id: match.id, username: match.username, role: match.role };
}

/** The demos' JSON error body, shaped like the token route's: `{ error: { code, message } }`. */
export function jsonError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Prints a request's failure as one line: no stack trace in the log. */
export function logFailure(cause: unknown): void {
  console.error(`[demo] request failed: ${cause instanceof Error ? cause.message : String(cause)}`);
}

/** The largest login body the demos read, in bytes (413 beyond): a username and a password need far less. */
export const LOGIN_BODY_LIMIT = 8192;

/**
 * Whether a request target names a path: `/login`, or `http://host/login` (absolute-form). The
 * demos answer any other (`*`, `https://`) with 400 before their session middleware, which needs a path.
 */
export function targetsPath(target: string): boolean {
  return target.startsWith('/') || /^[a-z][a-z\d+.-]*:\/\/[^/?#]*\//i.test(target);
}

/** The 400 body of a request whose target is not a path. */
export const TARGET_NOT_A_PATH = jsonError('INVALID_REQUEST', 'The request target must be a path, such as /login.');

/** The 403 body of a login or logout from a page of another origin. */
export const ORIGIN_NOT_ALLOWED = jsonError('ORIGIN_NOT_ALLOWED', 'Pages of this origin may not log in or out here.');

/** The same origin rule as the token route's `allowedOrigins`, for the demos' login and logout (login CSRF). */
export { isAllowedOrigin } from '@grantor/core';

/** The room guests may join. */
export const LOBBY = 'lobby';

/**
 * The demo's grant policy: a host gets Video in any room, Chat and incoming Voice calls; a guest
 * gets Video in the lobby only.
 */
export function demoPolicy({ user, params }: { user: DemoUser; params: Record<string, unknown> }): PolicyDecision {
  const room = typeof params.room === 'string' ? params.room : undefined;
  if (user.role === 'host') {
    return { grants: { video: { room }, chat: {}, voice: { incomingAllow: true } } };
  }
  if (room !== LOBBY) return { deny: `Guests may only join the "${LOBBY}" room.` };
  return { grants: { video: { room: LOBBY } }, ttl: 600 };
}

export interface DemoCredentials {
  accountSid: string;
  keys: { sid: string; secret: string };
  /** True when no Twilio credentials were configured and made-up ones are used. */
  isDemo: boolean;
}

/** The warning printed at start-up and shown on the page when the credentials are made up. */
export const DEMO_CREDENTIALS_WARNING =
  'No Twilio credentials configured: tokens are signed with made-up demo credentials and Twilio will not accept them. Set TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET (environment or .env).';

/**
 * The `.env` files a demo reads, nearest first: the one in the working directory (the demo's
 * folder, where pnpm runs its scripts) and the one at the workspace root (where `pnpm start` is typed).
 */
export function envFiles(cwd = process.cwd()): string[] {
  const files = [join(cwd, '.env')];
  for (let dir = cwd; dirname(dir) !== dir; dir = dirname(dir)) {
    // turbopackIgnore: a path from process.cwd() would make Next trace the whole project.
    if (!existsSync(/* turbopackIgnore: true */ join(dir, 'pnpm-workspace.yaml'))) continue;
    if (dir !== cwd) files.push(join(dir, '.env'));
    break;
  }
  return files;
}

/** Sets each variable of these `.env` files that `env` lacks: the environment wins over the files, a nearer file over a farther one. */
export function loadEnvFiles(env: NodeJS.ProcessEnv, files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(/* turbopackIgnore: true */ file)) continue;
    for (const [name, value] of Object.entries(parseEnv(readFileSync(/* turbopackIgnore: true */ file, 'utf8')))) env[name] ??= value;
  }
}

/** Twilio credentials from these variables; without them, made-up demo credentials. */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): DemoCredentials {
  const { TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET } = env;
  if (TWILIO_ACCOUNT_SID && TWILIO_API_KEY_SID && TWILIO_API_KEY_SECRET) {
    return { accountSid: TWILIO_ACCOUNT_SID, keys: { sid: TWILIO_API_KEY_SID, secret: TWILIO_API_KEY_SECRET }, isDemo: false };
  }
  return {
    accountSid: `AC${'0'.repeat(32)}`,
    keys: { sid: `SK${'0'.repeat(32)}`, secret: 'demo-secret-not-accepted-by-twilio' },
    isDemo: true,
  };
}

/** The folder holding the demo page (index.html and its script), served by the Express and Koa demos. */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'page');

/** Where the page imports @grantor/client from: the Express and Koa demos answer it with `clientScriptFile()`. */
export const CLIENT_SCRIPT_PATH = '/grantor-client.js';

/**
 * The ES module build of @grantor/client (its dist/index.mjs, made by `pnpm build`), which the
 * page imports as `/grantor-client.js`; throws, saying to build it, when it is missing.
 */
export function clientScriptFile(): string {
  // package.json rather than the package itself: under the `source` condition (the tests) that resolves to its TypeScript.
  const file = join(dirname(createRequire(import.meta.url).resolve('@grantor/client/package.json')), 'dist', 'index.mjs');
  if (!existsSync(file)) throw new Error(`@grantor/client is not built (${file} is missing): run pnpm build.`);
  return file;
}

/** How many tokens a user gets a minute, and where the count is kept. */
export interface DemoRateLimitSettings {
  perMinute: number;
  /** The Redis every instance shares the count through; without it, each process counts on its own. */
  redisUrl?: string;
}

/** The limit from `RATE_LIMIT_PER_MINUTE` (default 30) and `REDIS_URL`. */
export function rateLimitSettings(env: NodeJS.ProcessEnv): DemoRateLimitSettings {
  const perMinute = Number(env.RATE_LIMIT_PER_MINUTE ?? 30);
  if (!Number.isInteger(perMinute) || perMinute < 1) {
    throw new Error(`RATE_LIMIT_PER_MINUTE must be a whole number of tokens, at least 1 (got ${JSON.stringify(env.RATE_LIMIT_PER_MINUTE)}).`);
  }
  return { perMinute, redisUrl: env.REDIS_URL || undefined };
}

/** The start-up line that says which limiter is in use (a password in REDIS_URL is masked). */
export function describeRateLimit({ perMinute, redisUrl }: DemoRateLimitSettings): string {
  if (!redisUrl) return `Rate limit: ${perMinute} tokens per user a minute, counted in this process's memory (set REDIS_URL to share it between instances).`;
  let shown = 'REDIS_URL';
  try {
    const url = new URL(redisUrl);
    if (url.password) url.password = '***';
    shown = url.href;
  } catch {}
  return `Rate limit: ${perMinute} tokens per user a minute, shared through Redis at ${shown}.`;
}

/**
 * The token route's `rateLimit` option: a RateLimiterRedis with REDIS_URL, else grantor's in-memory
 * limiter. While Redis is down the route answers 503 (grantor's default); ioredis reconnects by itself.
 */
export function demoRateLimit({ perMinute, redisUrl }: DemoRateLimitSettings): RateLimiterRedis | { points: number; duration: number } {
  if (!redisUrl) return { points: perMinute, duration: 60 };
  // No offline queue: with Redis down a count fails at once instead of waiting for a reconnect.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false });
  // ioredis reports every failed reconnect: say it once per outage.
  let down = false;
  redis.on('error', (cause: Error) => {
    if (!down) console.error(`[demo] Redis unavailable (${cause.message}): the token route answers 503 until it is back.`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) console.error('[demo] Redis is back: rate limiting resumes.');
    down = false;
  });
  return new RateLimiterRedis({ storeClient: redis, keyPrefix: 'grantor-demo', points: perMinute, duration: 60 });
}

export interface DemoAppOptions {
  /** The Twilio credentials that sign the tokens (`loadCredentials()`). */
  credentials: DemoCredentials;
  /**
   * Tokens per user a minute, in memory or through Redis (`rateLimitSettings()`), for `demoRateLimit()`.
   * @default undefined (no limit)
   */
  rateLimit?: DemoRateLimitSettings;
  /**
   * Origins whose pages may get tokens, log in and log out; a browser request from any other origin gets 403.
   * @default undefined (no origin check)
   */
  allowedOrigins?: readonly string[];
}

/** The parts of Passport (or koa-passport) the demos configure. */
interface PassportLike {
  use(strategy: LocalStrategy): unknown;
  serializeUser(serialize: (user: any, done: (error: null, id: string) => void) => void): void;
  deserializeUser(deserialize: (id: any, done: (error: null, user: DemoUser | false) => void) => void): void;
}

/** Logs the demo users in with passport-local and keeps only their id in the session. */
export function configureDemoPassport(passport: PassportLike): void {
  passport.use(new LocalStrategy((username, password, done) => done(null, authenticate(username, password) ?? false)));
  passport.serializeUser((user: DemoUser, done) => done(null, user.id));
  passport.deserializeUser((id, done) => done(null, findUser(id) ?? false));
}

/**
 * Port, credentials, allowed origins and rate limit of a demo server, from `PORT`, `ALLOWED_ORIGINS`,
 * the Twilio variables, `RATE_LIMIT_PER_MINUTE` and `REDIS_URL`. `files` (the `.env` files, for the process's own environment only) fill in
 * what `env` lacks.
 */
export function demoServerConfig(
  env: NodeJS.ProcessEnv = process.env,
  files: readonly string[] = env === process.env ? envFiles() : [],
): DemoAppOptions & { port: number; rateLimit: DemoRateLimitSettings } {
  loadEnvFiles(env, files);
  const port = Number(env.PORT ?? 3000);
  // The page's own origins; set ALLOWED_ORIGINS (comma-separated) when you open it under another address.
  const allowedOrigins = env.ALLOWED_ORIGINS?.split(',').map((origin) => origin.trim()) ?? [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  return { port, credentials: loadCredentials(env), allowedOrigins, rateLimit: rateLimitSettings(env) };
}

/** Prints where a demo listens, its rate limit and, with made-up credentials, that Twilio will not accept its tokens. */
export function announceDemo(
  name: string,
  { port, credentials, rateLimit }: { port: number; credentials: DemoCredentials; rateLimit?: DemoRateLimitSettings },
): void {
  console.log(`grantor ${name} demo: http://localhost:${port}`);
  if (rateLimit) console.log(describeRateLimit(rateLimit));
  if (credentials.isDemo) console.warn(DEMO_CREDENTIALS_WARNING);
}
