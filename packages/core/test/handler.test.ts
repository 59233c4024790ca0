/** createTokenHandler at the core level: configuration, policy, hooks, body reading and params. */
import { inspect } from 'node:util';
import { body } from 'express-validator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AccessTokenError,
  createSigner,
  isAllowedOrigin,
  createTokenHandler,
  type IdentityOf,
  type PolicyContext,
  type TokenHandlerBaseOptions,
  type TokenHandlerOptions,
  type TokenRequest,
  type TokenResponse,
  verifyAccessToken,
} from '@grantor/core';
import { ACCOUNT_SID, expectNoSecretIn, expectTokenError, KEY, readToken } from './support.js';

// `id` is not guaranteed, so the types require `identity`; the tests leave it out to check the run-time rule.
interface User {
  id?: unknown;
  name: string;
}
interface FrameworkRequest {
  tag: string;
}

const credentials = { accountSid: ACCOUNT_SID, keys: KEY };
const alice: User = { id: 'u1', name: 'Alice' };
const frameworkRequest: FrameworkRequest = { tag: 'the framework request' };
const allowVideo = () => ({ grants: { video: { room: 'lobby' } } });

type Options = TokenHandlerBaseOptions<User, FrameworkRequest> & { identity?: IdentityOf<User> };
const createHandler = (options: Options) => createTokenHandler<User, FrameworkRequest>(options as TokenHandlerOptions<User, FrameworkRequest>);

/** A policy that issues a video grant and records what it was given. */
const recordingPolicy = () => vi.fn((_context: PolicyContext<User, FrameworkRequest>) => allowVideo());
const paramsSeenBy = (policy: ReturnType<typeof recordingPolicy>) => policy.mock.calls[0]![0].params;
const handlerWith = (options: Partial<Options> = {}) => createHandler({ credentials, policy: allowVideo, onError: vi.fn(), ...options });

/** A POST whose JSON body an app body parser already parsed. */
const parsedPost = (parsed: unknown, overrides: Partial<TokenRequest<User, FrameworkRequest>> = {}): TokenRequest<User, FrameworkRequest> => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  user: alice,
  body: { parsed },
  request: frameworkRequest,
  ...overrides,
});

/** A POST whose body grantor reads from the stream, in small chunks. */
async function* chunksOf(text: string): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let start = 0; start < bytes.length; start += 5) yield bytes.subarray(start, start + 5);
}
const streamedPost = (text: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  parsedPost(undefined, { headers, body: { stream: chunksOf(text) } });

const bodyOf = (response: TokenResponse) => JSON.parse(response.body);
const errorCodeOf = (response: TokenResponse) => [response.status, bodyOf(response).error?.code];

afterEach(() => vi.restoreAllMocks());

describe('configuration errors throw at creation', () => {
  it.each([
    ['no policy', { policy: undefined }],
    ['a policy that is not a function', { policy: { grants: {} } }],
    ['neither credentials nor a signer', { credentials: undefined }],
    ['no methods', { methods: [] }],
    ['an unknown method', { methods: ['PUT'] }],
    ['a lower-case method', { methods: ['post'] }],
    ['bodyLimit 0', { bodyLimit: 0 }],
    ['a fractional bodyLimit', { bodyLimit: 1.5 }],
    ['a string bodyLimit', { bodyLimit: '8kb' }],
    ['maxTtl 0', { maxTtl: 0 }],
    ['maxTtl over 24 h', { maxTtl: 86_401 }],
    ['a string maxTtl', { maxTtl: '1h' }],
  ])('%s is INVALID_OPTIONS', (_, options) => {
    expectTokenError(() => handlerWith(options as Partial<Options>), 'INVALID_OPTIONS', undefined);
  });

  it('a ttl above maxTtl fails at creation too', () => {
    expectTokenError(() => handlerWith({ ttl: 7200, maxTtl: 3600 }), 'TTL_TOO_LONG', 20157);
    expectTokenError(() => handlerWith({ ttl: 0 }), 'INVALID_TTL', 20104);
  });

  it('exposes its methods for the adapters', () => {
    expect(handlerWith({ methods: ['GET', 'POST'] }).methods).toEqual(['GET', 'POST']);
  });

  it('refuses both credentials and a signer, and origins that are not bare origins', () => {
    const signer = createSigner({ accountSid: ACCOUNT_SID, keys: KEY });
    expectTokenError(() => handlerWith({ signer }), 'INVALID_OPTIONS', undefined);
    for (const allowedOrigins of ['https://app.example.com', ['https://app.example.com/'], ['app.example.com'], ['https://app.example.com/path']]) {
      expectTokenError(() => handlerWith({ allowedOrigins: allowedOrigins as string[] }), 'INVALID_OPTIONS', undefined);
    }
    expect(handlerWith({ allowedOrigins: ['https://app.example.com', 'http://localhost:3000'] }).methods).toEqual(['POST']);
  });

  it("accepts native web views' origins as their Origin header says them, and nothing looser", async () => {
    const webViews = ['capacitor://localhost', 'ionic://localhost', 'tauri://localhost'];
    const handler = handlerWith({ allowedOrigins: webViews });
    for (const origin of webViews) {
      expect((await handler.handle(parsedPost({}, { headers: { 'content-type': 'application/json', origin } }))).status).toBe(200);
    }
    expect(errorCodeOf(await handler.handle(parsedPost({}, { headers: { 'content-type': 'application/json', origin: 'capacitor://evil' } })))).toEqual([
      403,
      'ORIGIN_NOT_ALLOWED',
    ]);
    const loose = [
      'null',
      'file://',
      'capacitor://',
      'capacitor://localhost/',
      'Capacitor://localhost',
      'capacitor://Localhost',
      'capacitor://localhost:8080/x',
      'capacitor:localhost',
      'ws://app.example.com',
      'javascript://x',
      'https://app.example.com:443',
    ];
    for (const origin of loose) {
      const error = expectTokenError(() => handlerWith({ allowedOrigins: [origin] }), 'INVALID_OPTIONS', undefined);
      expect(error.message).toContain('capacitor://localhost');
    }
  });

  it("uses a supplied signer's defaultTtl when the route sets no ttl", async () => {
    const signer = createSigner({ accountSid: ACCOUNT_SID, keys: KEY, defaultTtl: 600 });
    const response = await createHandler({ signer, policy: allowVideo }).handle(parsedPost({}));
    expect(bodyOf(response).ttl).toBe(600);
  });
});

describe('issuing', () => {
  it('answers 200 with token, identity, expiresAt and ttl, and the no-store headers', async () => {
    const response = await handlerWith().handle(parsedPost({ room: 'lobby' }));
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
    });
    const { token, identity, expiresAt, ttl } = bodyOf(response);
    const { claims } = verifyAccessToken(token, { accountSid: ACCOUNT_SID, keys: KEY });
    expect(identity).toBe('u1');
    expect(claims.grants).toEqual({ identity: 'u1', video: { room: 'lobby' } });
    expect(ttl).toBe(3600);
    expect(expiresAt).toBe(new Date(claims.exp! * 1000).toISOString());
  });

  it("caps the policy's ttl at maxTtl, and uses the ttl option when the policy gives none", async () => {
    const capped = handlerWith({ maxTtl: 600, policy: () => ({ grants: { video: {} }, ttl: 7200 }) });
    expect(bodyOf(await capped.handle(parsedPost({}))).ttl).toBe(600);
    const shorter = handlerWith({ maxTtl: 600, policy: () => ({ grants: { video: {} }, ttl: 120 }) });
    expect(bodyOf(await shorter.handle(parsedPost({}))).ttl).toBe(120);
    expect(bodyOf(await handlerWith({ ttl: 900 }).handle(parsedPost({}))).ttl).toBe(900);
  });

  it("a signer's smaller maxTtl caps the policy's ttl as well", async () => {
    const signer = createSigner({ ...credentials, maxTtl: 300 });
    const handler = handlerWith({ credentials: undefined, signer, policy: () => ({ grants: { video: {} }, ttl: 3600 }) });
    expect(bodyOf(await handler.handle(parsedPost({}))).ttl).toBe(300);
  });

  it('the identity option turns the user into the Twilio identity', async () => {
    const handler = handlerWith({ identity: (user) => `user_${String(user.id)}` });
    const { token, identity } = bodyOf(await handler.handle(parsedPost({})));
    expect(identity).toBe('user_u1');
    expect(readToken(token).claims.grants.identity).toBe('user_u1');
  });

  it('a numeric user id becomes a string identity', async () => {
    expect(bodyOf(await handlerWith().handle(parsedPost({}, { user: { id: 42, name: 'n' } }))).identity).toBe('42');
  });

  it('hands the policy the user, the identity, the validated params and the framework request', async () => {
    const policy = recordingPolicy();
    await handlerWith({ policy }).handle(parsedPost({ room: 'lobby' }));
    expect(policy).toHaveBeenCalledWith({ user: alice, identity: 'u1', params: { room: 'lobby' }, request: frameworkRequest });
  });

  it('ignores an identity the client sends: it is dropped before validation and never reaches the token', async () => {
    const policy = recordingPolicy();
    const response = await handlerWith({ policy }).handle(parsedPost({ identity: 'admin', room: 'lobby' }));
    expect(response.status).toBe(200);
    expect(bodyOf(response).identity).toBe('u1');
    expect(readToken(bodyOf(response).token).claims.grants.identity).toBe('u1');
    expect(paramsSeenBy(policy)).toEqual({ room: 'lobby' });
  });
});

