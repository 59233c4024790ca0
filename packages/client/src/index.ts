/** Options of {@link createTokenSource}. */
export interface TokenSourceOptions {
  /** The token route, e.g. `/api/token`. */
  url: string;
  /**
   * Sent as the JSON body (POST) or as the query string (GET).
   * @default {}
   */
  params?: Record<string, unknown> | undefined;
  /**
   * How the route is called. GET sends `params` as the query string.
   * @default 'POST'
   */
  method?: 'POST' | 'GET' | undefined;
  /**
   * Headers of every request, or a function that returns them (read before each attempt, so a
   * bearer token can be renewed in between).
   * @default {}
   */
  headers?: (Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)) | undefined;
  /**
   * Whether the session cookie goes along.
   * @default 'same-origin'
   */
  credentials?: RequestCredentials | undefined;
  /**
   * The fetch to call, e.g. an instrumented one.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /**
   * Seconds before `expiresAt` from which a cached token counts as stale and is refetched (and an
   * attached client's token is renewed); never more than half the token's ttl.
   * @default 60
   */
  refreshMargin?: number | undefined;
  /**
   * Retries after the first attempt when the route answers 429 or 5xx or the network fails.
   * @default 4
   */
  retries?: number | undefined;
  /**
   * Backoff in ms: a random delay up to `base * 2^attempt` (full jitter), at most `max`. A larger
   * `Retry-After` wins, also capped by `max`.
   * @default { base: 500, max: 30000 }
   */
  retryDelay?: { base?: number; max?: number } | undefined;
  /**
   * Tabs of one origin take turns (Web Locks) and hand each other the token (BroadcastChannel), so
   * they do not each mint one. A tab takes only a token of its own identity (one with no token yet,
   * the first one shared): turn off when tabs of one origin may belong to different users. Not
   * on by default outside a page: sources in one server process (Node 24 has BroadcastChannel and
   * navigator.locks) may serve different users.
   * @default true in a page (a `document`) where BroadcastChannel and navigator.locks exist
   */
  shareAcrossTabs?: boolean | undefined;
  /**
   * Told what failed where no caller awaits it: a refresh for an attached client or on coming back
   * online or visible (a {@link TokenSourceError}), a client's `updateToken` (what it threw), and
   * `IDENTITY_CHANGED` when the route answered for another identity and the clients were detached.
   * @default undefined
   */
  onError?: ((error: unknown) => void) | undefined;
}

/** A token as the route answered it. */
export interface SourcedToken {
  token: string;
  identity: string;
  /**
   * When the token expires by this device's clock: the route's `ttl` counted from when the request
   * was sent, less 1 s (the token's `exp` is rounded down to a second). Never the route's
   * `expiresAt`, which is the server's clock.
   */
  expiresAt: Date;
  /** Lifetime in seconds. */
  ttl: number;
}

/**
 * What `attach` accepts: a Voice Device, a Conversations Client, a SyncClient or anything with
 * `updateToken` and an EventEmitter's `on` and `off` or `removeListener`.
 */
export interface TokenConsumer {
  updateToken(token: string): unknown;
  /** Conversations' and Sync's clients: `'disconnecting'` holds a new token back until `'disconnected'`. */
  connectionState?: string | undefined;
  on(event: string, listener: (state?: any) => void): unknown;
  off?(event: string, listener: (state?: any) => void): unknown;
  removeListener?(event: string, listener: (state?: any) => void): unknown;
}

interface Consumer {
  token?: string | undefined;
  deferred?: boolean | undefined;
  detach(): void;
}

export interface TokenSource {
  /** A fresh token: the cached one, the one already on its way, or a new one. */
  getToken(options?: { forceRefresh?: boolean | undefined }): Promise<SourcedToken>;
  /** Later tokens are asked for with these params; the cached token is dropped if they differ. */
  setParams(params: Record<string, unknown>): void;
  /**
   * Keeps `client` supplied: a new token before the one it has expires, and on each of its expiry
   * events; only tokens of the identity it was attached with. Returns detach.
   */
  attach(client: TokenConsumer): () => void;
  /** Ends timers, listeners, attached clients and requests in flight (they reject with CLOSED). */
  close(): void;
  readonly closed: boolean;
}

