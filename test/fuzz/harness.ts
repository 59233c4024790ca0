// The token-route fuzz: every adapter mounted twice (the default options: POST only, no
// allowedOrigins; GET and POST with allowedOrigins), each generated request sent on a raw socket and its answer checked against the
// README's HTTP contract, together with everything grantor reported about that request (getUser,
// policy, onIssued, onDenied, onError) and every console line written meanwhile.
import http from 'node:http';
import { format, isDeepStrictEqual } from 'node:util';
import { type DeniedEvent, ERROR_CODES, type IssuedEvent, type PolicyDecision, verifyAccessToken } from '@grantor/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NEXT_ERROR_PAGE } from '../../packages/next/test/support/next-server.js';
import { ADAPTER_TITLES, ADAPTERS, type AnyAdapterName, APP_PARSER_ADAPTERS, type MountedAdapter, mountAdapter } from '../support/adapters.js';
import { exchange, type RawAnswer, serialize } from './raw-http.js';
import { ALLOWED_ORIGIN, type FuzzCase, LISTS_ORIGINS, OWN_ORIGIN, PROFILES, type Profile, type UserName } from './requests.js';

function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number (got ${JSON.stringify(value)}).`);
  return Number(value);
}

export const SEED = envInt('GRANTOR_FUZZ_SEED', 20_260_901);
/** Runs per adapter and request family. */
export const RUNS = envInt('GRANTOR_FUZZ_RUNS', 200);

const SECRET = 'fuzz-secret-5b1e9c-must-never-leak';
const CREDENTIALS = { accountSid: `AC${'c'.repeat(32)}`, keys: { sid: `SK${'d'.repeat(32)}`, secret: SECRET } };
const CRASH = 'the fuzz policy threw on purpose: db password hunter2';
const GUEST_REFUSAL = 'Guests may only join the lobby.';
interface User {
  id: UserName;
  role: 'host' | 'guest';
}
const USERS = new Map<string, User>([
  ['alice', { id: 'alice', role: 'host' }],
  ['bob', { id: 'bob', role: 'guest' }],
]);
const BODY_LIMIT = 8192;
const NEXT_SIZE_LIMIT = 1024 * 1024;
const NEXT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'];
/** Fastify answers what Node's HTTP parser refuses itself (its clientErrorHandler), in JSON. */
const FASTIFY_CLIENT_ERROR = '{"error":"Bad Request","message":"Client Error","statusCode":400}';
const FASTIFY_HEADER_OVERFLOW = '{"error":"Request Header Fields Too Large","message":"Exceeded maximum allowed HTTP header size","statusCode":431}';
/** Node's limit on a request's head (--max-http-header-size). */
const NODE_MAX_HEADER_SIZE = 16 * 1024;
/** Adapters whose body parser runs before grantor: a body it refuses may beat grantor's method, origin and user checks. */
const PARSER_FIRST: readonly AnyAdapterName[] = ['next-pages', 'express-json', 'nest'];
const GATE_CODES = ['METHOD_NOT_ALLOWED', 'ORIGIN_NOT_ALLOWED', 'UNAUTHENTICATED'];
const BODY_CODES = ['BAD_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'REQUEST_ABORTED'];
/** A hung server or handler fails the case instead of the whole test file. */
const HANG_MS = 15_000;

const STACK = /\n\s+at |\bat \S+ \(|\.(?:[cm]?js|tsx?):\d+:\d+/;
const PATH = new RegExp([process.cwd(), '/node_modules/', 'node:internal', 'file://'].map((text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\./;

/** Everything grantor reported about one request. */
interface Trace {
  lookups: number;
  policy: Record<string, unknown>[];
  issued: IssuedEvent[];
  denied: DeniedEvent[];
  errors: unknown[];
  logs: string[];
  /** Settles with the first onIssued, onDenied or onError. */
  finished: Promise<void>;
  finish(): void;
}

function newTrace(): Trace {
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  return { lookups: 0, policy: [], issued: [], denied: [], errors: [], logs: [], finished, finish };
}

interface Target {
  adapter: MountedAdapter<AnyAdapterName>;
  profile: Profile;
  traces: Map<string, Trace>;
}

function policy(user: User, params: Record<string, unknown>): PolicyDecision {
  if (params.room === 'crash') throw new Error(CRASH);
  if (user.role === 'guest' && params.room !== 'lobby') return { deny: GUEST_REFUSAL };
  return { grants: { video: { room: params.room as string | undefined } } };
}

async function mount(name: AnyAdapterName, profile: Profile): Promise<Target> {
  const traces = new Map<string, Trace>();
  let header = (_request: unknown, _name: string): string | undefined => undefined;
  const traceOf = (request: unknown) => traces.get(header(request, 'x-fuzz-id') ?? '');
  const terminal = (request: unknown, record: (trace: Trace) => void, what: string) => {
    const trace = traceOf(request);
    if (trace) {
      record(trace);
      trace.finish();
    } else if (what.startsWith('onDenied') && abandoned.has(header(request, 'x-fuzz-id') ?? '')) {
      // The client left mid-body: an app-wide parser may fail on what it had read only after the case ended.
    } else if (header(request, 'x-fuzz-id') !== 'probe') {
      // Too late for its case: still checked, at the end of the test.
      lateEvents.push(`${what} for request ${header(request, 'x-fuzz-id')} after its case ended`);
    }
  };
  const adapter = await mountAdapter<User, AnyAdapterName>(
    name,
    {
      credentials: CREDENTIALS,
      methods: PROFILES[profile],
      ...(LISTS_ORIGINS[profile] && { allowedOrigins: [ALLOWED_ORIGIN] }),
      policy: ({ user, params, request }) => {
        traceOf(request)?.policy.push(params);
        return policy(user, params);
      },
      onIssued: (event) => terminal(event.request, (trace) => trace.issued.push(event), 'onIssued'),
      onDenied: (event) => terminal(event.request, (trace) => trace.denied.push(event), `onDenied ${event.code}`),
      onError: (error, request) => terminal(request, (trace) => trace.errors.push(error), `onError ${String(error)}`),
    },
    // The user header is `name#fuzz-id`, so the lookup is counted for its request.
    (value) => {
      const [userName = '', id = ''] = (value ?? '').split('#');
      const trace = traces.get(id);
      if (trace) trace.lookups += 1;
      return USERS.get(userName);
    },
  );
  header = adapter.requestHeader;
  return { adapter, profile, traces };
}

