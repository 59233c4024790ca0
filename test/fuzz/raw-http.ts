// A deliberately dumb HTTP/1.1 client on node:net: it sends exactly the bytes it is given (lying
// Content-Length, odd methods, broken chunking, bodies cut off by a disconnect), which fetch and
// node:http refuse to do, and reads back the first final answer.
import net from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target, e.g. `/api/token?fuzz=7`. */
  target: string;
  /** Sent in order after `Host` and `Connection: close`; names may repeat. */
  headers: readonly (readonly [string, string])[];
  /** The bytes after the head, exactly as sent (already chunk-encoded for a chunked body). */
  body: Uint8Array;
  /**
   * `answer`: send everything and read the answer. `half-close`: the same, then end our side, as a
   * client whose Content-Length promised more than it sent. `abort`: send everything, then destroy
   * the connection without reading.
   */
  ending: 'answer' | 'half-close' | 'abort';
  /** The Host header's value, well-formed or not; null: no Host header at all. @default the URL's host */
  host?: string | null;
}

export interface RawAnswer {
  status: number;
  /** Lower-case names; repeated headers keep every value. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export function serialize(host: string | null, request: RawRequest): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, ...(host === null ? [] : [`Host: ${host}`]), 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), request.body]);
}

/** Decodes a chunked body; undefined while incomplete. */
function unchunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * The first final (non-1xx) answer in `data`, once complete. `ended`: the server closed the
 * connection, so a body without framing ends here.
 */
function parseAnswer(data: Buffer, method: string, ended: boolean): RawAnswer | undefined {
  let start = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', start);
    if (headEnd < 0) return undefined;
    const [statusLine = '', ...headerLines] = data.subarray(start, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) throw new Error(`Not an HTTP answer: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string[]> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      (headers[line.slice(0, colon).trim().toLowerCase()] ??= []).push(line.slice(colon + 1).trim());
    }
    const rest = data.subarray(headEnd + 4);
    if (status < 200) {
      start = headEnd + 4;
      continue;
    }
    if (method === 'HEAD' || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    if (headers['transfer-encoding']?.some((value) => /chunked/i.test(value))) {
      const body = unchunk(rest);
      return body && { status, headers, body };
    }
    const length = headers['content-length']?.[0];
    if (length !== undefined) return rest.length >= Number(length) ? { status, headers, body: rest.subarray(0, Number(length)) } : undefined;
    return ended ? { status, headers, body: rest } : undefined;
  }
}

/**
 * Sends the request to `url` (an `http://127.0.0.1:port` base). Resolves with the answer, or with
 * undefined when the request was aborted or the server closed the connection without answering.
 * `beforeAbort` runs between sending and destroying an `abort` request.
 */
export function exchange(url: string, request: RawRequest, beforeAbort?: () => Promise<unknown>): Promise<RawAnswer | undefined> {
  const { hostname, port, host } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    let done = false;
    const finish = (answer: RawAnswer | undefined, error?: unknown) => {
      if (done) return;
      done = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(answer);
    };
    const check = (ended: boolean) => {
      try {
        const answer = parseAnswer(Buffer.concat(received), request.method, ended);
        if (answer || ended) finish(answer);
      } catch (error) {
        finish(undefined, error);
      }
    };
    // The server may answer and close before reading the whole body: a reset then is not a failure.
    socket.on('error', () => check(true));
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (request.ending !== 'abort') check(false);
    });
    socket.on('close', () => (request.ending === 'abort' ? finish(undefined) : check(true)));
    socket.write(serialize(request.host === undefined ? host : request.host, request), () => {
      if (request.ending === 'abort') {
        Promise.resolve(beforeAbort?.()).then(
          () => socket.destroy(),
          (error: unknown) => finish(undefined, error),
        );
      } else if (request.ending === 'half-close') socket.end();
    });
  });
}