describe('users', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['false', false],
  ])('a %s user is 401 UNAUTHENTICATED', async (_, user) => {
    expect(errorCodeOf(await handlerWith().handle(parsedPost({}, { user: user as never })))).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('a user without an id is a 500 whose cause goes to onError', async () => {
    const onError = vi.fn();
    const response = await handlerWith({ onError }).handle(parsedPost({}, { user: { name: 'no id' } }));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'INVALID_OPTIONS' }), frameworkRequest);
  });
});

describe('policy outcomes', () => {
  it('a throwing policy is a 500 with a generic body; the cause goes to onError and never to the client', async () => {
    const onError = vi.fn();
    const cause = new Error('database password is hunter2');
    const response = await handlerWith({ onError, policy: () => Promise.reject(cause) }).handle(parsedPost({}));
    expect(response.status).toBe(500);
    expect(bodyOf(response)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'The token could not be issued. The server log has the cause.' } });
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toMatch(/\bat \S+ \(/);
    expect(onError).toHaveBeenCalledWith(cause, frameworkRequest);
  });

  it('by default a 500 is logged as one line with the cause, without stack, token or secret', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const handler = createHandler({ credentials, policy: () => ({ grants: { voice: {} } }) });
    const response = await handler.handle(parsedPost({}, { user: { id: 'user@example.com', name: 'n' } }));
    expect(response.status).toBe(500);
    expect(log).toHaveBeenCalledTimes(1);
    const line = log.mock.calls[0]!.map(String).join(' ');
    expect(line).toMatch(/^\[grantor\] token request failed with 500\. INVALID_VOICE_IDENTITY: /);
    expect(line).not.toContain('\n');
    expectNoSecretIn(line);
  });

  it("{ deny } is 403 FORBIDDEN with the policy's reason; false is 403 with a generic reason", async () => {
    const denied = await handlerWith({ policy: () => ({ deny: 'Only hosts may open this room.' }) }).handle(parsedPost({}));
    expect(denied.status).toBe(403);
    expect(bodyOf(denied)).toEqual({ error: { code: 'FORBIDDEN', message: 'Only hosts may open this room.' } });
    const refused = await handlerWith({ policy: () => false }).handle(parsedPost({}));
    expect(errorCodeOf(refused)).toEqual([403, 'FORBIDDEN']);
    expect(bodyOf(refused).error.message).toBe('You may not get a token for this request.');
  });

  it.each([
    ['undefined', undefined],
    ['an object without grants', { ttl: 60 }],
    ['grants a signer refuses', { grants: { video: { room: 'r'.repeat(200) } } }],
    ['no product grant', { grants: {} }],
  ])('a policy returning %s is a 500', async (_, decision) => {
    const onError = vi.fn();
    const response = await handlerWith({ onError, policy: () => decision as never }).handle(parsedPost({}));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(AccessTokenError);
  });
});