// ---- console capture: every line goes to the request being sent when it was written ----

let logTarget: string[] = [];
const strayLogs: string[] = [];
/** Hook calls that came after their request's case was checked. */
const lateEvents: string[] = [];
/** The ids of requests whose client disconnected before its body was complete. */
const abandoned = new Set<string>();
const LEVELS = ['error', 'warn', 'log', 'info', 'debug'] as const;
function captureConsole(): () => void {
  const originals = LEVELS.map((level) => console[level]);
  for (const level of LEVELS) console[level] = (...args: unknown[]) => void logTarget.push(`console.${level}: ${format(...args)}`);
  return () => LEVELS.forEach((level, index) => (console[level] = originals[index]!));
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (nothing after ${HANG_MS / 1000} s)`)), HANG_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** A request on a fresh connection: once it is answered, the server has taken in what came before. */
function probe(target: Target) {
  return exchange(target.adapter.url, { method: 'GET', target: '/api/token', headers: [['x-fuzz-id', 'probe']], body: new Uint8Array(), ending: 'answer' });
}

const isJsonAnswer = (answer: RawAnswer | undefined): answer is RawAnswer => answer?.headers['content-type']?.some((type) => type.includes('json')) ?? false;

let sequence = 0;

async function send(target: Target, request: FuzzCase): Promise<{ answer: RawAnswer | undefined; trace: Trace }> {
  const id = String(++sequence);
  const trace = newTrace();
  target.traces.set(id, trace);
  if (request.ending === 'abort') abandoned.add(id);
  logTarget = trace.logs;
  try {
    const raw = {
      method: request.method,
      target: `/api/token${request.query ? `?${request.query}` : ''}`,
      headers: [
        ['x-test-user', `${request.user ?? ''}#${id}`],
        ['x-fuzz-id', id],
        ...request.headers.map(([name, value]) => [name, value === OWN_ORIGIN ? new URL(target.adapter.url).origin : value]),
      ] as [string, string][],
      body: request.body,
      ending: request.ending,
      ...(request.host !== undefined && { host: request.host }),
    };
    const answer = await within(exchange(target.adapter.url, raw, request.abortLate ? () => probe(target) : undefined), 'the server never answered nor closed');
    // Not grantor's answer (or none): grantor may still be reading this request.
    if (!isJsonAnswer(answer)) await probe(target);
    if (trace.lookups > 0) await within(trace.finished, 'grantor looked the user up, then never called onIssued, onDenied or onError');
    return { answer, trace };
  } finally {
    logTarget = strayLogs;
    target.traces.delete(id);
  }
}

