// Browser helpers shared by the demo page (app.js) and the Next demo's React page.

/** Calls a demo route with an optional JSON body; throws the server's error message on a non-2xx answer. */
export async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw Object.assign(new Error(payload.error?.message ?? `The server answered ${response.status}.`), {
      code: payload.error?.code ?? `HTTP_${response.status}`,
    });
  }
  return payload;
}

/** Seconds before expiry from which the page gets a new token (the token source's `refreshMargin`). */
export const REFRESH_MARGIN = 60;

/**
 * When a token that just arrived is to be replaced: in `ttl - refreshMargin` seconds, the margin
 * being at most half the ttl, as the token source counts it stale. Counted from its arrival rather
 * than from `expiresAt`, so that a clock on this computer that is off does not matter.
 */
export function refreshDelay(ttl) {
  return ttl - Math.min(REFRESH_MARGIN, ttl / 2);
}

/** How long to wait before trying again after a refresh failed for a reason retrying may fix (429, 5xx, network), in seconds. */
export const RETRY_AFTER_FAILED_REFRESH = 15;

/**
 * Keeps the logged-in user in tokens from `/api/token` through a token source of @grantor/client
 * (`createTokenSource`: the page imports it from /grantor-client.js, the Next page from the package).
 * `request(params)` gets a new token; each token is replaced when the source counts it stale, a
 * minute before it expires. Every token goes to `onToken`, with `expiresAtHere`: its expiry by this
 * computer's clock, from its arrival and its ttl, so that a clock that is off does not matter. A
 * failed refresh goes to `onError` (401 and 403 end the refreshing; the others are tried again).
 * An answer overtaken by a later request, `drop()` or `close()` is dropped.
 */
export function keepTokens(createTokenSource, { onToken, onError }) {
  const source = createTokenSource({ url: '/api/token', refreshMargin: REFRESH_MARGIN });
  let requests = 0;
  let refreshTimer;

  function refreshIn(seconds) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, seconds * 1000);
  }

  async function newToken() {
    clearTimeout(refreshTimer);
    const request = ++requests;
    let token;
    try {
      // Never the cached token: the user asked for one, or the cached one is about to go stale.
      token = await source.getToken({ forceRefresh: true });
    } catch (error) {
      if (request === requests) throw error;
    }
    if (request !== requests) return;
    refreshIn(refreshDelay(token.ttl));
    onToken({ ...token, expiresAtHere: Date.now() + token.ttl * 1000 });
  }

  async function refresh() {
    try {
      await newToken();
    } catch (error) {
      onError(error);
      if (error?.retryable) refreshIn(RETRY_AFTER_FAILED_REFRESH);
    }
  }

  const drop = () => {
    requests++;
    clearTimeout(refreshTimer);
  };
  return {
    /** Asks for a new token with these params; rejects with the source's TokenSourceError. */
    request(params) {
      source.setParams(params);
      return newToken();
    },
    /** No more tokens until the next request: the one on its way is dropped, and no refresh follows. */
    drop,
    /** Ends it all, closing the token source (at logout). */
    close() {
      drop();
      source.close();
    },
  };
}

/** An error's message and its code: a TokenSourceError's, or the demo route's from `call()`. */
export function describeError(error) {
  return { message: error instanceof Error ? error.message : String(error), code: typeof error?.code === 'string' ? error.code : '' };
}

/** Puts text on the clipboard: the Clipboard API, else a selected textarea and `execCommand('copy')` (older or non-secure pages). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {}
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw Object.assign(new Error('The browser refused to copy: open "Raw token" and copy it from there.'), { code: 'COPY_FAILED' });
}

/** The JWT's claims, decoded here only to display them: the page never needs to trust them. */
export function decodeClaims(token) {
  const base64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** `mm:ss`, or `h:mm:ss` from an hour up. */
export function formatDuration(seconds) {
  const hours = Math.floor(seconds / 3600);
  const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const rest = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${minutes}:${rest}` : `${minutes}:${rest}`;
}