describe('hooks', () => {
  it('onIssued gets the metadata of the token, never the token itself', async () => {
    const onIssued = vi.fn();
    const response = await handlerWith({ onIssued }).handle(parsedPost({ room: 'lobby' }));
    const { token } = bodyOf(response);
    const event = onIssued.mock.calls[0]![0];
    expect(event).toEqual({
      identity: 'u1',
      grants: ['video'],
      jti: readToken(token).claims.jti,
      keySid: KEY.sid,
      expiresAt: new Date(bodyOf(response).expiresAt),
      ttl: 3600,
      user: alice,
      request: frameworkRequest,
    });
    const [, , signature] = token.split('.');
    expect(inspect(event, { depth: null })).not.toContain(signature);
    expectNoSecretIn(inspect(event, { depth: null }));
  });

  it('onDenied gets every 4xx with its code and reason, and no token', async () => {
    const onDenied = vi.fn();
    const handler = handlerWith({ onDenied, policy: () => ({ deny: 'not a host' }) });
    await handler.handle(parsedPost({}));
    await handler.handle(parsedPost({}, { user: null }));
    await handler.handle(parsedPost({ admin: true }));
    const events = onDenied.mock.calls.map(([event]) => event);
    expect(events.map((event) => [event.code, event.status, event.identity])).toEqual([
      ['FORBIDDEN', 403, 'u1'],
      ['UNAUTHENTICATED', 401, undefined],
      ['BAD_REQUEST', 400, 'u1'],
    ]);
    expect(events[0]).toEqual({ identity: 'u1', code: 'FORBIDDEN', status: 403, reason: 'not a host', user: alice, request: frameworkRequest });
    for (const event of events) expect(inspect(event, { depth: null })).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('a throwing onIssued or onDenied turns the answer into a 500', async () => {
    const failing = () => {
      throw new Error('audit log down');
    };
    expect(errorCodeOf(await handlerWith({ onIssued: failing }).handle(parsedPost({})))).toEqual([500, 'INTERNAL_ERROR']);
    expect(errorCodeOf(await handlerWith({ onDenied: failing }).handle(parsedPost({}, { user: null })))).toEqual([500, 'INTERNAL_ERROR']);
  });

  it('a throwing onError still answers the generic 500', async () => {
    const onError = () => {
      throw new Error('logger down');
    };
    const response = await handlerWith({ onError, policy: () => Promise.reject(new Error('x')) }).handle(parsedPost({}));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
  });
});

describe('methods', () => {
  it('by default only POST: GET is 405 with Allow: POST', async () => {
    const response = await handlerWith().handle({ ...parsedPost(undefined), method: 'GET', query: {} });
    expect(errorCodeOf(response)).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(response.headers.allow).toBe('POST');
  });

  it('GET, when enabled, reads the params from the query string; POST is then 405 with Allow: GET', async () => {
    const policy = recordingPolicy();
    const handler = handlerWith({ methods: ['GET'], policy });
    const response = await handler.handle({ method: 'GET', headers: {}, user: alice, query: { room: 'lobby' }, request: frameworkRequest });
    expect(response.status).toBe(200);
    expect(paramsSeenBy(policy)).toEqual({ room: 'lobby' });
    const post = await handler.handle(parsedPost({}));
    expect(errorCodeOf(post)).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(post.headers.allow).toBe('GET');
  });
});

describe('request bodies', () => {
  it('reads an already parsed body', async () => {
    const policy = recordingPolicy();
    await handlerWith({ policy }).handle(parsedPost({ room: 'lobby' }));
    expect(paramsSeenBy(policy)).toEqual({ room: 'lobby' });
  });

  it.each([
    ['an array', ['lobby']],
    ['a string', 'lobby'],
    ['a number', 5],
  ])('a parsed body that is %s is 400 BAD_REQUEST', async (_, parsed) => {
    expect(errorCodeOf(await handlerWith().handle(parsedPost(parsed)))).toEqual([400, 'BAD_REQUEST']);
  });

  it('a parsed body of undefined (no body) means no params', async () => {
    expect((await handlerWith().handle(parsedPost(undefined))).status).toBe(200);
  });

  it('reads a streamed JSON body chunk by chunk', async () => {
    const policy = recordingPolicy();
    const response = await handlerWith({ policy }).handle(streamedPost('{"room":"the lobby, second floor"}'));
    expect(response.status).toBe(200);
    expect(paramsSeenBy(policy)).toEqual({ room: 'the lobby, second floor' });
  });

  it('a streamed body over bodyLimit is 413, whether or not Content-Length says so', async () => {
    const handler = handlerWith({ bodyLimit: 16 });
    const text = JSON.stringify({ room: 'a long room name' });
    expect(errorCodeOf(await handler.handle(streamedPost(text)))).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const declared = streamedPost(text, { 'content-type': 'application/json', 'content-length': String(text.length) });
    expect(errorCodeOf(await handler.handle(declared))).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await handler.handle(streamedPost('{"room":"a"}'))).status).toBe(200);
  });

  it('invalid JSON is 400 BAD_REQUEST; an empty body means no params', async () => {
    expect(errorCodeOf(await handlerWith().handle(streamedPost('{"room":')))).toEqual([400, 'BAD_REQUEST']);
    expect((await handlerWith().handle(streamedPost(''))).status).toBe(200);
    expect((await handlerWith().handle(streamedPost('  \n'))).status).toBe(200);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', ' application/json ;charset="utf-8"'])(
    'Content-Type %s is accepted',
    async (contentType) => {
      expect((await handlerWith().handle(streamedPost('{"room":"a"}', { 'content-type': contentType }))).status).toBe(200);
    },
  );

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/vnd.api+json'])(
    'Content-Type %s is 415 UNSUPPORTED_MEDIA_TYPE',
    async (contentType) => {
      expect(errorCodeOf(await handlerWith().handle(streamedPost('{"room":"a"}', { 'content-type': contentType })))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    },
  );

  it('a body without Content-Type is 415, and so is an empty one (a no-cors POST sends exactly that)', async () => {
    expect(errorCodeOf(await handlerWith().handle(streamedPost('{"room":"a"}', {})))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(errorCodeOf(await handlerWith().handle(streamedPost('', {})))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await handlerWith().handle(streamedPost('', { 'content-type': 'application/json' }))).status).toBe(200);
  });
});

describe('params', () => {
  it('room must be a string of 1 to 128 characters', async () => {
    const response = await handlerWith().handle(parsedPost({ room: 5 }));
    expect(errorCodeOf(response)).toEqual([400, 'BAD_REQUEST']);
    expect(bodyOf(response).error.details).toEqual([{ type: 'field', location: 'body', path: 'room', value: 5, msg: 'room must be a string' }]);
    expect(errorCodeOf(await handlerWith().handle(parsedPost({ room: 'r'.repeat(129) })))).toEqual([400, 'BAD_REQUEST']);
  });

  it("the validators option adds the app's own params, which reach the policy", async () => {
    const policy = recordingPolicy();
    const handler = handlerWith({ policy, validators: [body('device').isIn(['web', 'ios']).withMessage('device must be web or ios')] });
    expect((await handler.handle(parsedPost({ room: 'lobby', device: 'ios' }))).status).toBe(200);
    expect(paramsSeenBy(policy)).toEqual({ room: 'lobby', device: 'ios' });
    const invalid = await handler.handle(parsedPost({ device: 'fax' }));
    expect(errorCodeOf(invalid)).toEqual([400, 'BAD_REQUEST']);
    expect(bodyOf(invalid).error.details).toEqual([{ type: 'field', location: 'body', path: 'device', value: 'fax', msg: 'device must be web or ios' }]);
  });

  it('an unknown param is 400 BAD_REQUEST naming it, with express-validator unknown_fields details', async () => {
    const response = await handlerWith().handle(parsedPost({ room: 'lobby', admin: true }));
    expect(response.status).toBe(400);
    const { error } = bodyOf(response);
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('"admin"');
    expect(error.details).toEqual([
      { type: 'unknown_fields', msg: expect.stringContaining('"admin"'), fields: [{ path: 'admin', location: 'body', value: true }] },
    ]);
  });
});

describe('origin checks', () => {
  const handler = handlerWith({ allowedOrigins: ['https://app.example'] });
  const withHeaders = (headers: Record<string, string>) => parsedPost({}, { headers: { 'content-type': 'application/json', ...headers } });

  it('an allowed origin, or no origin at all, gets a token', async () => {
    expect((await handler.handle(withHeaders({ origin: 'https://app.example' }))).status).toBe(200);
    expect((await handler.handle(withHeaders({}))).status).toBe(200);
  });

  it('another origin, or Sec-Fetch-Site cross-site, is 403 ORIGIN_NOT_ALLOWED', async () => {
    expect(errorCodeOf(await handler.handle(withHeaders({ origin: 'https://evil.example' })))).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    expect(errorCodeOf(await handler.handle(withHeaders({ 'sec-fetch-site': 'cross-site' })))).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
  });
});

it('every answer, success or error, carries no-store, JSON and nosniff', async () => {
  const handler = handlerWith();
  const responses = await Promise.all([
    handler.handle(parsedPost({})),
    handler.handle(parsedPost({}, { user: null })),
    handler.handle(parsedPost({ admin: 1 })),
    handler.handle({ ...parsedPost({}), method: 'DELETE' }),
    handler.handle(streamedPost('x', { 'content-type': 'text/plain' })),
    handlerWith({ policy: () => Promise.reject(new Error('x')) }).handle(parsedPost({})),
  ]);
  expect(responses.map((response) => response.status)).toEqual([200, 401, 400, 405, 415, 500]);
  for (const response of responses) {
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
    });
  }
});