// ---- what the request should get ----

/** A header as Node hands it to the app: trimmed; repeats joined, except the ones Node keeps once. */
function seenHeader(request: FuzzCase, name: string): string | undefined {
  const values = request.headers.filter(([header]) => header.toLowerCase() === name).map(([, value]) => value.trim());
  if (values.length === 0) return undefined;
  return name === 'content-type' || name === 'content-length' ? values[0] : values.join(', ');
}

/**
 * The README's origin rule: an Origin listed in allowedOrigins passes; otherwise Sec-Fetch-Site, when
 * sent, must be same-origin or none; without it an Origin, when sent, must name the request's Host
 * (only without allowedOrigins): the route's own origin, sent with the route's own Host.
 */
function originAllowed(target: Target, request: FuzzCase): boolean {
  const origin = seenHeader(request, 'origin') || undefined;
  const listing = LISTS_ORIGINS[target.profile];
  if (listing && origin === ALLOWED_ORIGIN) return true;
  const site = seenHeader(request, 'sec-fetch-site')?.toLowerCase();
  if (site) return site === 'same-origin' || site === 'none';
  return origin === undefined || (!listing && origin === OWN_ORIGIN && request.host === undefined);
}

/**
 * How Node's HTTP server refuses a request's Host before any app code: none on HTTP/1.1, bytes its
 * parser refuses (control characters other than tab), or a head over its size limit.
 */
function nodeHostRefusal(request: FuzzCase): 'missing' | 'bytes' | 'too large' | undefined {
  const { host } = request;
  if (host === undefined) return undefined;
  if (host === null) return 'missing';
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(host)) return 'bytes';
  return host.length > NODE_MAX_HEADER_SIZE ? 'too large' : undefined;
}

/** Whether Next can make the route's Request, whose URL it builds from Host (as Node hands it over, trimmed). */
function nextBuildsRequest(request: FuzzCase): boolean {
  if (typeof request.host !== 'string') return true;
  try {
    new Request(`http://${request.host.trim()}/api/token`);
    return true;
  } catch {
    return false;
  }
}

/** The one media type every POST must have. */
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const isJsonPost = (request: FuzzCase) => JSON_TYPE.test(seenHeader(request, 'content-type') ?? '');

/**
 * Whether the route refuses a Host, as Node hands it over (trimmed), by the README's rule (RFC 9112
 * §3.2): empty, or not one a URL can hold, or with a path, query, fragment, userinfo or spaces.
 */
