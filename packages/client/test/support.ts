/** Fakes for the token source tests: a token route, SDK-shaped emitters, and a browser origin's tabs. */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export const HOUR = 3600;
/** The source's floor: no refresh it was not forced to make within this many ms of the last request. */
export const FLOOR_MS = 5000;

/** What the route answers on success: a numbered token valid for `ttl` seconds from now. */
export function tokenBody(serial: number | string, ttl = HOUR) {
  return { token: `jwt-${serial}`, identity: 'alice', expiresAt: new Date(Date.now() + ttl * 1e3).toISOString(), ttl };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The route's error body, as packages/core/src/handler/response.ts writes it. */
export const routeError = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(status, { error: { code, message: `${code} from the route` } }, headers);

type Answer = Response | Error | (() => Response);

/**
 * A fetch that answers `answers` in turn, then keeps answering fresh tokens (numbered by call).
 * An answer `'hang'` never settles until the request's signal aborts.
 */
export function fakeRoute(...answers: (Answer | 'hang')[]) {
  const route = vi.fn((_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const call = route.mock.calls.length;
    const answer = answers[call - 1] ?? (() => json(200, tokenBody(call)));
    if (answer === 'hang') {
      return new Promise((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    }
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(typeof answer == 'function' ? answer() : answer);
  });
  return route;
}

/** The request `fetch` got on its `call`-th call (1-based). */
export function requestOf(fetch: ReturnType<typeof fakeRoute>, call = 1) {
  const [url, init = {}] = fetch.mock.calls[call - 1]!;
  return { url, ...init, json: init.body === undefined ? undefined : JSON.parse(String(init.body)) };
}

/** A Voice Device's shape: a Node EventEmitter, `tokenWillExpire`, `updateToken` returning nothing. */
export class FakeDevice extends EventEmitter {
  updateToken = vi.fn((_token: string): void => {});
}

/**
 * A Conversations Client's or SyncClient's shape: `on` and `off` only, `tokenAboutToExpire` and
 * `tokenExpired`, `updateToken` returning a Promise.
 */
export class FakeSdkClient {
  readonly listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  connectionState = 'connected';
  updateToken = vi.fn((_token: string): Promise<this> => Promise.resolve(this));
  on(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.set(event, (this.listeners.get(event) ?? new Set()).add(listener));
    return this;
  }
  off(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    this.listeners.get(event)?.forEach((listener) => listener(...args));
  }
  listenerCount() {
    return [...this.listeners.values()].reduce((count, set) => count + set.size, 0);
  }
}

/** BroadcastChannel within one process: a message reaches every other channel of its name, cloned. */
export class FakeBroadcastChannel {
  static readonly open = new Set<FakeBroadcastChannel>();
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly name: string) {
    FakeBroadcastChannel.open.add(this);
  }
  postMessage(data: unknown) {
    for (const channel of FakeBroadcastChannel.open) {
      if (channel !== this && channel.name === this.name) queueMicrotask(() => channel.onmessage?.({ data: structuredClone(data) }));
    }
  }
  close() {
    FakeBroadcastChannel.open.delete(this);
  }
}

/** navigator.locks of one origin: exclusive locks by name, granted in request order, abortable while waiting. */
export class FakeLockManager {
  private readonly queues = new Map<string, Promise<unknown>>();
  readonly requested: string[] = [];
  request<T>(name: string, options: { signal?: AbortSignal }, run: () => Promise<T>): Promise<T> {
    this.requested.push(name);
    const previous = this.queues.get(name) ?? Promise.resolve();
    const granted = new Promise<void>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal!.reason));
      previous.then(
        () => resolve(),
        () => resolve(),
      );
    });
    const result = granted.then(run);
    // Released when this holder is done, and never before the one ahead of it.
    this.queues.set(
      name,
      previous.then(() => result).catch(() => {}),
    );
    return result;
  }
}

// Node 24 has navigator.locks (Node 20 and 22 do not), and real locks never release under fake timers.
// Every suite starts without them, as a process that is not a browser tab does; stubTabs() gives a tab's.
if (globalThis.navigator?.locks) Object.defineProperty(globalThis.navigator, 'locks', { value: undefined, configurable: true });

/** Gives this process the BroadcastChannel and navigator.locks that Node 24 has (undone by vi.unstubAllGlobals). */
export function stubServerGlobals() {
  const locks = new FakeLockManager();
  vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel);
  vi.stubGlobal('navigator', { locks });
  return locks;
}

/** Makes this process a page of a browser origin: a document, BroadcastChannel and navigator.locks (undone by vi.unstubAllGlobals). */
export function stubTabs() {
  vi.stubGlobal('document', Object.assign(new EventTarget(), { visibilityState: 'visible' }));
  return stubServerGlobals();
}

/** A window and a document (undone by vi.unstubAllGlobals). */
export function stubPage() {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
  vi.stubGlobal('removeEventListener', window.removeEventListener.bind(window));
  vi.stubGlobal('document', document);
  return {
    goOnline: () => window.dispatchEvent(new Event('online')),
    show: () => {
      document.visibilityState = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
    },
    hide: () => {
      document.visibilityState = 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
    },
  };
}