describe('the shortcut past express-validator for a valid room', () => {
  // A route without app validators skips express-validator when the params are only a valid room.
  // An app validator for an unrelated param forces the express-validator path: both must agree.
  const rooms: unknown[] = [
    'lobby',
    'r',
    'x'.repeat(128),
    'x'.repeat(129),
    '',
    '\uFE0F',
    `${'😀'.repeat(64)}`,
    `${'😀'.repeat(65)}`,
    ' spaced room ',
    42,
    null,
    true,
    ['lobby'],
    { name: 'lobby' },
  ];

  it.each(rooms.map((room) => [JSON.stringify(room), room]))('gives the same answer with and without express-validator for room %s', async (_name, room) => {
    const outcomes = [];
    for (const validators of [[], [body('unused').optional()]]) {
      const policy = recordingPolicy();
      const response = await handlerWith({ policy, validators }).handle(parsedPost({ room }));
      outcomes.push({ status: response.status, error: bodyOf(response).error, params: policy.mock.calls[0]?.[0].params });
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
  });

  // Without app validators, unknown params are refused by grantor itself: the answer must be express-validator's.
  const paramSets: Record<string, unknown>[] = [
    { device: 'ios' },
    { room: 'lobby', a: 1, b: { c: [1] } },
    { room: 5, extra: null },
    { nested: { deep: { x: 1 } } },
  ];
  it.each(paramSets.map((params) => [JSON.stringify(params), params]))('refuses unknown params as express-validator does: %s', async (_name, params) => {
    const outcomes = [];
    for (const validators of [[], [body('unused').optional()]]) {
      const response = await handlerWith({ policy: recordingPolicy(), validators }).handle(parsedPost(params));
      outcomes.push({ status: response.status, error: bodyOf(response).error });
    }
    expect(outcomes[0]!.status).toBe(400);
    expect(outcomes[0]).toEqual(outcomes[1]);
  });

  it('answers the same with no params at all', async () => {
    const answers = [];
    for (const validators of [[], [body('unused').optional()]]) {
      const policy = recordingPolicy();
      await handlerWith({ policy, validators }).handle(parsedPost({}));
      answers.push(paramsSeenBy(policy));
    }
    expect(answers).toEqual([{}, {}]);
  });
});

describe('failures in app code and odd input are answered, never crash or mint', () => {
  it('a getUser that throws answers 500 through onError, with the generic body', async () => {
    const onError = vi.fn();
    const response = await handlerWith({ onError }).handle(parsedPost({}, { user: undefined, getUser: () => Promise.reject(new Error('session store down')) }));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toContain('session store down');
    expect(onError).toHaveBeenCalledOnce();
  });

  it('getUser returning nobody answers 401', async () => {
    const response = await handlerWith().handle(parsedPost({}, { user: undefined, getUser: async () => null }));
    expect(errorCodeOf(response)).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('an identity() that returns nothing is a 500, never a token for the identity "undefined"', async () => {
    const onError = vi.fn();
    const response = await handlerWith({ onError, identity: () => undefined as unknown as string }).handle(parsedPost({}));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'INVALID_IDENTITY' });
  });

  it.each([Number.NaN, 1.5])('a user id of %s is not an identity', async (id) => {
    const response = await handlerWith().handle(parsedPost({}, { user: { id: id as unknown as string, name: 'x' } }));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
  });

  it('an async onError that rejects does not crash the process', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const onError = () => Promise.reject(new Error('log sink down'));
      const response = await handlerWith({
        onError,
        policy: () => {
          throw new Error('boom');
        },
      }).handle(parsedPost({}));
      expect(response.status).toBe(500);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', '__proto__'])('a param named %s is an unknown param (400)', async (name) => {
    const response = await handlerWith().handle(streamedPost(`{"room":"lobby","${name}":1}`));
    expect(errorCodeOf(response)).toEqual([400, 'BAD_REQUEST']);
    expect(bodyOf(response).error.details[0]).toMatchObject({ type: 'unknown_fields', fields: [{ path: name, location: 'body' }] });
  });

  it('every room the route accepts is one the Video grant accepts: 200 or 400, never 500', async () => {
    const useRoom = ({ params }: PolicyContext<User, FrameworkRequest>) => ({ grants: { video: { room: params.room as string } } });
    for (const room of ['😀'.repeat(64), '😀'.repeat(65), 'x'.repeat(128), 'x'.repeat(129), '\uFE0F']) {
      for (const validators of [[], [body('unused').optional()]]) {
        const response = await handlerWith({ policy: useRoom, validators }).handle(parsedPost({ room }));
        expect([200, 400]).toContain(response.status);
      }
    }
  });
});

describe('a JSON null body', () => {
  it('is not an object: 400, streamed or already parsed', async () => {
    expect(errorCodeOf(await handlerWith().handle(streamedPost('null')))).toEqual([400, 'BAD_REQUEST']);
    expect(errorCodeOf(await handlerWith().handle(parsedPost(null)))).toEqual([400, 'BAD_REQUEST']);
  });
});