function hostRefused(request: FuzzCase): boolean {
  // undefined: the harness's own 127.0.0.1; null: none, which Node refuses before any app code.
  if (typeof request.host !== 'string') return false;
  const host = request.host.trim();
  if (host === '' || /[\s/\\?#@]/.test(host)) return true;
  try {
    new URL(`http://${host}/`);
    return false;
  } catch {
    return true;
  }
}

/** The code of the first check that refuses the request before its body matters, if any. */
function gateOf(target: Target, request: FuzzCase): string | undefined {
  if (!(PROFILES[target.profile] as readonly string[]).includes(request.method)) return 'METHOD_NOT_ALLOWED';
  if (hostRefused(request)) return 'BAD_REQUEST';
  if (!originAllowed(target, request)) return 'ORIGIN_NOT_ALLOWED';
  if (request.user === null) return 'UNAUTHENTICATED';
  return undefined;
}

/** Adapters where grantor reads every POST body itself (no body parser runs before it). */
const GRANTOR_READS: readonly AnyAdapterName[] = ['express', 'koa', 'koa-bodyparser', 'next-app', 'next-pages-raw', 'fastify'];
/** Adapters whose app-wide parser inflates a gzip, deflate or br body before grantor sees it. */
const PARSER_INFLATES: readonly AnyAdapterName[] = ['express-json', 'nest'];
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The params an app-wide parser hands grantor, when they are a flat `{ room, pad }` object (hugeBody's shape). */
function parsedParams(request: FuzzCase): Record<string, unknown> | undefined {
  const flat = (value: unknown) => typeof value !== 'object' || (Array.isArray(value) && value.every((item) => typeof item !== 'object'));
  try {
    const value: unknown = JSON.parse(fatalUtf8.decode(request.plain));
    const plainObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    const shaped = plainObject && Object.entries(value).every(([name, item]) => (name === 'room' || name === 'pad') && flat(item));
    return shaped ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the README's body rules decide when nothing refused the request before: a POST that is not
 * `application/json` is 415 (an empty one included); for a body grantor reads itself, a compressed
 * body or a charset other than UTF-8 is 415, bytes that are not UTF-8 are 400 (413 may come first for
 * a large one); params an app-wide parser parsed (inflated, for express.json()) whose JSON is longer
 * than bodyLimit are 413.
 */
function bodyRuling(target: Target, request: FuzzCase): { codes: string[]; why: string } | undefined {
  const { name } = target.adapter;
  if (request.method !== 'POST' || request.malformed || request.ending !== 'answer') return undefined;
  if (!isJsonPost(request)) return { codes: ['UNSUPPORTED_MEDIA_TYPE'], why: 'a POST that is not application/json is 415, whatever its body' };
  const type = seenHeader(request, 'content-type')!;
  const encoding = seenHeader(request, 'content-encoding')?.toLowerCase();
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  const utf8 = charset === undefined || charset === 'utf-8' || charset === 'utf8';
  const inflated =
    encoding === undefined ||
    encoding === 'identity' ||
    (PARSER_INFLATES.includes(name) && ['gzip', 'deflate', 'br'].includes(encoding) && request.plain !== request.payload);
  const params = PARSER_FIRST.includes(name) && inflated && utf8 ? parsedParams(request) : undefined;
  if (params && new TextEncoder().encode(JSON.stringify(params)).length > BODY_LIMIT) {
    return { codes: ['PAYLOAD_TOO_LARGE'], why: 'params an app-wide parser parsed are held to bodyLimit, compressed or not' };
  }
  if (!GRANTOR_READS.includes(name)) return undefined;
  if (encoding && encoding !== 'identity') return { codes: ['UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'], why: 'a compressed body is 415' };
  if (!utf8) return { codes: ['UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'], why: 'a charset other than UTF-8 is 415' };
  try {
    fatalUtf8.decode(request.payload);
  } catch {
    return { codes: ['BAD_REQUEST', 'PAYLOAD_TOO_LARGE'], why: 'bytes that are not UTF-8 are 400' };
  }
  return undefined;
}

/** Whether grantor's code can run at all: Node and Next answer some requests before any route. */
function grantorRuns(target: Target, request: FuzzCase): boolean {
  const { method } = request;
  if (method === 'CONNECT' || !http.METHODS.includes(method) || request.malformed === 'head' || nodeHostRefusal(request)) return false;
  if (target.adapter.name === 'next-app' && !nextBuildsRequest(request)) return false;
  return routeTakes(target, method);
}

/** Whether the framework routes the method to grantor (Next: the route file exports it; Fastify: it routes it). */
function routeTakes(target: Target, method: string): boolean {
  const exported = target.adapter.routeExports;
  return !exported || exported.includes(method) || (method === 'HEAD' && exported.includes('GET'));
}

type Outcome = 'no answer' | { status: number; body: string; allow?: string };

function outcomeOf(answer: RawAnswer | undefined): Outcome {
  if (!answer) return 'no answer';
  const allow = answer.headers.allow?.join(', ');
  return { status: answer.status, body: answer.body.toString('utf8'), ...(allow !== undefined && { allow }) };
}

function decodes(payload: Uint8Array, charset: string | undefined): string | undefined {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(payload);
  } catch {
    return undefined;
  }
}

interface OwnAnswer {
  why: string;
  outcome: Outcome;
  /** The route's code never runs for it. */
  routeSkipped?: boolean;
}

/**
 * The answers Node or a framework gives itself, before grantor's code, with the reason each is
 * allowed: the README's documented cases, plus Node's own refusals of broken HTTP.
 */
function ownAnswers(target: Target, request: FuzzCase): OwnAnswer[] {
  const { name, routeExports } = target.adapter;
  const { method } = request;
  const answers: OwnAnswer[] = [];
  if (request.ending === 'abort') answers.push({ why: 'the client left', outcome: 'no answer' });
  if (method === 'CONNECT') answers.push({ why: "Node closes a CONNECT when the server has no 'connect' listener", outcome: 'no answer' });
  const hostRefusal = nodeHostRefusal(request);
  if (hostRefusal === 'missing') answers.push({ why: "Node's HTTP/1.1 server refuses a request without Host", outcome: { status: 400, body: '' } });
  if (hostRefusal === 'too large') {
    const why = "Node's HTTP parser refuses a head over its size limit";
    answers.push(
      name === 'fastify'
        ? { why: `${why}; Fastify's clientErrorHandler answers`, outcome: { status: 431, body: FASTIFY_HEADER_OVERFLOW } }
        : { why, outcome: { status: 431, body: '' } },
    );
  }
  if (request.malformed || request.ending === 'half-close' || !http.METHODS.includes(method) || hostRefusal === 'bytes') {
    const why = "Node's HTTP parser refuses the request (unknown method, bad framing, body cut short, bytes a Host may not have)";
    answers.push(
      name === 'fastify'
        ? { why: `${why}; Fastify's clientErrorHandler answers`, outcome: { status: 400, body: FASTIFY_CLIENT_ERROR } }
        : { why, outcome: { status: 400, body: '' } },
    );
  }
  if (name === 'next-app' && routeExports && !routeTakes(target, method) && http.METHODS.includes(method)) {
    const routeSkipped = true;
    if (method === 'TRACE')
      answers.push({
        why: 'Next answers TRACE with its 500 error page before any route code (README)',
        outcome: { status: 500, body: NEXT_ERROR_PAGE },
        routeSkipped,
      });
    else if (!NEXT_METHODS.includes(method))
      answers.push({ why: 'Next answers a method it does not know with 400', outcome: { status: 400, body: '' }, routeSkipped });
    else if (method === 'OPTIONS') {
      const allow = ['OPTIONS', ...routeExports, ...(routeExports.includes('GET') ? ['HEAD'] : [])].sort().join(', ');
      answers.push({ why: 'Next implements OPTIONS for a route that does not export it', outcome: { status: 204, body: '', allow }, routeSkipped });
    } else answers.push({ why: 'Next answers a method the route file does not export (README)', outcome: { status: 405, body: '' }, routeSkipped });
  }
  if (name === 'next-app' && !hostRefusal && !nextBuildsRequest(request)) {
    answers.push({
      why: "Next builds the route's Request from Host: a Host no URL can have fails before any route code, with Next's 500 page",
      outcome: { status: 500, body: NEXT_ERROR_PAGE },
      routeSkipped: true,
    });
  }
  if (name === 'fastify' && routeExports && !routeTakes(target, method) && http.METHODS.includes(method) && method !== 'CONNECT') {
    const body = `{"message":"Route ${method}:/api/token${request.query ? `?${request.query}` : ''} not found","error":"Not Found","statusCode":404}`;
    answers.push({ why: 'Fastify answers a method it does not route with its 404 (README)', outcome: { status: 404, body }, routeSkipped: true });
  }
  if (name === 'next-pages') {
    const type = seenHeader(request, 'content-type') ?? '';
    const charset = /charset="?([^";\s]+)/i.exec(type)?.[1];
    const text = decodes(request.payload, charset);
    const isJson = (value: string) => {
      try {
        JSON.parse(value);
        return true;
      } catch {
        return false;
      }
    };
    if (/json/i.test(type) && text !== undefined && text !== '' && !isJson(text)) {
      answers.push({ why: "Next's body parser answers invalid JSON (README)", outcome: { status: 400, body: 'Invalid JSON' }, routeSkipped: true });
    }
    if (charset && text === undefined) {
      answers.push({
        why: "Next's body parser answers a charset it cannot decode with its 400 (README)",
        outcome: { status: 400, body: 'Invalid body' },
        routeSkipped: true,
      });
    }
    if (Math.max(request.payload.length, request.declaredLength ?? 0) > NEXT_SIZE_LIMIT) {
      answers.push({
        why: "Next's body parser answers a body over its 1 MB sizeLimit (README)",
        outcome: { status: 413, body: 'Body exceeded 1mb limit' },
        routeSkipped: true,
      });
    }
    if (request.ending !== 'answer' || request.malformed === 'body') {
      answers.push({
        why: "Next's body parser could not read a body the client cut short",
        outcome: { status: 400, body: 'Invalid body' },
        routeSkipped: true,
      });
    }
  }
  // No body comes back for HEAD.
  return request.method === 'HEAD'
    ? answers.map((answer) => ({ ...answer, outcome: answer.outcome === 'no answer' ? 'no answer' : { ...answer.outcome, body: '' } }))
    : answers;
}

// ---- the checks ----

function expectNoLeak(text: string, where: string): void {
  expect(text, `no secret in ${where}`).not.toContain(SECRET);
  expect(text, `no stack trace in ${where}`).not.toMatch(STACK);
  expect(text, `no file path in ${where}`).not.toMatch(PATH);
  expect(text, `no token in ${where}`).not.toMatch(JWT);
}

const PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).map((name) => [name, Object.getOwnPropertyDescriptor(Object.prototype, name)]);

function checkTrace(trace: Trace): void {
  for (const line of trace.logs) expectNoLeak(line, 'a log line');
  expect(trace.issued.length + trace.denied.length + trace.errors.length, 'at most one of onIssued, onDenied, onError per request').toBeLessThanOrEqual(1);
  expect(trace.policy.length, 'the policy runs at most once').toBeLessThanOrEqual(1);
  for (const params of trace.policy) {
    expect(
      Object.keys(params).filter((name) => name !== 'room'),
      'the policy only gets validated params',
    ).toEqual([]);
    if ('room' in params)
      expect(typeof params.room === 'string' && params.room.length >= 1 && params.room.length <= 128, 'room is 1-128 characters').toBe(true);
  }
  const threw = trace.policy.some((params) => params.room === 'crash');
  expect(
    trace.errors.map((error) => String(error)).join('; '),
    'onError only for the policy that threw on purpose, never for client mistakes or disconnects',
  ).toBe(threw ? `Error: ${CRASH}` : '');
  expect(
    Object.getOwnPropertyNames(Object.prototype).map((name) => [name, Object.getOwnPropertyDescriptor(Object.prototype, name)]),
    'Object.prototype untouched',
  ).toEqual(PROTOTYPE);
}

function checkToken(target: Target, request: FuzzCase, body: Record<string, unknown>, trace: Trace): void {
  expect(gateOf(target, request), 'a token only for an enabled method, an allowed origin and a logged-in user').toBeUndefined();
  expect(Object.keys(body).sort()).toEqual(['expiresAt', 'identity', 'token', 'ttl']);
  const { claims } = verifyAccessToken(body.token as string, CREDENTIALS);
  expect(body.identity).toBe(request.user);
  expect(claims.grants?.identity).toBe(request.user);
  expect(body.ttl).toBe(3600);
  expect(body.expiresAt).toBe(new Date(claims.exp! * 1000).toISOString());
  expect(trace.policy, 'the policy decided this token').toHaveLength(1);
  const params = trace.policy[0]!;
  expect(claims.grants?.video, 'the token grants the room the policy approved').toEqual(params.room === undefined ? {} : { room: params.room });
  expect(
    trace.issued.map((event) => event.jti),
    'onIssued reports this token',
  ).toEqual([claims.jti]);
}

function checkGrantorAnswer(target: Target, request: FuzzCase, answer: RawAnswer, trace: Trace): void {
  const { name } = target.adapter;
  expect(grantorRuns(target, request), 'grantor answers only requests that reach the route').toBe(true);
  expect(answer.headers['cache-control'], 'Cache-Control: no-store').toEqual(['no-store']);
  expect(answer.headers['content-type']).toEqual(['application/json; charset=utf-8']);
  expect(answer.headers['x-content-type-options']).toEqual(['nosniff']);
  const text = answer.body.toString('utf8');
  const head = request.method === 'HEAD';
  const body = head ? undefined : (JSON.parse(text) as Record<string, unknown>);
  if (answer.status === 200) {
    expectNoLeak(text.replace(String(body?.token), 'the token'), 'a token answer');
    if (body) checkToken(target, request, body, trace);
    else expect(trace.issued).toHaveLength(1);
    return;
  }
  expectNoLeak(text, 'an error answer');
  const error = (body?.error ?? {}) as { code?: string; message?: unknown };
  if (body) {
    expect(Object.keys(body), 'an error body is { error }').toEqual(['error']);
    expect(
      Object.keys(error).filter((key) => key !== 'details'),
      'error is { code, message, details? }',
    ).toEqual(['code', 'message']);
    expect(typeof error.message === 'string' && error.message !== '', 'a message').toBe(true);
    expect(error.message, 'no policy internals in the message').not.toContain(CRASH);
  }
  // HEAD answers have no body: the code and message are the ones onDenied reported.
  const code = body ? error.code! : (trace.denied[0]?.code ?? 'unknown: HEAD answer without onDenied');
  const message = body ? error.message : trace.denied[0]?.reason;
  expect(Object.keys(ERROR_CODES), 'a code from ERROR_CODES').toContain(code);
  expect(answer.status, `the status ERROR_CODES gives ${code}`).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].status);
  if (answer.status >= 500) {
    expect(
      trace.policy.map((params) => params.room),
      'a 5xx only when the policy threw on purpose',
    ).toEqual(['crash']);
    expect(code).toBe('INTERNAL_ERROR');
  } else {
    expect(
      trace.denied.map((event) => [event.code, event.status]),
      'onDenied reports the refusal',
    ).toEqual([[code, answer.status]]);
  }
  const gate = gateOf(target, request);
  if (gate === undefined) expect(GATE_CODES, 'nothing refuses this request before its body').not.toContain(code);
  else if (PARSER_FIRST.includes(name)) expect([gate, ...BODY_CODES], `${gate}, or a refusal by the body parser that ran first`).toContain(code);
  else expect(code, 'method, then origin, then user').toBe(gate);
  const ruling = gate === undefined ? bodyRuling(target, request) : undefined;
  if (ruling) expect(ruling.codes, ruling.why).toContain(code);
  if (code === 'METHOD_NOT_ALLOWED') expect(answer.headers.allow).toEqual([PROFILES[target.profile].join(', ')]);
  if (code === 'FORBIDDEN') expect([request.user, message], 'only the policy refuses, with its reason').toEqual(['bob', GUEST_REFUSAL]);
  if (code === 'REQUEST_ABORTED') expect(request.ending !== 'answer' || request.malformed === 'body', 'REQUEST_ABORTED only for a body cut short').toBe(true);
  if (code === 'PAYLOAD_TOO_LARGE')
    expect(Math.max(request.payload.length, request.plain.length, request.declaredLength ?? 0), '413 only for a large body').toBeGreaterThan(BODY_LIMIT);
  // GET reads the query string, whatever the body.
  if (gate === undefined && request.method !== 'GET' && request.malformed === false && (request.declaredLength ?? 0) > BODY_LIMIT) {
    expect(['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'], 'a Content-Length over bodyLimit is refused').toContain(code);
  }
}

