// grantor on Cloudflare Workers with Hono: a signed session cookie logs the demo users in, and
// /api/token gives the logged-in user a Twilio Access Token. No nodejs_compat: grantor needs none.
import { type PolicyDecision, type TokenRouteCredentials, isAllowedOrigin } from '@grantor/core';
import { createTokenRoute } from '@grantor/hono';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { PAGE } from './page.js';

/** The Worker's bindings: [vars] in wrangler.toml, overridden by .dev.vars locally and by secrets when deployed. */
export interface Bindings {
  TWILIO_ACCOUNT_SID: string;
  TWILIO_API_KEY_SID: string;
  TWILIO_API_KEY_SECRET: string;
  /** The HMAC key that signs the session cookie. */
  SESSION_SECRET: string;
  /** Comma-separated origins whose pages may log in, log out and get tokens (CSRF defence). */
  ALLOWED_ORIGINS: string;
}

export interface DemoUser {
  id: string;
  username: string;
  role: 'host' | 'guest';
}

type Env = { Bindings: Bindings; Variables: { user: DemoUser | undefined } };

// The other demos' users (examples/shared). Demo only: a real app keeps slow password hashes
// (scrypt, argon2) in a database, or lets an identity provider log users in.
const USERS: readonly (DemoUser & { password: string })[] = [
  { id: 'alice', username: 'alice', password: 'alice-pass', role: 'host' },
  { id: 'bob', username: 'bob', password: 'bob-pass', role: 'guest' },
];

const COOKIE = 'session';
const SESSION_SECONDS = 8 * 60 * 60;
const LOBBY = 'lobby';

const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** The user with this username and password, or undefined; compares digests so the timing tells nothing about the password. */
async function authenticate(username: unknown, password: unknown): Promise<DemoUser | undefined> {
  const match = USERS.find((user) => user.username === username);
  if (!match || typeof password !== 'string') return undefined;
  const [expected, given] = await Promise.all([sha256(match.password), sha256(password)]);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected[i]! ^ given[i]!;
  return difference === 0 ? { id: match.id, username: match.username, role: match.role } : undefined;
}

/** A host gets Video in any room; a guest gets Video in the lobby only, for ten minutes. */
function policy({ user, params }: { user: DemoUser; params: Record<string, unknown> }): PolicyDecision {
  const room = typeof params.room === 'string' ? params.room : undefined;
  if (user.role === 'host') return { grants: { video: { room } } };
  if (room !== LOBBY) return { deny: `Guests may only join the "${LOBBY}" room.` };
  return { grants: { video: { room: LOBBY } }, ttl: 600 };
}

const allowedOriginsOf = (env: Bindings) => env.ALLOWED_ORIGINS.split(',').map((origin) => origin.trim());

const jsonError = (c: Context, status: 400 | 401 | 403, code: string, message: string) =>
  c.json({ error: { code, message } }, status, { 'Cache-Control': 'no-store' });

/**
 * One value per Worker isolate, made from the first request's bindings. On Workers the bindings
 * (credentials, secrets) arrive with each request as `c.env`, not at start-up, so the token route
 * cannot be built at module level. workerd hands every request of an isolate the same `env` object,
 * so the route is built once and reused; a new `env` (a test with other bindings, say) builds a new
 * one, never a stale one. Building once also keeps what the route prepares and holds (its HMAC key,
 * a `rateLimit` count) for the isolate's life, as on a long-running server.
 */
function perEnv<T>(create: (env: Bindings) => T): (env: Bindings) => T {
  const made = new WeakMap<Bindings, T>();
  return (env) => {
    let value = made.get(env);
    if (value === undefined) made.set(env, (value = create(env)));
    return value;
  };
}

const tokenRoute = perEnv((env) => {
  const credentials: TokenRouteCredentials = {
    accountSid: env.TWILIO_ACCOUNT_SID,
    keys: { sid: env.TWILIO_API_KEY_SID, secret: env.TWILIO_API_KEY_SECRET },
  };
  // getUser defaults to (c) => c.get('user'), which the session middleware below sets.
  return createTokenRoute<DemoUser>({ credentials, policy, allowedOrigins: allowedOriginsOf(env) });
});

/** Reads the signed session cookie: a forged or tampered one reads as nobody. */
const session: MiddlewareHandler<Env> = async (c, next) => {
  // hono verifies the HMAC-SHA256 signature with SESSION_SECRET and returns false when it does not match.
  const value = await getSignedCookie(c, c.env.SESSION_SECRET, COOKIE);
  const [id, expires] = typeof value === 'string' ? value.split('|') : [];
  // The expiry is inside the signed value: the browser's Max-Age alone would let a copied cookie live forever.
  const live = Number(expires) > Date.now() / 1000;
  const user = live ? USERS.find((candidate) => candidate.id === id) : undefined;
  c.set('user', user && { id: user.id, username: user.username, role: user.role });
  await next();
};

/** Login and logout only from the page's own origins: another site must not log a visitor in as someone else. */
const sameOrigin: MiddlewareHandler<Env> = async (c, next) => {
  if (!isAllowedOrigin((name) => c.req.header(name), allowedOriginsOf(c.env))) {
    return jsonError(c, 403, 'ORIGIN_NOT_ALLOWED', 'Pages of this origin may not log in or out here.');
  }
  await next();
};

const cookieOptions = (c: Context) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'Lax' as const,
  // `wrangler dev` serves plain HTTP; deployed, the Worker is HTTPS and the cookie Secure.
  secure: new URL(c.req.url).protocol === 'https:',
});

const app = new Hono<Env>();

app.use(session);

app.get('/', (c) => c.html(PAGE));

app.post('/login', sameOrigin, bodyLimit({ maxSize: 8192 }), async (c) => {
  const isJson = c.req.header('content-type')?.startsWith('application/json');
  const body = isJson ? await c.req.json().catch(() => undefined) : await c.req.parseBody();
  if (typeof body !== 'object' || body === null) return jsonError(c, 400, 'INVALID_REQUEST', 'Send JSON or a form with username and password.');
  const user = await authenticate(body.username, body.password);
  if (!user) return jsonError(c, 401, 'UNAUTHENTICATED', 'Wrong username or password.');
  const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
  await setSignedCookie(c, COOKIE, `${user.id}|${expires}`, c.env.SESSION_SECRET, { ...cookieOptions(c), maxAge: SESSION_SECONDS });
  return c.json({ user });
});

app.post('/logout', sameOrigin, (c) => {
  deleteCookie(c, COOKIE, cookieOptions(c));
  return c.json({ user: null });
});

app.get('/api/me', (c) => c.json({ user: c.get('user') ?? null }));

// grantor answers every method itself: POST issues, others get 405 with Allow.
app.all('/api/token', (c, next) => tokenRoute(c.env)(c, next));

export default app;