describe('isAllowedOrigin', () => {
  const from = (headers: Record<string, string>) => (name: string) => headers[name];
  const allowed = ['https://app.example'];
  it('allows listed origins and requests without an Origin, refuses others and cross-site fetches', () => {
    expect(isAllowedOrigin(from({ origin: 'https://app.example' }), allowed)).toBe(true);
    expect(isAllowedOrigin(from({}), allowed)).toBe(true);
    expect(isAllowedOrigin(from({ origin: '' }), allowed)).toBe(true);
    expect(isAllowedOrigin(from({ origin: 'https://evil.example' }), allowed)).toBe(false);
    expect(isAllowedOrigin(from({ origin: 'null' }), allowed)).toBe(false);
    expect(isAllowedOrigin(from({ 'sec-fetch-site': 'cross-site' }), allowed)).toBe(false);
    // Without allowedOrigins an Origin must name the request's Host: with none, nothing says it is the request's own.
    expect(isAllowedOrigin(from({ origin: 'https://evil.example' }), undefined)).toBe(false);
    expect(isAllowedOrigin(from({ origin: 'https://app.example', host: 'app.example' }), undefined)).toBe(true);
  });
});

describe('hostile bodies', () => {
  it.each(['{"__proto__":null}', '{"toString":null}', '{"constructor":null}', '{"toLocaleString":{"__proto__":null}}', '{"valueOf":{}}'])(
    '%s is 400 BAD_REQUEST naming the param, streamed or already parsed',
    async (text) => {
      const onError = vi.fn();
      for (const request of [streamedPost(text), parsedPost(JSON.parse(text))]) {
        const response = await handlerWith({ onError, validators: [body('device').optional()] }).handle(request);
        expect(errorCodeOf(response)).toEqual([400, 'BAD_REQUEST']);
        expect(bodyOf(response).error.details[0].type).toBe('unknown_fields');
      }
      expect(onError).not.toHaveBeenCalled();
    },
  );

  it('a reserved name nested inside a param is refused with its path', async () => {
    const response = await handlerWith({ validators: [body('device').optional()] }).handle(streamedPost('{"device":{"os":{"__proto__":null}}}'));
    expect(errorCodeOf(response)).toEqual([400, 'BAD_REQUEST']);
    expect(bodyOf(response).error.details[0].fields).toEqual([{ path: 'device.os.__proto__', location: 'body' }]);
  });

  it('a body nested deeper than 20 levels is 400, however it arrives', async () => {
    const deep = `${'{"a":'.repeat(30)}1${'}'.repeat(30)}`;
    expect(errorCodeOf(await handlerWith().handle(streamedPost(deep)))).toEqual([400, 'BAD_REQUEST']);
    expect(bodyOf(await handlerWith().handle(parsedPost(JSON.parse(deep)))).error.message).toContain('nested more than 20 levels');
  });

  it('so deep that serialising it would overflow the stack: still 400, never a RangeError 500', async () => {
    const onError = vi.fn();
    const abyss = JSON.parse(`{"room":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    expect(errorCodeOf(await handlerWith({ onError, bodyLimit: 1_000_000 }).handle(parsedPost(abyss)))).toEqual([400, 'BAD_REQUEST']);
    expect(onError).not.toHaveBeenCalled();
  });

  it('a client that disconnects mid-body is REQUEST_ABORTED (400), audited as denied, never an onError 500', async () => {
    const onError = vi.fn();
    const onDenied = vi.fn();
    async function* aborted(): AsyncIterable<Uint8Array> {
      yield Buffer.from('{"room":');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    const response = await handlerWith({ onError, onDenied }).handle(parsedPost(undefined, { body: { stream: aborted() } }));
    expect(errorCodeOf(response)).toEqual([400, 'REQUEST_ABORTED']);
    expect(onError).not.toHaveBeenCalled();
    expect(onDenied).toHaveBeenCalledWith(expect.objectContaining({ code: 'REQUEST_ABORTED', identity: 'u1' }));
  });
});

describe('errors that middleware before the route raised (handleMiddlewareError)', () => {
  const httpError = (status: number, message: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...extra });

  it.each([
    [
      "body-parser's invalid JSON, with the text it read",
      httpError(400, 'Unexpected end of JSON input', { type: 'entity.parse.failed', body: '{"room":' }),
      400,
      'BAD_REQUEST',
      'The request body is not valid JSON.',
    ],
    [
      "body-parser's invalid JSON, without the text",
      httpError(400, 'Unexpected token } in JSON at position 9', { type: 'entity.parse.failed' }),
      400,
      'BAD_REQUEST',
      'The request body is not valid JSON.',
    ],
    [
      "strict body-parser's refusal of valid JSON that is not an object",
      httpError(400, 'Unexpected token n in JSON at position 0', { type: 'entity.parse.failed', body: 'null' }),
      400,
      'BAD_REQUEST',
      'The request body must be a JSON object, e.g. {"room":"lobby"}.',
    ],
    [
      "body-parser's too-large body",
      httpError(413, 'request entity too large', { type: 'entity.too.large', limit: 102400 }),
      413,
      'PAYLOAD_TOO_LARGE',
      'The request body is larger than 102400 bytes.',
    ],
    ["body-parser's aborted request", httpError(400, 'request aborted', { type: 'request.aborted' }), 400, 'REQUEST_ABORTED', undefined],
    [
      "body-parser's unsupported charset",
      httpError(415, 'unsupported charset "LATIN-9"', { type: 'charset.unsupported' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      undefined,
    ],
    [
      "csurf's refusal",
      httpError(403, 'invalid csrf token', { code: 'EBADCSRFTOKEN' }),
      403,
      'FORBIDDEN',
      'Refused before the token route ran: invalid csrf token',
    ],
  ])('%s becomes the route JSON answer', async (_, error, status, code, message) => {
    const onDenied = vi.fn();
    const response = await handlerWith({ onDenied }).handleMiddlewareError(error, parsedPost(undefined));
    expect(response && errorCodeOf(response)).toEqual([status, code]);
    expect(response!.headers['cache-control']).toBe('no-store');
    if (message) expect(bodyOf(response!).error.message).toBe(message);
    expect(response!.body).not.toContain('at position');
    expect(onDenied).toHaveBeenCalledWith(expect.objectContaining({ code, identity: undefined }));
  });

  it.each([
    ['a server error', httpError(500, 'database down')],
    ['a client error not meant for the client', httpError(400, 'secret detail', { expose: false })],
    ['a status the route never answers', httpError(429, 'too many requests')],
    ['a plain Error', new Error('boom')],
    ['a string', 'boom'],
  ])("%s stays the app error handler's (undefined)", async (_, error) => {
    expect(await handlerWith().handleMiddlewareError(error, parsedPost(undefined))).toBeUndefined();
  });
});

describe('users without an id (as next-auth session users are)', () => {
  it('onError gets a message that names the keys the user has and the fix, never their values', async () => {
    const onError = vi.fn();
    await handlerWith({ onError }).handle(parsedPost({}, { user: { name: 'Alice Example', email: 'alice@example.com', image: null } as never }));
    const { code, message } = onError.mock.calls[0]![0];
    expect(code).toBe('INVALID_OPTIONS');
    expect(message).toContain('(it has name, email, image)');
    expect(message).toContain('identity(user)');
    expect(message).toContain('session.user.id = token.sub');
    expect(message).not.toContain('alice@example.com');
  });

  it('the types require identity when the user type has no id, and not when it has one or is unknown', () => {
    const policy = allowVideo;
    // @ts-expect-error next-auth's session user has no id: identity is required.
    createTokenHandler<{ name?: string | null; email?: string | null }>({ credentials, policy });
    createTokenHandler<{ name?: string | null; email?: string | null }>({ credentials, policy, identity: (user) => user.email! });
    createTokenHandler<{ id: number }>({ credentials, policy });
    createTokenHandler({ credentials, policy });
    expect(() => createTokenHandler({ credentials, policy, identity: 'email' as never })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});

describe('credentials checked on the first request (a build that imports the route has no secrets)', () => {
  const unset = { accountSid: undefined as unknown as string, keys: { sid: undefined as unknown as string, secret: undefined as unknown as string } };
  const deniedBy = (credentials: Options['credentials']) => {
    const onError = vi.fn();
    return { onError, handler: handlerWith({ credentials, onError }) };
  };

  it('creation succeeds; every request answers 500 with the cause in onError, naming every missing value and its usual variable', async () => {
    const { handler, onError } = deniedBy(unset);
    for (let request = 0; request < 2; request++) expect(errorCodeOf(await handler.handle(parsedPost({})))).toEqual([500, 'INTERNAL_ERROR']);
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'INVALID_ACCOUNT_SID' });
    expect(onError.mock.calls[0]![0].message).toMatch(
      /^accountSid, keys.sid and keys.secret are missing: .*process\.env\.TWILIO_ACCOUNT_SID, process\.env\.TWILIO_API_KEY_SID and process\.env\.TWILIO_API_KEY_SECRET/,
    );
    expect(onError.mock.calls[0]![1]).toBe(frameworkRequest);
  });

  it.each([
    [
      'a missing secret',
      { accountSid: ACCOUNT_SID, keys: { sid: KEY.sid, secret: undefined as unknown as string } },
      'INVALID_API_KEY_SECRET',
      /^The secret for API key SK\w+ \(keys.secret\) is missing \(got undefined\).*TWILIO_API_KEY_SECRET/,
    ],
    [
      'no key SID',
      { accountSid: ACCOUNT_SID, keys: { sid: '', secret: undefined as unknown as string } },
      'INVALID_API_KEY_SID',
      /^keys.sid and keys.secret are missing/,
    ],
    ['a malformed Account SID', { accountSid: 'AC123', keys: KEY }, 'INVALID_ACCOUNT_SID', /^accountSid must be/],
  ])('%s: 500, and onError says which', async (_, credentials, code, message) => {
    const { handler, onError } = deniedBy(credentials);
    const response = await handler.handle(parsedPost({}));
    expect(errorCodeOf(response)).toEqual([500, 'INTERNAL_ERROR']);
    expectNoSecretIn(response.body);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('createSigner(credentials) is the check at start-up, for apps that want to fail there', () => {
    expectTokenError(() => handlerWith({ credentials: undefined, signer: createSigner(unset) }), 'INVALID_ACCOUNT_SID', 20103);
  });
});

describe('what grantor reads itself is plain UTF-8 JSON', () => {
  it.each(['gzip', 'br', 'deflate', 'x-garbage'])('Content-Encoding %s is 415, never a token from undecoded bytes', async (encoding) => {
    const response = await handlerWith().handle(streamedPost('{"room":"a"}', { 'content-type': 'application/json', 'content-encoding': encoding }));
    expect(errorCodeOf(response)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('Content-Encoding identity is plain', async () => {
    const response = await handlerWith().handle(streamedPost('{"room":"a"}', { 'content-type': 'application/json', 'content-encoding': 'identity' }));
    expect(response.status).toBe(200);
  });

  it.each(['iso-8859-1', 'utf-16le', '"latin1"'])('charset %s is 415; utf-8 passes', async (charset) => {
    const response = await handlerWith().handle(streamedPost('{"room":"a"}', { 'content-type': `application/json; charset=${charset}` }));
    expect(errorCodeOf(response)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await handlerWith().handle(streamedPost('{"room":"a"}', { 'content-type': 'application/json; charset=UTF-8' }))).status).toBe(200);
  });

  it('bytes that are not UTF-8 are 400, never a room with U+FFFD in it', async () => {
    async function* latin1(): AsyncIterable<Uint8Array> {
      yield Buffer.from('{"room":"st\xe9"}', 'latin1');
    }
    const response = await handlerWith().handle(parsedPost(undefined, { body: { stream: latin1() } }));
    expect(errorCodeOf(response)).toEqual([400, 'BAD_REQUEST']);
    expect(bodyOf(response).error.message).toBe('The request body is not valid UTF-8.');
  });

  it("a parsed body without Content-Length (chunked) over bodyLimit is 413, as the parser's limit does not hold it to the route's", async () => {
    const response = await handlerWith({ bodyLimit: 64 }).handle(parsedPost({ room: 'x'.repeat(100) }));
    expect(errorCodeOf(response)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await handlerWith({ bodyLimit: 64 }).handle(parsedPost({ room: 'x'.repeat(10) }))).status).toBe(200);
  });
});

describe('rateLimit', () => {
  const post = (user: User = alice) => parsedPost({}, { user });

  it('{ points, duration } allows points tokens per identity, then 429 RATE_LIMITED with Retry-After and the IETF headers', async () => {
    const onDenied = vi.fn();
    const handler = handlerWith({ rateLimit: { points: 2, duration: 60 }, onDenied });
    const first = await handler.handle(post());
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({ 'ratelimit-policy': '2;w=60', ratelimit: 'limit=2, remaining=1, reset=60' });
    expect((await handler.handle(post())).headers.ratelimit).toBe('limit=2, remaining=0, reset=60');
    const limited = await handler.handle(post());
    expect(errorCodeOf(limited)).toEqual([429, 'RATE_LIMITED']);
    expect(limited.headers).toMatchObject({
      'retry-after': '60',
      'cache-control': 'no-store',
      'ratelimit-policy': '2;w=60',
      ratelimit: 'limit=2, remaining=0, reset=60',
    });
    expect(onDenied).toHaveBeenLastCalledWith(expect.objectContaining({ code: 'RATE_LIMITED', status: 429, identity: 'u1' }));
    expect((await handler.handle(post({ id: 'u2', name: 'Bob' }))).status).toBe(200);
  });

  it('401, 403 and 400 answers are not counted', async () => {
    const handler = handlerWith({ rateLimit: { points: 1, duration: 60 }, policy: ({ params }) => (params.room === 'no' ? false : allowVideo()) });
    expect((await handler.handle(parsedPost({ room: 'no' }))).status).toBe(403);
    expect((await handler.handle(parsedPost({ room: 5 }))).status).toBe(400);
    expect((await handler.handle(parsedPost({}, { user: null as never }))).status).toBe(401);
    expect((await handler.handle(post())).status).toBe(200);
    expect((await handler.handle(post())).status).toBe(429);
  });

  it('a limiter whose store fails answers 503 RATE_LIMIT_UNAVAILABLE (Retry-After: 1); the cause goes to onError, never to the client', async () => {
    const onError = vi.fn();
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const failing = { points: 5, duration: 60, consume: () => Promise.reject(cause) };
    const response = await handlerWith({ rateLimit: failing, onError }).handle(post());
    expect(errorCodeOf(response)).toEqual([503, 'RATE_LIMIT_UNAVAILABLE']);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(onError).toHaveBeenCalledWith(cause, frameworkRequest);
  });

  it('a store that does not answer within 2 s is a failed store, not a hung request', async () => {
    const onError = vi.fn();
    const silent = { points: 5, duration: 60, consume: () => new Promise<never>(() => {}) };
    const response = await handlerWith({ rateLimit: silent, onError }).handle(post());
    expect(errorCodeOf(response)).toEqual([503, 'RATE_LIMIT_UNAVAILABLE']);
    expect(String(onError.mock.calls[0]![0])).toContain('did not answer within 2000 ms');
  });

  it.each([{ points: 0, duration: 60 }, { points: 2 }, { points: 1.5, duration: 60 }, 'redis', { consume: () => Promise.resolve() }])(
    'refuses rateLimit %j at creation',
    (rateLimit) => {
      expectTokenError(() => handlerWith({ rateLimit: rateLimit as never }), 'INVALID_OPTIONS', undefined);
    },
  );
});

describe("rateLimit's whenStoreFails (issue 12)", () => {
  const cause = new Error("Stream isn't writeable and enableOfflineQueue options is false");
  const failingStore = { points: 2, duration: 60, consume: () => Promise.reject(cause) };

  it("'memory' counts in this process while the store fails, and every store error reaches onError with the request", async () => {
    const onError = vi.fn();
    const handler = handlerWith({ rateLimit: { limiter: failingStore, whenStoreFails: 'memory' }, onError });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await handler.handle(parsedPost({}))).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError).toHaveBeenCalledWith(cause, frameworkRequest);
  });

  it("'fail-closed' (the default) answers 503", async () => {
    const response = await handlerWith({ rateLimit: { limiter: failingStore } }).handle(parsedPost({}));
    expect(errorCodeOf(response)).toEqual([503, 'RATE_LIMIT_UNAVAILABLE']);
    expect(errorCodeOf(await handlerWith({ rateLimit: { limiter: failingStore, whenStoreFails: 'fail-closed' } }).handle(parsedPost({})))).toEqual([
      503,
      'RATE_LIMIT_UNAVAILABLE',
    ]);
  });

  it('without onError, the log line says what the route answered: 503 with its code, or a token counted in memory', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const closed = await handlerWith({ onError: undefined, rateLimit: { limiter: failingStore } }).handle(parsedPost({}));
    expect(errorCodeOf(closed)).toEqual([503, 'RATE_LIMIT_UNAVAILABLE']);
    expect(log.mock.calls.map((call) => call.join(' '))).toEqual([`[grantor] token request failed with 503 (RATE_LIMIT_UNAVAILABLE). Error: ${cause.message}`]);
    log.mockClear();
    const covered = await handlerWith({ onError: undefined, rateLimit: { limiter: failingStore, whenStoreFails: 'memory' } }).handle(parsedPost({}));
    expect(covered.status).toBe(200);
    expect(log.mock.calls.map((call) => call.join(' '))).toEqual([
      `[grantor] the rate limit store failed; this token was counted in memory. Error: ${cause.message}`,
    ]);
  });

  it('refuses an unknown whenStoreFails', () => {
    expectTokenError(() => handlerWith({ rateLimit: { limiter: failingStore, whenStoreFails: 'open' as never } }), 'INVALID_OPTIONS', undefined);
  });
});

describe('secure by default', () => {
  /** A POST as a browser, curl or a native app sends it to https://api.example. */
  const post = (headers: Record<string, string>, body: TokenRequest<User, FrameworkRequest>['body'] = undefined): TokenRequest<User, FrameworkRequest> => ({
    method: 'POST',
    headers: { host: 'api.example', ...headers },
    user: alice,
    body,
    request: frameworkRequest,
  });
  const json = { 'content-type': 'application/json' };
  const empty = (): TokenRequest['body'] => ({ stream: chunksOf('') });

  it("a cross-site POST with no body and no Content-Type (fetch mode 'no-cors') gets no token with the default options", async () => {
    const policy = recordingPolicy();
    const onIssued = vi.fn();
    const handler = handlerWith({ policy, onIssued });
    const noCors = post({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, empty());
    expect(errorCodeOf(await handler.handle(noCors))).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    // The same request from a browser that sends no Fetch Metadata.
    expect(errorCodeOf(await handler.handle(post({ origin: 'https://evil.example' }, empty())))).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    expect(policy).not.toHaveBeenCalled();
    expect(onIssued).not.toHaveBeenCalled();
  });

  it.each(['cross-site', 'same-site', 'Cross-Site'])(
    'without allowedOrigins, Sec-Fetch-Site %s is 403 ORIGIN_NOT_ALLOWED, even with a JSON body',
    async (site) => {
      const response = await handlerWith().handle(post({ ...json, 'sec-fetch-site': site, origin: 'https://app.example' }, { parsed: {} }));
      expect(errorCodeOf(response)).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    },
  );

  it('without allowedOrigins, same-origin requests, requests without Origin (curl, servers, native apps) and an Origin naming the Host pass', async () => {
    const handler = handlerWith();
    const passing = [
      post({ ...json, 'sec-fetch-site': 'same-origin', origin: 'https://api.example' }, { parsed: {} }),
      // Behind a proxy that rewrote Host, the browser's Fetch Metadata still says same-origin.
      post({ ...json, 'sec-fetch-site': 'same-origin', origin: 'http://localhost:5173' }, { parsed: {} }),
      post({ ...json, 'sec-fetch-site': 'none' }, { parsed: {} }),
      post(json, { parsed: {} }),
      post({ ...json, origin: 'https://api.example' }, { parsed: {} }),
      post({ ...json, origin: '' }, { parsed: {} }),
    ];
    for (const request of passing) expect((await handler.handle(request)).status, JSON.stringify(request.headers)).toBe(200);
  });

  it('without allowedOrigins and Sec-Fetch-Site, an Origin whose host is not the Host is 403 (older browsers)', async () => {
    const handler = handlerWith();
    for (const origin of ['https://evil.example', 'https://api.example.evil.example', 'https://api.example:8443', 'null']) {
      expect(errorCodeOf(await handler.handle(post({ ...json, origin }, { parsed: {} }))), origin).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    }
  });

  it("without Sec-Fetch-Site, an Origin with no Host is 403: nothing says it is the request's own", async () => {
    const handler = handlerWith();
    const request = post({ ...json, origin: 'https://evil.example' }, { parsed: {} });
    request.headers = { ...request.headers, host: undefined };
    expect(errorCodeOf(await handler.handle(request))).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    // Without an Origin (curl, servers, native apps) no Host is needed; HTTP/2's :authority is its Host.
    expect((await handler.handle({ ...post(json, { parsed: {} }), headers: { ...json, host: undefined } })).status).toBe(200);
    const http2 = {
      ...post({ ...json, origin: 'https://api.example' }, { parsed: {} }),
      headers: { ...json, origin: 'https://api.example', ':authority': 'api.example' },
    };
    expect((await handler.handle(http2)).status).toBe(200);
  });

  it('a Host that is not a valid host and port is 400, before the user is looked up (RFC 9112 §3.2); valid ones pass', async () => {
    const getUser = vi.fn(() => alice);
    const handler = handlerWith();
    const withHost = (host: string, headers: Record<string, string> = json) => ({
      ...post(headers, { parsed: {} }),
      user: undefined,
      getUser,
      headers: { ...headers, host },
    });
    for (const host of ['', ' ', 'a b', 'exa\tmple.com', 'host:99999', ':80', '[x]', '[::1', 'a@b', '%', 'example.com:80/path', 'a?b', 'a#b', 'a\\b', 'a<b']) {
      const response = await handler.handle(withHost(host));
      expect(errorCodeOf(response), JSON.stringify(host)).toEqual([400, 'BAD_REQUEST']);
      expect(bodyOf(response).error.message).toBe('The Host header is not a valid host and port.');
      expect(response.headers['cache-control']).toBe('no-store');
      // From a browser on the app's page too: the Host is refused before the origin rule compares it.
      expect(errorCodeOf(await handler.handle(withHost(host, { ...json, origin: 'https://api.example' }))), JSON.stringify(host)).toEqual([400, 'BAD_REQUEST']);
    }
    expect(getUser).not.toHaveBeenCalled();
    for (const host of [
      'api.example',
      'API.example:8443',
      'localhost:3000',
      '127.0.0.1',
      '[::1]:3000',
      'xn--xmple-rqa.com',
      '\u00e9xample.com',
      ' api.example ',
    ]) {
      expect((await handler.handle(withHost(host))).status, JSON.stringify(host)).toBe(200);
    }
    // The method comes first.
    expect(errorCodeOf(await handler.handle({ ...withHost('a b'), method: 'PUT' }))).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });

  it('allowedOrigins is the opt-in for cross-site use: a listed Origin passes whatever Sec-Fetch-Site says, others are refused', async () => {
    const handler = handlerWith({ allowedOrigins: ['https://partner.example'] });
    const listed = post({ ...json, origin: 'https://partner.example', 'sec-fetch-site': 'cross-site' }, { parsed: {} });
    expect((await handler.handle(listed)).status).toBe(200);
    expect(errorCodeOf(await handler.handle(post({ ...json, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, { parsed: {} })))).toEqual([
      403,
      'ORIGIN_NOT_ALLOWED',
    ]);
    expect(errorCodeOf(await handler.handle(post({ ...json, 'sec-fetch-site': 'cross-site' }, { parsed: {} })))).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    expect((await handler.handle(post({ ...json, origin: 'https://api.example', 'sec-fetch-site': 'same-origin' }, { parsed: {} }))).status).toBe(200);
    expect((await handler.handle(post(json, { parsed: {} }))).status).toBe(200);
  });

  it('every POST must be application/json, an empty body included: no Content-Type is 415 naming the header to send', async () => {
    const response = await handlerWith().handle(post({}, empty()));
    expect(errorCodeOf(response)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(bodyOf(response).error.message).toMatch(/Content-Type: application\/json/);
    expect(errorCodeOf(await handlerWith().handle(post({})))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await handlerWith().handle(post(json, empty()))).status).toBe(200);
    expect((await handlerWith().handle(post(json))).status).toBe(200);
  });

  it('a POST without Content-Type is 415 whatever its bytes: not UTF-8, or gzip', async () => {
    async function* bytes(data: Uint8Array): AsyncIterable<Uint8Array> {
      yield data;
    }
    const { gzipSync } = await import('node:zlib');
    for (const data of [Buffer.from('{"room":"st\xe9"}', 'latin1'), gzipSync('{"room":"a"}')]) {
      expect(errorCodeOf(await handlerWith().handle(post({}, { stream: bytes(data) })))).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
  });

  it.each(['application/vnd.api+json', 'application/ld+json', 'application/merge-patch+json'])(
    '%s is 415: the route takes application/json only',
    async (type) => {
      expect(errorCodeOf(await handlerWith().handle(post({ 'content-type': type }, { stream: chunksOf('{"room":"a"}') })))).toEqual([
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ]);
    },
  );

  it('isAllowedOrigin without a list is the default rule', () => {
    const from = (headers: Record<string, string>) => (name: string) => ({ host: 'api.example', ...headers })[name];
    expect(isAllowedOrigin(from({ origin: 'https://evil.example' }), undefined)).toBe(false);
    expect(isAllowedOrigin(from({ 'sec-fetch-site': 'cross-site' }), undefined)).toBe(false);
    expect(isAllowedOrigin(from({ origin: 'https://api.example' }), undefined)).toBe(true);
    expect(isAllowedOrigin(from({}), undefined)).toBe(true);
  });
});

describe('parsed params are measured against bodyLimit whenever the body arrived parsed', () => {
  it('a gzip body an app-wide parser inflated is 413 when its params are longer than bodyLimit, whatever its Content-Length', async () => {
    const { gzipSync } = await import('node:zlib');
    const params = { room: 'lobby', pad: 'x'.repeat(20_000) };
    const compressed = gzipSync(JSON.stringify(params));
    expect(compressed.length).toBeLessThan(8192);
    const request = parsedPost(params, {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(compressed.length) },
    });
    expect(errorCodeOf(await handlerWith().handle(request))).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('untrusted names in messages are quoted', () => {
  it("an unknown param's name reaches onDenied's reason and the answer escaped: no newline, no escape sequence", async () => {
    const onDenied = vi.fn();
    const name = 'x\n[grantor] token issued to admin\u001b[2K\u2028';
    const response = await handlerWith({ onDenied }).handle(parsedPost({ [name]: 1 }));
    expect(errorCodeOf(response)).toEqual([400, 'BAD_REQUEST']);
    const { reason } = onDenied.mock.calls[0]![0];
    expect(reason).toContain('"x\\n[grantor] token issued to admin\\u001b[2K\\u2028"');
    expect(reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(bodyOf(response).error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    // The details keep the name as sent: they are data, not a line of text.
    expect(bodyOf(response).error.details[0].fields[0].path).toBe(name);
  });

  it('a reserved name at depth is quoted the same way', async () => {
    const onDenied = vi.fn();
    await handlerWith({ onDenied }).handle(parsedPost({ 'a\u001b]0;x\u0007': { __proto__: null, constructor: 1 } }));
    expect(onDenied.mock.calls[0]![0].reason).not.toMatch(/[\u0000-\u001f]/);
  });
});
