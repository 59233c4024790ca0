/** createFetchHandler: the framework's context reaches getUser, and a route made per request is reported. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFetchHandler, type FetchTokenRoute, type PolicyContext, verifyAccessToken } from '@grantor/core';
import { ACCOUNT_SID, KEY } from './support.js';

interface User {
  id: string;
}
/** A framework's per-request context, as SvelteKit's RequestEvent or Astro's APIContext carry one. */
interface Event {
  locals: { user?: User };
}

const credentials = { accountSid: ACCOUNT_SID, keys: KEY };
const allowVideo = () => ({ grants: { video: { room: 'lobby' } } });
const post = (body = '{}') => new Request('http://app.test/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

afterEach(() => vi.restoreAllMocks());

describe('the second argument reaches getUser', () => {
  it('getUser(request, context) reads the user where the framework put it; the policy gets the Request', async () => {
    const getUser = vi.fn((_request: Request, event: Event) => event.locals.user);
    const policy = vi.fn((_context: PolicyContext<User, Request>) => allowVideo());
    const route = createFetchHandler({ credentials, policy, getUser });
    const request = post('{"identity":"mallory"}');
    const event: Event = { locals: { user: { id: 'alice' } } };

    const response = await route(request, event);

    expect(response.status).toBe(200);
    expect(getUser).toHaveBeenCalledWith(request, event);
    expect(policy.mock.calls[0]![0].request).toBe(request);
    const { token } = await response.json();
    expect(verifyAccessToken(token, credentials).claims.grants!.identity).toBe('alice');
    expect((await route(post(), { locals: {} })).status).toBe(401);
  });

  it('the types: a typed context is required and checked; an untyped one is optional', () => {
    const typed: FetchTokenRoute<Event> = createFetchHandler({ credentials, policy: allowVideo, getUser: (_request, event: Event) => event.locals.user });
    // @ts-expect-error getUser reads the context: the route needs it.
    void (() => typed(post()));
    // @ts-expect-error not the context getUser takes.
    void (() => typed(post(), { session: {} }));
    const untyped = createFetchHandler({ credentials, policy: allowVideo, getUser: () => ({ id: 'alice' }) });
    void (() => [untyped(post()), untyped(post(), { anything: true })]);
    const optional = createFetchHandler({ credentials, policy: allowVideo, getUser: (_request, event?: Event) => event?.locals.user });
    void (() => optional(post()));
    expect(typeof typed).toBe('function');
  });
});

describe('a route created for each request warns once (its rateLimit would count from zero each time)', () => {
  // One process-wide warning: this file's tests run in order, the ones that must not warn first.
  const warnings = () => vi.mocked(console.warn).mock.calls.filter(([message]) => String(message).startsWith('[grantor]'));
  const user = () => ({ id: 'alice' });

  it('a route created once and used many times does not warn', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const route = createFetchHandler({ credentials, policy: allowVideo, getUser: user, rateLimit: { points: 3, duration: 60 } });
    const statuses = [];
    for (let request = 0; request < 5; request++) statuses.push((await route(post())).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(warnings()).toEqual([]);
  });

  it('re-created after several requests each (a hot reload), or from different places, it does not warn', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (let reload = 0; reload < 4; reload++) {
      const route = createFetchHandler({ credentials, policy: allowVideo, getUser: user });
      await route(post());
      await route(post());
    }
    const first = createFetchHandler({ credentials, policy: allowVideo, getUser: user });
    await first(post());
    const second = createFetchHandler({ credentials, policy: allowVideo, getUser: user });
    await second(post());
    const third = createFetchHandler({ credentials, policy: allowVideo, getUser: user });
    await third(post());
    expect(warnings()).toEqual([]);
  });

  it('created inside the request handler: the limit does not hold, and the third request warns, once', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The mistake the second argument makes unnecessary: building the route where the context is.
    const POST = (event: { request: Request; locals: { user: User } }) =>
      createFetchHandler({ credentials, policy: allowVideo, getUser: () => event.locals.user, rateLimit: { points: 3, duration: 60 } })(event.request);
    const statuses = [];
    for (let request = 0; request < 6; request++) {
      statuses.push((await POST({ request: post(), locals: { user: { id: 'alice' } } })).status);
      expect(warnings()).toHaveLength(request < 2 ? 0 : 1);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(warnings()[0]![0]).toContain('route(request, context)');
  });
});