/**
 * Why no token came. `code` is the route's error code when its body has one, else `NETWORK_ERROR`,
 * `BAD_RESPONSE`, `CLOSED` or `HTTP_<status>`. `retryable` is false for what retrying cannot fix
 * (401, 403 and the other 4xx but 429): the source stops refreshing attached clients until a
 * `getToken()` succeeds.
 */
// `declare` fields: no class-field helpers in the ES2020 bundle.
export class TokenSourceError extends Error {
  declare readonly code: string;
  declare readonly status?: number | undefined;
  declare readonly retryable: boolean;
  /** Seconds, from the `Retry-After` header. */
  declare readonly retryAfter?: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number | undefined; retryable?: boolean | undefined; retryAfter?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'TokenSourceError';
    this.code = code;
    this.status = options.status;
    this.retryable = !!options.retryable;
    this.retryAfter = options.retryAfter;
  }
}

/** How long a tab keeps the lock after broadcasting a token, in ms. */
const HANDOVER_MS = 100;
/**
 * The floor: a refresh the app did not force (a client's expiry event, the source's timer, coming
 * back online or visible) starts no request within this many ms of the last one.
 */
const FLOOR_MS = 5000;

/** Seconds from a `Retry-After` header: delta-seconds or an HTTP date. */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  // An HTTP date is read against the response's Date (the server's clock), not the device's.
  const seconds = isNaN(+value) ? (Date.parse(value) - (Date.parse(response.headers.get('date')!) || Date.now())) / 1e3 : +value;
  return seconds > 0 ? seconds : 0;
}