/** For requests the route fully understands: exactly what the policy decides. */
function checkExpected(target: Target, request: FuzzCase, answer: RawAnswer | undefined, trace: Trace): void {
  const params = request.params;
  if (!params || !answer || request.malformed || request.ending !== 'answer' || !grantorRuns(target, request)) return;
  const gate = gateOf(target, request);
  const notJson = request.method === 'POST' && !isJsonPost(request);
  const expected =
    gate ??
    (notJson
      ? 'UNSUPPORTED_MEDIA_TYPE'
      : params.room === 'crash'
        ? 'INTERNAL_ERROR'
        : request.user === 'bob' && params.room !== 'lobby'
          ? 'FORBIDDEN'
          : 'token');
  const got =
    answer.status === 200
      ? 'token'
      : request.method === 'HEAD'
        ? trace.denied[0]?.code
        : (JSON.parse(answer.body.toString('utf8')) as { error: { code: string } }).error.code;
  expect(got, 'the outcome of a well-formed request').toBe(expected);
  if (gate === undefined && !notJson) expect(trace.policy, 'the policy gets the params sent, without identity').toEqual([params]);
}

function check(target: Target, request: FuzzCase, answer: RawAnswer | undefined, trace: Trace): void {
  checkTrace(trace);
  // A framework's own answer may be JSON too (Fastify's), but it is never grantor's.
  const frameworkOwn = ownAnswers(target, request).some(({ outcome }) => isDeepStrictEqual(outcome, outcomeOf(answer)));
  if (isJsonAnswer(answer) && !frameworkOwn) {
    checkGrantorAnswer(target, request, answer, trace);
    checkExpected(target, request, answer, trace);
    return;
  }
  const got = outcomeOf(answer);
  const allowed = ownAnswers(target, request);
  const match = allowed.find(({ outcome }) => isDeepStrictEqual(outcome, got));
  expect(
    match,
    `${JSON.stringify(got)} is neither grantor's JSON answer nor one Node or the framework gives this request itself: ${JSON.stringify(allowed)}`,
  ).toBeDefined();
  if (match!.routeSkipped || !grantorRuns(target, request)) {
    const { lookups, policy, issued, denied, errors } = trace;
    expect({ lookups, policy, issued, denied, errors }, 'grantor never ran').toEqual({ lookups: 0, policy: [], issued: [], denied: [], errors: [] });
  }
}

