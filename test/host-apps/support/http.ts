// A browser-like client for the host apps: fetch with a cookie jar, so a form login's session
// cookie goes with the next request, as it would from a page of the app.
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface Client {
  request(path: string, init?: RequestInit): Promise<Answer>;
  /** POST of a JSON text (given as is, so a test can send broken JSON). */
  postJson(path: string, body: string, headers?: Record<string, string>): Promise<Answer>;
  /** POST of an HTML form (application/x-www-form-urlencoded). */
  postForm(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Answer>;
  cookies: Map<string, string>;
  /** Headers sent with every request that does not set them itself (a bearer login's Authorization). */
  headers: Map<string, string>;
  /** What the client adds to each request (its cookie and headers), for a request sent another way. */
  sentHeaders(): [string, string][];
}

export function createClient(baseUrl: string): Client {
  const cookies = new Map<string, string>();
  const client: Client = {
    cookies,
    headers: new Map(),
    sentHeaders() {
      const sent: [string, string][] = [...client.headers];
      if (cookies.size > 0) sent.push(['cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')]);
      return sent;
    },
    async request(path, init = {}) {
      const headers = new Headers(init.headers);
      for (const [name, value] of client.sentHeaders()) if (!headers.has(name)) headers.set(name, value);
      const res = await fetch(new URL(path, baseUrl), { ...init, headers, redirect: 'manual' });
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0]!;
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    postJson: (path, body, headers = {}) =>
      client.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }),
    postForm: (path, fields, headers = {}) =>
      client.request(path, {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
  };
  return client;
}
