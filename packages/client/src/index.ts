/** Options of {@link createTokenSource}. */
export interface TokenSourceOptions {
  /** The token route, e.g. `/api/token`. */
  url: string;
  /**
   * Sent as the JSON body (POST) or as the query string (GET).
   * @default {}
   */
  params?: Record<string, unknown>;
  /**
   * How the route is called. GET sends `params` as the query string.
   * @default 'POST'
   */
  method?: 'POST' | 'GET';
  /**
   * Headers of every request, or a function that returns them (read before each attempt, so a
   * bearer token can be renewed in between).
   * @default {}
   */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /**
   * Whether the session cookie goes along.
   * @default 'same-origin'
   */
  credentials?: RequestCredentials;
  /**
   * The fetch to call, e.g. an instrumented one.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * Seconds before `expiresAt` from which a cached token counts as stale and is refetched; never
   * more than half the token's ttl.
   * @default 60
   */
  refreshMargin?: number;
  /**
   * Retries after the first attempt when the route answers 429 or 5xx or the network fails.
   * @default 4
   */
  retries?: number;
  /**
   * Backoff in ms: a random delay up to `base * 2^attempt` (full jitter), at most `max`. A larger
   * `Retry-After` wins, also capped by `max`.
   * @default { base: 500, max: 30000 }
   */
  retryDelay?: { base?: number; max?: number };
  /**
   * Tabs of one origin take turns (Web Locks) and hand each other the token (BroadcastChannel), so
   * they do not each mint one. Turn off when tabs of one origin may belong to different users.
   * @default true where BroadcastChannel and navigator.locks exist
   */
  shareAcrossTabs?: boolean;
  /**
   * Told what failed where no caller awaits it: a refresh for an attached client or on coming back
   * online or visible (a {@link TokenSourceError}), or a client's `updateToken` (what it threw).
   * @default undefined
   */
  onError?: (error: unknown) => void;
}

/** A token as the route answered it. */
export interface SourcedToken {
  token: string;
  identity: string;
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
  connectionState?: string;
  on(event: string, listener: (state?: any) => void): unknown;
  off?(event: string, listener: (state?: any) => void): unknown;
  removeListener?(event: string, listener: (state?: any) => void): unknown;
}

interface Consumer {
  token?: string;
  deferred?: boolean;
  detach(): void;
}

export interface TokenSource {
  /** A fresh token: the cached one, the one already on its way, or a new one. */
  getToken(options?: { forceRefresh?: boolean }): Promise<SourcedToken>;
  /** Later tokens are asked for with these params; the cached token is dropped if they differ. */
  setParams(params: Record<string, unknown>): void;
  /** Feeds `client` a new token on each of its expiry events. Returns detach. */
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
  declare readonly status?: number;
  declare readonly retryable: boolean;
  /** Seconds, from the `Retry-After` header. */
  declare readonly retryAfter?: number;

  constructor(
    code: string,
    message: string,
    options: { status?: number; retryable?: boolean; retryAfter?: number; cause?: unknown } = {},
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


/** Seconds from a `Retry-After` header: delta-seconds or an HTTP date. */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = isNaN(+value) ? (Date.parse(value) - Date.now()) / 1e3 : +value;
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
  const locks: { request(name: string, options: { signal: AbortSignal }, run: () => Promise<void>): Promise<void> } | undefined =
    scope.navigator?.locks;
  const channel: BroadcastChannel | undefined =
    options.shareAcrossTabs !== false && locks && typeof BroadcastChannel == 'function'
      ? new BroadcastChannel('grantor:' + url)
      : undefined;
  const aborter = new AbortController();
  const signal = aborter.signal;
  // Each attached client, the token it last got, and whether that one waits for a disconnect.
  const consumers = new Map<TokenConsumer, Consumer>();
  let params = options.params || {};
  let paramsKey = JSON.stringify(params);
  let cached: SourcedToken | undefined;
  let pending: Promise<SourcedToken> | undefined;
  // Set by a terminal error: no refresh on the source's own initiative until a getToken() succeeds.
  let halted = false;
  let closed = false;

  const closedError = () => new TokenSourceError('CLOSED', 'Token source closed');
  // Tabs with the same url, method and params share a token; the name is the lock's and the messages'.
  const shareName = () => `grantor ${method} ${url} ${paramsKey}`;
  const isFresh = (token?: SourcedToken): token is SourcedToken =>
    !!token && token.expiresAt.getTime() - Math.min(refreshMargin, token.ttl / 2) * 1e3 > Date.now();
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

  const store = (token: SourcedToken) => {
    cached = token;
    halted = false;
    consumers.forEach((_, client) => give(client, token));
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
      const expiresAt = new Date(body?.expiresAt);
      if (typeof body?.token != 'string' || isNaN(+expiresAt)) throw new TokenSourceError('BAD_RESPONSE', 'No token in the response', { status });
      return { token: body.token, identity: body.identity, expiresAt, ttl: +body.ttl || (+expiresAt - Date.now()) / 1e3 };
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
    if (!halted && (cached || consumers.size) && !isFresh(cached)) getToken().catch(report);
  };
  const wakeIfVisible = () => {
    if (scope.document.visibilityState == 'visible') wake();
  };
  scope.addEventListener?.('online', wake);
  scope.document?.addEventListener('visibilitychange', wakeIfVisible);

  if (channel) {
    channel.onmessage = ({ data }: MessageEvent<{ name: string; token: SourcedToken }>) => {
      if (data.name == shareName() && data.token.expiresAt > (cached?.expiresAt || 0)) store(data.token);
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
      const refresh = () => {
        if (halted) return;
        const had = consumers.get(client)?.token;
        getToken({ forceRefresh: cached?.token == had })
          .then((token) => give(client, token))
          .catch(report);
      };
      const reconnect = (state: unknown) => {
        if (state == 'disconnected' && consumer.deferred) {
          consumer.deferred = false;
          feed(client, consumer.token!);
        }
      };
      const listeners: [string, (state?: unknown) => void][] = [
        ['tokenWillExpire', refresh],
        ['tokenAboutToExpire', refresh],
        ['tokenExpired', refresh],
        ['connectionStateChanged', reconnect],
      ];
      const detach = () => {
        consumers.delete(client);
        for (const [event, listener] of listeners) (client.off || client.removeListener)!.call(client, event, listener);
      };
      // A client is usually made with the cached token, so that one counts as the one it has.
      const consumer: Consumer = { token: cached?.token, detach };
      if (closed) return detach;
      consumers.set(client, consumer);
      for (const [event, listener] of listeners) client.on(event, listener);
      return detach;
    },
    close() {
      if (closed) return;
      closed = true;
      aborter.abort();
      consumers.forEach(({ detach }) => detach());
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