/**
 * A source of Access Tokens from a grantor token route, for one set of params at a time: cached,
 * shared among concurrent callers and tabs, retried where retrying helps, fed to attached SDK clients.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { url, method = 'POST', credentials = 'same-origin', refreshMargin = 60, retries = 4, onError } = options;
  const { base = 500, max = 30_000 } = options.retryDelay || {};
  // `globalThis` is the window in browsers; React Native and Node have no window or document.
  const scope = globalThis as any;
  // Typed by hand: lib.dom's request() does not unwrap the callback's Promise.
  const locks: { request(name: string, options: { signal: AbortSignal }, run: () => Promise<void>): Promise<void> } | undefined = scope.navigator?.locks;
  const channel: BroadcastChannel | undefined =
    (options.shareAcrossTabs ?? !!scope.document) && locks && typeof BroadcastChannel == 'function' ? new BroadcastChannel('grantor:' + url) : undefined;
  const aborter = new AbortController();
  const signal = aborter.signal;
  // Each attached client, the token it last got, and whether that one waits for a disconnect.
  const consumers = new Map<TokenConsumer, Consumer>();
  let params = options.params || {};
  let paramsKey = JSON.stringify(params);
  let cached: SourcedToken | undefined;
  let pending: Promise<SourcedToken> | undefined;
  // Whose tokens these are: the first token's identity, then the last one's.
  let identity: string | undefined;
  // When the last request started (Date.now()), for the floor.
  let requested = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  // Set by a terminal error: no refresh on the source's own initiative until a getToken() succeeds.
  let halted = false;
  let closed = false;

  const closedError = () => new TokenSourceError('CLOSED', 'Token source closed');
  // Tabs with the same url, method and params share a token; the name is the lock's and the messages'.
  const shareName = () => `grantor ${method} ${url} ${paramsKey}`;
  const refreshAt = (token: SourcedToken) => +token.expiresAt - Math.min(refreshMargin, token.ttl / 2) * 1e3;
  const isFresh = (token?: SourcedToken): token is SourcedToken => !!token && refreshAt(token) > Date.now();
  const report = (error: unknown) => {
    if (!closed) onError?.(error);
  };

  // updateToken returns a Promise in Conversations and Sync, and may throw in Voice.
  const feed = (client: TokenConsumer, token: string) =>
    Promise.resolve()
      .then(() => client.updateToken(token))
      .catch(report);

  const give = (client: TokenConsumer, { token }: SourcedToken) => {
    const consumer = consumers.get(client);
    if (consumer && consumer.token !== token) {
      consumer.token = token;
      // After tokenExpired, twilsock drops an updateToken that arrives while its socket closes (and
      // then ignores the same token): it gets it once disconnected.
      if (client.connectionState == 'disconnecting') consumer.deferred = true;
      else feed(client, token);
    }
  };

  // The source's own timer for its clients: a new token from `refreshMargin` before expiry, whether
  // or not a client raises its event, never sooner than the floor allows; after a failure, again
  // (floored) until the token the clients hold has expired. Events, not polling, do the rest.
  const schedule = () => {
    clearTimeout(refreshTimer);
    if (consumers.size && cached && !halted && +cached.expiresAt > Date.now())
      refreshTimer = setTimeout(() => getToken().catch(report), Math.max(refreshAt(cached), requested + FLOOR_MS) - Date.now());
  };

  // A refresh the app did not ask for: none within the floor of the last request.
  const refresh = (forceRefresh?: boolean) => {
    if (!halted && Date.now() - requested >= FLOOR_MS) getToken({ forceRefresh }).catch(report);
  };

  const detachAll = () => consumers.forEach(({ detach }) => detach());

  const store = (token: SourcedToken) => {
    if (identity && token.identity != identity) {
      // The route answers for someone else now (a logout and login without close()): clients made
      // for the previous identity never get this token.
      detachAll();
      report(new TokenSourceError('IDENTITY_CHANGED', 'Identity changed: clients detached'));
    }
    identity = token.identity;
    cached = token;
    halted = false;
    consumers.forEach((_, client) => give(client, token));
    schedule();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const stop = () => (clearTimeout(timer), reject());
      const timer = setTimeout(() => (signal.removeEventListener('abort', stop), resolve()), ms);
      signal.addEventListener('abort', stop);
    });

  async function request(): Promise<SourcedToken> {
    const get = method == 'GET';
    const query = get ? new URLSearchParams(params as Record<string, string>).toString() : '';
    const headers = typeof options.headers == 'function' ? await options.headers() : options.headers;
    let response: Response;
    const sent = Date.now();
    try {
      response = await (options.fetch || fetch)(query ? url + (url.includes('?') ? '&' : '?') + query : url, {
        method,
        credentials,
        signal,
        headers: { accept: 'application/json', ...(get ? {} : { 'content-type': 'application/json' }), ...headers },
        body: get ? undefined : JSON.stringify(params),
      });
    } catch (cause) {
      throw new TokenSourceError('NETWORK_ERROR', 'Token route unreachable', { retryable: true, cause });
    }
    const { status } = response;
    const body = await response.json().catch(() => undefined);
    if (response.ok) {
      // The deadline is the ttl counted on this device's clock from the request: the token was
      // signed after it was sent.
      const ttl = +body?.ttl;
      if (typeof body?.token != 'string' || !(ttl > 0)) throw new TokenSourceError('BAD_RESPONSE', 'No token in the response', { status });
      return { token: body.token, identity: body.identity, expiresAt: new Date(sent + ttl * 1e3 - 1e3), ttl };
    }
    const error = body?.error;
    throw new TokenSourceError(error?.code || 'HTTP_' + status, error?.message || 'Token route answered ' + status, {
      status,
      retryable: status == 429 || status >= 500,
      retryAfter: retryAfterOf(response),
    });
  }

  async function requestWithRetries(): Promise<SourcedToken> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const { retryable, retryAfter = 0 } = error as TokenSourceError;
        if (closed || !retryable || attempt >= retries) throw error;
        await sleep(Math.min(max, Math.max(Math.random() * Math.min(max, base * 2 ** attempt), retryAfter * 1e3)));
      }
    }
  }

  /**
   * One tab at a time runs `fetchUnlessShared` and broadcasts what it fetched. The lock is held a
   * moment longer, so the broadcast reaches the waiting tabs before their turn: messages and lock
   * grants travel separately.
   */
  const shared = (fetchUnlessShared: () => Promise<SourcedToken>) =>
    new Promise<SourcedToken>((resolve, reject) => {
      locks!
        .request(shareName(), { signal }, async () => {
          const before = cached;
          const token = await fetchUnlessShared();
          if (token != before) channel!.postMessage({ name: shareName(), token });
          resolve(token);
          await new Promise((handedOver) => setTimeout(handedOver, HANDOVER_MS));
        })
        .catch(reject);
    });

  function load(): Promise<SourcedToken> {
    requested = Date.now();
    const key = paramsKey;
    const before = cached;
    // Another tab may hand over a token while this one waits for the lock.
    const fetchUnlessShared = async () => (cached !== before && isFresh(cached) ? cached : requestWithRetries());
    const loading = (locks && channel ? shared(fetchUnlessShared) : fetchUnlessShared())
      .then(
        (token) => {
          // Params changed meanwhile: the token is the caller's, not the cache's.
          if (key == paramsKey && token != cached) store(token);
          return token;
        },
        (error) => {
          if (closed) throw closedError();
          if (!error.retryable) halted = true;
          // Ends the timer after a terminal error, else sets it again (floored).
          schedule();
          throw error;
        },
      )
      .finally(() => {
        if (pending == loading) pending = undefined;
      });
    return (pending = loading);
  }

  const getToken = ({ forceRefresh = false } = {}): Promise<SourcedToken> =>
    closed ? Promise.reject(closedError()) : !forceRefresh && isFresh(cached) ? Promise.resolve(cached) : pending || load();

  // Coming back online or visible: a token that expired meanwhile is refreshed, if anyone uses it.
  const wake = () => {
    if ((cached || consumers.size) && !isFresh(cached)) refresh();
  };
  const wakeIfVisible = () => {
    if (scope.document.visibilityState == 'visible') wake();
  };
  scope.addEventListener?.('online', wake);
  scope.document?.addEventListener('visibilitychange', wakeIfVisible);

  if (channel) {
    // Only a token of this source's identity (a tab that has none yet takes any), newer than its own.
    channel.onmessage = ({ data: { name, token } }: MessageEvent<{ name: string; token: SourcedToken }>) => {
      if (name == shareName() && (!identity || token.identity == identity) && token.expiresAt > (cached?.expiresAt || 0)) store(token);
    };
    // In Node an open channel would keep the process alive.
    (channel as any).unref?.();
  }

  return {
    getToken,
    setParams(next) {
      const key = JSON.stringify(next);
      if (key != paramsKey) {
        params = next;
        paramsKey = key;
        cached = pending = undefined;
      }
    },
    attach(client) {
      // An expiry event: the cached token if it is fresh and newer than the client's, else a new one.
      const renew = () => (consumer.token != cached?.token && isFresh(cached) ? give(client, cached) : refresh(true));
      const reconnect = (state: unknown) => {
        if (state == 'disconnected' && consumer.deferred) {
          consumer.deferred = false;
          feed(client, consumer.token!);
        }
      };
      const listeners: [string, (state?: unknown) => void][] = [
        ['tokenWillExpire', renew],
        ['tokenAboutToExpire', renew],
        ['tokenExpired', renew],
        ['connectionStateChanged', reconnect],
      ];
      const detach = () => {
        consumers.delete(client);
        for (const [event, listener] of listeners) (client.off || client.removeListener)!.call(client, event, listener);
        schedule();
      };
      // A client is usually made with the cached token, so that one counts as the one it has.
      const consumer: Consumer = { token: cached?.token, detach };
      if (closed) return detach;
      consumers.set(client, consumer);
      for (const [event, listener] of listeners) client.on(event, listener);
      schedule();
      return detach;
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(refreshTimer);
      aborter.abort();
      detachAll();
      channel?.close();
      scope.removeEventListener?.('online', wake);
      scope.document?.removeEventListener('visibilitychange', wakeIfVisible);
      cached = pending = undefined;
    },
    get closed() {
      return closed;
    },
  };
}