// ---- the test ----

const ALL_ADAPTERS = [...ADAPTERS, ...APP_PARSER_ADAPTERS];

/** How a failing case prints: the raw request, cut short. */
function printable(request: FuzzCase): FuzzCase {
  const wire = serialize(request.host === undefined ? '127.0.0.1' : request.host, {
    method: request.method,
    target: `/api/token${request.query ? `?${request.query}` : ''}`,
    headers: [['x-test-user', `${request.user ?? ''}#<id>`], ...request.headers],
    body: request.body,
    ending: request.ending,
  });
  const shown = JSON.stringify(wire.subarray(0, 600).toString('latin1'));
  const more = wire.length > 600 ? ` ... (${wire.length} bytes in all)` : '';
  return Object.defineProperty(request, fc.toStringMethod, {
    value: () => `profile ${request.profile}, ending ${request.ending}${request.abortLate ? ' (late)' : ''}, malformed ${request.malformed}: ${shown}${more}`,
  });
}

/** One test per adapter: `runs` requests, `examples` first (within `runs`), then from `requests`, seeded. */
export function fuzzTokenRoute(family: string, requests: fc.Arbitrary<FuzzCase>, runs = RUNS, examples: FuzzCase[] = []): void {
  describe(`token route fuzz: ${family}`, () => {
    const targets = new Map<string, Target>();
    let restoreConsole = () => {};
    beforeAll(async () => {
      restoreConsole = captureConsole();
      for (const name of ALL_ADAPTERS) for (const profile of ['post', 'get'] as const) targets.set(`${name} ${profile}`, await mount(name, profile));
    });
    afterAll(async () => {
      restoreConsole();
      await Promise.all([...targets.values()].map((target) => target.adapter.close()));
    });

    test.each(ALL_ADAPTERS)(
      `%s (seed ${SEED}, ${runs} runs)`,
      async (name) => {
        strayLogs.length = 0;
        lateEvents.length = 0;
        const property = fc.asyncProperty(requests.map(printable), async (request) => {
          const target = targets.get(`${name} ${request.profile}`)!;
          const { answer, trace } = await send(target, request);
          check(target, request, answer, trace);
        });
        try {
          await fc.assert(property, { seed: SEED, numRuns: runs, examples: examples.map((example): [FuzzCase] => [printable({ ...example })]) });
        } catch (error) {
          const rerun = `GRANTOR_FUZZ_SEED=${SEED} GRANTOR_FUZZ_RUNS=${runs} pnpm exec vitest run test/fuzz`;
          throw new Error(`${ADAPTER_TITLES[name]}: ${family} (rerun: ${rerun})\n${(error as Error).message}`, { cause: error });
        }
        for (const line of strayLogs) expectNoLeak(line, 'a log line');
        expect(lateEvents, 'every hook call came while its request was checked').toEqual([]);
      },
      600_000,
    );
  });
}
