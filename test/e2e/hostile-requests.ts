// Hostile HTTP/1.1 requests as raw bytes from a seeded generator, and a runner that writes them to
// node:net sockets with bounded concurrency: broken framing reaches the server exactly as written,
// which no HTTP client library would send.
import { connect } from 'node:net';
import { brotliCompressSync, constants as zlib, deflateSync, gzipSync } from 'node:zlib';

/** mulberry32: a tiny seeded generator, so that a failing run can be replayed from its seed. */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.int(0, 255);
    return bytes;
  }
}

export interface HostileRequest {
  /** The family of hostility, for the summary and failure messages. */
  kind: string;
  /** What to write, in order. */
  pieces: Buffer[];
  /** Pause between pieces, in ms (slowloris); 0 writes them back to back. */
  pauseMs: number;
  /** Close the socket after the last piece instead of waiting for the answer: a client that goes away. */
  abort: boolean;
  /** How long to wait for the answer once everything is written. */
  waitMs: number;
  /** True when it carries the logged-in session cookie: only such a request may be given a token. */
  withSession: boolean;
}

export interface Outcome {
  kind: string;
  /** The status of the first answer; undefined when none came (closed, reset or abandoned). */
  status: number | undefined;
  /** The answer's status line, headers and (up to 256 KB of) body, as latin1 text. */
  answer: string;
  withSession: boolean;
  /** The start of the request, for failure messages. */
  request: string;
}

export interface DemoTarget {
  /** `host:port`, for the Host header and the same-origin Origin. */
  host: string;
  /** `name=value` pairs of a logged-in session, as a Cookie header value. */
  sessionCookie: string;
  /** Paths the demo serves files at (its page, or Next's assets). */
  staticPaths: readonly string[];
}

const ROUTES = ['/login', '/logout', '/api/token', '/api/me'];
const METHODS = [
  'GET',
  'POST',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'PATCH',
  'TRACE',
  'PROPFIND',
  'MKCOL',
  'LOCK',
  'SEARCH',
  'QUERY',
  'SOURCE',
  'BREW',
  'get',
  'pOsT',
  'G@T',
  'CONNECT',
  '',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/1.x', 'http/1.1', ''];
const CRLF = '\r\n';

/** A request from its raw lines; latin1, so that every char below 256 is one byte as written. */
function message(requestLine: string, headers: readonly string[], body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(requestLine + CRLF + headers.map((header) => header + CRLF).join('') + CRLF, 'latin1'), body]);
}

/** Splits bytes into pieces of min to max bytes. */
function split(random: Random, bytes: Buffer, min: number, max: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(bytes.length, at + random.int(min, max));
    pieces.push(bytes.subarray(at, end));
    at = end;
  }
  return pieces;
}

// Decompression bombs, compressed once: a few KB that inflate to 32 MB of zeros.
let bombs: Record<'gzip' | 'deflate' | 'br', Buffer> | undefined;
function bomb(encoding: 'gzip' | 'deflate' | 'br'): Buffer {
  if (!bombs) {
    const zeros = Buffer.alloc(32 * 1024 * 1024, '0');
    bombs = {
      gzip: gzipSync(zeros, { level: 1 }),
      deflate: deflateSync(zeros, { level: 1 }),
      br: brotliCompressSync(zeros, { params: { [zlib.BROTLI_PARAM_QUALITY]: 1 } }),
    };
  }
  return bombs[encoding];
}

const LOGIN_JSON = '{"username":"alice","password":"alice-pass"}';
const LOGIN_FORM = 'username=alice&password=alice-pass';

/**
 * `count` hostile requests for a demo, the same ones for the same seed: bad request lines and
 * targets, header floods, bad and lying framing, bad encodings and bodies of every type the demos
 * parse, forged cookies, huge and aborted bodies, a bounded number of slowloris sockets, and some
 * ordinary traffic in between. The slow ones come first, so that they run alongside the rest.
 */
export function hostileRequests(seed: number, count: number, target: DemoTarget, slowSockets = 40): HostileRequest[] {
  const random = new Random(seed);
  const { host, sessionCookie, staticPaths } = target;
  const paths = [...ROUTES, ...staticPaths];

  // The session cookie goes only where it cannot end the session: login and logout replace it.
  const withSessionFor = (path: string) => (path.startsWith('/api/') || staticPaths.includes(path)) && random.chance(0.6);
  const originHeaders = () =>
    random.pick([
      [],
      [],
      [`Origin: http://${host}`, 'Sec-Fetch-Site: same-origin'],
      ['Origin: https://evil.example'],
      ['Origin: null'],
      ['Sec-Fetch-Site: cross-site'],
      [`Origin: http://${host}.evil.example`],
    ]);

  function request(
    kind: string,
    options: {
      method?: string;
      path?: string;
      target?: string;
      version?: string;
      headers?: string[];
      body?: Buffer;
      framing?: string[];
      cookie?: boolean;
      host?: boolean;
    },
  ): HostileRequest {
    const path = options.path ?? random.pick(paths);
    const withSession = options.cookie ?? withSessionFor(path);
    const body = options.body ?? Buffer.alloc(0);
    const framing = options.framing ?? (body.length > 0 || random.chance(0.3) ? [`Content-Length: ${body.length}`] : []);
    const headers = [
      ...(options.host === false ? [] : [`Host: ${host}`]),
      'Connection: close',
      ...(withSession ? [`Cookie: ${sessionCookie}`] : []),
      ...framing,
      ...(options.headers ?? []),
    ];
    const line = `${options.method ?? 'POST'} ${options.target ?? path} ${options.version ?? 'HTTP/1.1'}`;
    return { kind, pieces: [message(line, headers, body)], pauseMs: 0, abort: false, waitMs: 10_000, withSession };
  }

  function oddTarget(): string {
    const path = random.pick(paths);
    return random.pick([
      '*',
      `http://${host}${path}`,
      `http://evil.example${path}`,
      'https://',
      `//${host}${path}`,
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2f..%2fpackage.json',
      '/..\\..\\package.json',
      `/api/../${path.slice(1)}`,
      `/./${path.slice(1)}`,
      `/${'a'.repeat(random.int(2_000, 90_000))}`,
      `${path}?${'q=1&'.repeat(random.int(100, 3_000))}`,
      `${path}?room=%zz&%=%`,
      `${path}?__proto__[x]=1&constructor[prototype][y]=2`,
      '/%',
      '/%zz',
      '/%00',
      '/%c0%ae%c0%ae/',
      '/\u00e9',
      '/\u00ff\u00fe',
      '/a\u0000b',
      '/a b',
      '/\t',
      `${path}/`,
      `${path.toUpperCase()}`,
      `${path}%00`,
      `${path}#fragment`,
      `${path};jsessionid=1`,
      'login',
      '',
      '/_next/static/../../../package.json',
      '/_next/image?url=%2F&w=64&q=75',
      '/_next/image?url=http://127.0.0.1:1/x&w=1&q=1',
    ]);
  }

  const families: [weight: number, make: () => HostileRequest][] = [
    // Odd methods, targets and versions.
    [
      12,
      () => {
        const method = random.pick(METHODS);
        return request('request line', {
          method,
          target: random.chance(0.6) ? oddTarget() : undefined,
          version: random.pick(VERSIONS),
          body: method === 'POST' && random.chance(0.5) ? Buffer.from(LOGIN_JSON) : undefined,
          headers: random.chance(0.5) ? ['Content-Type: application/json'] : [],
        });
      },
    ],
    // Header floods, huge and invalid headers, odd Host, Expect and Upgrade.
    [
      12,
      () => {
        const headers = random.pick<() => string[]>([
          () => Array.from({ length: random.int(50, 3_000) }, (_, i) => `X-Flood-${i}: ${'v'.repeat(random.int(1, 20))}`),
          () => [`X-Big: ${'a'.repeat(random.int(8_000, 200_000))}`],
          () => [`Cookie: ${Array.from({ length: random.int(100, 2_000) }, (_, i) => `c${i}=${i}`).join('; ')}`],
          () => [
            random.pick([
              'Bad Name: x',
              ': novalue',
              'X\u0000Y: z',
              'X-\u007f: 1',
              '(x): 1',
              'NoColon',
              'X: a\u0000b',
              'X: a\rb',
              'X: \u0001\u0002',
              'X: \u00e9t\u00e9',
              'X: a\r\n b',
            ]),
          ],
          () => random.pick([['Host: other.example'], ['Host: [::1'], ['Host: a b'], ['Host: '], [`Host: ${host}`, 'Host: evil.example']]),
          () => [random.pick(['Expect: 100-continue', 'Expect: bogus', 'Expect: 100-continue, 100-continue'])],
          () =>
            random.pick([
              ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: x', 'Sec-WebSocket-Version: 13'],
              ['Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQAAP__'],
            ]),
          () => [
            random.pick([
              'Range: bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,0-',
              'Range: bytes=999999999-',
              'Range: bytes=-0',
              'Range: garbage',
              'If-Modified-Since: garbage',
              'If-None-Match: *',
              'If-Range: x',
            ]),
          ],
          () => [
            random.pick([
              'Accept: */*;q=garbage',
              'Accept-Encoding: gzip;q=2, br;q=-1, *;q=nan',
              `Accept-Language: ${'en,'.repeat(5_000)}`,
              'Authorization: Basic !!!',
              'X-Forwarded-Host: evil.example',
              'X-Forwarded-Proto: javascript',
              'X-Forwarded-For: 1.1.1.1, ::1, garbage',
              'Content-Type: \u0000/\u0000',
              'Content-Type: ;;;;=;=',
              `Referer: ${'x'.repeat(9_000)}`,
            ]),
          ],
          // Next.js's own request headers: a Server Action call, an RSC or prefetch request.
          () =>
            random.pick([
              [`Next-Action: ${random.bytes(20).toString('hex')}`],
              ['Next-Action: x', 'Content-Type: text/plain;charset=UTF-8'],
              ['RSC: 1', 'Next-Router-State-Tree: %7B%7D%5B'],
              ['Next-Router-Prefetch: 1', 'Next-Router-Segment-Prefetch: /_tree'],
              ['X-Middleware-Subrequest: middleware:middleware:middleware:middleware:middleware'],
            ]),
          originHeaders,
        ])();
        const method = random.pick(['GET', 'POST', 'HEAD', 'OPTIONS']);
        // A request whose Host header is under test sends none besides; some send none at all.
        const sendsHost = !headers.some((header) => header.startsWith('Host:')) && random.chance(0.9);
        return request('headers', { method, headers, host: sendsHost, body: method === 'POST' ? Buffer.from(LOGIN_JSON) : undefined });
      },
    ],
    // Bad and lying Content-Length.
    [
      8,
      () => {
        const body = Buffer.from(random.chance(0.5) ? LOGIN_JSON : '{"room":"lobby"}');
        const lie = random.pick(['abc', '-1', '1e3', '+5', ' 5', '5, 5', '5, 6', '0x10', '99999999999999999999999', '', '5 5', 'bigger', 'smaller', 'twice']);
        const framing =
          lie === 'bigger'
            ? [`Content-Length: ${body.length + random.int(1, 10_000)}`]
            : lie === 'smaller'
              ? [`Content-Length: ${random.int(0, body.length - 1)}`]
              : lie === 'twice'
                ? [`Content-Length: ${body.length}`, `Content-Length: ${body.length + random.int(0, 1)}`]
                : [`Content-Length: ${lie}`];
        const sent = request('content-length', { body, framing, headers: ['Content-Type: application/json'] });
        // A body shorter than announced never completes: wait a little for an early answer, then go away.
        return lie === 'bigger' ? { ...sent, waitMs: 300, abort: true } : sent;
      },
    ],
    // Chunked garbage.
    [
      8,
      () => {
        const te = random.pick([
          'chunked',
          'chunked',
          'chunked, gzip',
          'gzip, chunked',
          'gzip',
          ' chunked',
          'Chunked',
          'chunked\u0000',
          'identity',
          'chunked, chunked',
        ]);
        // A chunk longer than its data leaves the body unfinished.
        const unfinished = random.chance(0.08);
        const chunks = unfinished
          ? `ff\r\n${LOGIN_JSON}\r\n0\r\n\r\n`
          : random.pick([
              () => `${LOGIN_JSON.length.toString(16)}\r\n${LOGIN_JSON}\r\n0\r\n\r\n`,
              () => `zz\r\n${LOGIN_JSON}\r\n0\r\n\r\n`,
              () => 'fffffffffffffffffff\r\nabc\r\n0\r\n\r\n',
              () => `5\r\nhelloXX0\r\n\r\n`,
              () => `5;\u0000ext="x\r\nhello\r\n0\r\n\r\n`,
              () => `5\r\nhello\r\n0\r\nX-Trailer: y\r\nContent-Length: 99\r\n\r\n`,
              () => '5\nhello\n0\n\n',
              () => '-5\r\nhello\r\n0\r\n\r\n',
              () => '0x5\r\nhello\r\n0\r\n\r\n',
              () => [...LOGIN_JSON].map((char) => `1\r\n${char}\r\n`).join('') + '0\r\n\r\n',
              () => `${'1\r\nx\r\n'.repeat(random.int(1_000, 20_000))}0\r\n\r\n`,
            ])();
        const withLength = random.chance(0.2) ? [`Content-Length: ${random.int(0, 50)}`] : [];
        const sent = request('chunked', {
          body: Buffer.from(chunks, 'latin1'),
          framing: [`Transfer-Encoding: ${te}`, ...withLength],
          headers: [`Content-Type: ${random.pick(['application/json', 'application/x-www-form-urlencoded'])}`],
        });
        return unfinished ? { ...sent, waitMs: 300, abort: true } : sent;
      },
    ],
    // Content-Encoding: garbage, truncated, mislabelled, bombs, and now and then a real one.
    [
      8,
      () => {
        const encoding = random.pick(['br', 'gzip', 'deflate', 'x-gzip', 'compress', 'identity', 'gzip, br', 'br, br', 'BR', ' gzip', 'unknown', '*', '']);
        const json = random.chance(0.6);
        const plain = Buffer.from(json ? LOGIN_JSON : LOGIN_FORM);
        const real = random.pick([gzipSync, deflateSync, brotliCompressSync])(plain);
        const body = random.pick([
          () => random.bytes(random.int(1, 2_000)),
          () => real.subarray(0, random.int(1, real.length - 1)),
          () => real,
          () => bomb(random.pick(['gzip', 'deflate', 'br'] as const)),
          () => Buffer.from('hello'),
        ])();
        return request('content-encoding', {
          path: random.pick(['/login', '/login', '/api/token', '/logout']),
          body,
          headers: [`Content-Encoding: ${encoding}`, `Content-Type: ${json ? 'application/json' : 'application/x-www-form-urlencoded'}`],
        });
      },
    ],
    // Bad multipart bodies.
    [
      8,
      () => {
        const boundary = random.pick(['X', '----grantor', 'a'.repeat(100), '']);
        const type = random.pick([
          `multipart/form-data; boundary=${boundary}`,
          'multipart/form-data',
          'multipart/form-data; boundary=',
          'multipart/form-data; boundary="unterminated',
          `multipart/mixed; boundary=${boundary}`,
          `multipart/form-data; boundary=${boundary}; charset=bogus`,
        ]);
        const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
        const body = random.pick([
          () => random.bytes(random.int(1, 3_000)).toString('latin1'),
          () => part('username', 'alice'),
          () => `${part('username', 'alice')}${part('password', 'alice-pass')}--${boundary}--\r\n`,
          () => `${part('username', 'alice')}--wrong--\r\n`,
          () => `--${boundary}\r\n\r\nno disposition\r\n--${boundary}--\r\n`,
          () =>
            `--${boundary}\r\nContent-Disposition: form-data; name="a\u0000"; filename="../../x"\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(random.int(1, 50_000))}\r\n--${boundary}--\r\n`,
          () => `--${boundary}--\r\n`,
          () => `--${boundary}\r\nContent-Disposition: form-data; name="x"${'A'.repeat(20_000)}`,
          () => `${Array.from({ length: random.int(500, 3_000) }, (_, i) => part(`f${i}`, String(i))).join('')}--${boundary}--\r\n`,
          () => `${part('__proto__', 'x')}${part('constructor', 'y')}--${boundary}--\r\n`,
        ])();
        return request('multipart', {
          path: random.pick(['/login', '/login', '/api/token', '/logout', random.pick(staticPaths)]),
          body: Buffer.from(body, 'latin1'),
          headers: [`Content-Type: ${type}`, ...originHeaders()],
        });
      },
    ],
    // Bad urlencoded bodies.
    [
      8,
      () => {
        const body = random.pick([
          () => 'username=%zz&password=%',
          () => 'a=1&'.repeat(random.int(500, 5_000)),
          () => 'username=alice&username=bob&password=alice-pass',
          () => 'username[]=alice&password[]=alice-pass',
          () => 'username[__proto__][x]=1&__proto__=1&constructor=1',
          () => '%00=%00&&&==&=',
          () => `username=${'a'.repeat(random.int(1_000, 300_000))}&password=x`,
          () => 'username=al%C3%28ice&password=%FF%FE',
          () => LOGIN_FORM,
          () => random.bytes(random.int(1, 2_000)).toString('latin1'),
        ])();
        const type = random.pick([
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=iso-8859-1',
          'application/x-www-form-urlencoded; charset=bogus',
          'application/x-www-form-urlencoded; charset=utf-16',
          'APPLICATION/X-WWW-FORM-URLENCODED',
        ]);
        return request('urlencoded', {
          path: random.pick(['/login', '/login', '/api/token', '/logout']),
          body: Buffer.from(body, 'latin1'),
          headers: [`Content-Type: ${type}`, ...originHeaders()],
        });
      },
    ],
    // Bad JSON, prototype keys, deep nesting, injection-shaped credentials.
    [
      10,
      () => {
        const body = random.pick<() => string | Buffer>([
          () => '{"username":',
          () => LOGIN_JSON.slice(0, -1),
          () => random.pick(['[]', 'null', '"alice"', '1e999999', '-0', 'true', '', ' ', '{}']),
          () => '['.repeat(random.int(100, 100_000)),
          () => `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
          () =>
            random.pick([
              '{"__proto__":{"admin":true}}',
              '{"constructor":{"prototype":{"x":1}}}',
              '{"toString":null}',
              '{"__proto__":null}',
              '{"constructor":null}',
              '{"toLocaleString":{"__proto__":null}}',
              '{"room":null}',
              '{"room":{"__proto__":null}}',
              '{"room":["lobby"]}',
              '{"room":123}',
              '{"identity":"admin","room":"lobby"}',
            ]),
          () =>
            random.pick([
              '{"username":{"$ne":null},"password":{"$ne":null}}',
              '{"username":["alice"],"password":["alice-pass"]}',
              '{"username":"alice","password":"alice-pass","username":"bob"}',
              '{"username":"alice","password":null}',
            ]),
          () => JSON.stringify({ room: 'x'.repeat(random.int(100, 10_000)) }),
          () =>
            random.pick(['\ufeff{"room":"lobby"}', '{"room":"lob\\u0000by"}', '{"room":"\\ud800"}', '{"room":"lobby"}garbage', '{"room":"lobby"}{"room":"x"}']),
          () => Buffer.from([0x7b, 0x22, 0x72, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]),
          () => random.bytes(random.int(1, 2_000)),
        ])();
        const type = random.pick([
          'application/json',
          'application/json; charset=utf-8',
          'application/json; charset=utf-16',
          'application/json; charset=bogus',
          'application/json;;;',
          'application/vnd.api+json',
          'APPLICATION/JSON',
          'application/json, text/plain',
          'text/plain',
          'application/xml',
        ]);
        const path = random.pick(['/login', '/api/token', '/api/token', '/logout', '/api/me']);
        return request('json', { path, body: typeof body === 'string' ? Buffer.from(body) : body, headers: [`Content-Type: ${type}`, ...originHeaders()] });
      },
    ],
    // Forged and malformed session cookies, and the real one with odd company.
    [
      6,
      () => {
        const [cookie, withSession] = random.pick<() => [string, boolean]>([
          () => [`connect.sid=s%3A${random.bytes(24).toString('base64url')}.${random.bytes(32).toString('base64')}`, false],
          () => [`koa.sess=${random.bytes(40).toString('base64')}; koa.sess.sig=${random.bytes(20).toString('base64url')}`, false],
          // An unsigned session naming alice: without the signature it must not log anyone in.
          () => [`koa.sess=${Buffer.from('{"passport":{"user":"alice"}}').toString('base64')}`, false],
          () => [`grantor-demo-session=Fe26.2*1*${random.bytes(30).toString('base64url')}*${random.bytes(16).toString('base64url')}`, false],
          () => [`grantor-demo-session=${random.bytes(random.int(1, 5_000)).toString('base64url')}`, false],
          // The real cookies with the first character of each value changed: forged.
          () => [sessionCookie.replace(/=(.)/g, (_, first: string) => `=${first === 'A' ? 'B' : 'A'}`), false],
          () => [`${sessionCookie}${random.pick(['x', '%', '%00', ';;;', '"'])}`, true],
          () => [`${random.pick(['%%%=%%%', ';;;;', 'a="unterminated', '=', 'x=1'])}; ${sessionCookie}`, true],
          () => [random.pick(['%%%=%%%', ';;;;', 'a="unterminated', '=', 'connect.sid', 'grantor-demo-session=%E0%A4%A']), false],
        ])();
        const sent = request('cookies', {
          method: random.pick(['GET', 'POST']),
          path: random.pick(['/api/me', '/api/token', '/']),
          cookie: false,
          headers: [`Cookie: ${cookie}`, 'Content-Type: application/json'],
          body: Buffer.from('{"room":"lobby"}'),
        });
        return { ...sent, withSession };
      },
    ],
    // Huge bodies, announced or chunked.
    [
      0.4,
      () => {
        const size = random.pick([1, 5, 20]) * 1024 * 1024;
        const chunked = random.chance(0.4);
        const piece = Buffer.alloc(64 * 1024, random.pick(['a', ' ', '[', '0']));
        const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
        const pieces: Buffer[] = new Array(size / piece.length).fill(framed);
        const path = random.pick(['/login', '/login', '/api/token', '/logout', '/api/me', '/']);
        const base = request('huge body', {
          path,
          framing: [chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`],
          headers: [`Content-Type: ${random.pick(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=X', 'text/plain'])}`],
        });
        return { ...base, pieces: [...base.pieces, ...pieces, ...(chunked ? [Buffer.from('0\r\n\r\n')] : [])] };
      },
    ],
    // Bodies cut off by a client that goes away: after part of the body, or in the middle of the headers.
    [
      6,
      () => {
        const full = request('aborted', {
          path: random.pick(['/login', '/api/token', '/logout']),
          body: Buffer.from(random.chance(0.5) ? LOGIN_JSON.repeat(random.int(1, 3_000)) : LOGIN_FORM),
          headers: [
            `Content-Type: ${random.pick(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=X'])}`,
            ...(random.chance(0.3) ? ['Content-Encoding: gzip'] : []),
          ],
        });
        const bytes = full.pieces[0]!;
        return { ...full, pieces: [bytes.subarray(0, random.int(1, bytes.length - 1))], abort: true, waitMs: random.pick([0, 0, 5, 50]) };
      },
    ],
    // Ordinary traffic in between, so that sessions, tokens and files are served under load.
    [
      6,
      () => {
        const pick = random.int(0, 5);
        if (pick === 0)
          return request('ordinary', {
            method: 'POST',
            path: '/login',
            body: Buffer.from(LOGIN_JSON),
            headers: ['Content-Type: application/json'],
            cookie: false,
          });
        if (pick === 1)
          return request('ordinary', {
            method: 'POST',
            path: '/login',
            body: Buffer.from(LOGIN_FORM),
            headers: ['Content-Type: application/x-www-form-urlencoded'],
            cookie: false,
          });
        if (pick === 2)
          return request('ordinary', {
            method: 'POST',
            path: '/api/token',
            body: Buffer.from('{"room":"lobby"}'),
            headers: ['Content-Type: application/json'],
            cookie: true,
          });
        if (pick === 3) return request('ordinary', { method: 'POST', path: '/logout', cookie: false });
        return request('ordinary', { method: random.pick(['GET', 'HEAD']), path: random.pick(['/api/me', ...staticPaths]), cookie: random.chance(0.5) });
      },
    ],
  ];

  // Slowloris: headers, or a body, a few bytes at a time for a few seconds; half give up midway.
  function slow(index: number): HostileRequest {
    const slowBody = index % 2 === 1;
    const base = slowBody
      ? request('slow body', {
          method: 'POST',
          path: '/login',
          body: Buffer.from(LOGIN_JSON.padEnd(200, ' ')),
          headers: ['Content-Type: application/json'],
          cookie: false,
        })
      : request('slow headers', { method: 'GET', path: '/api/me', cookie: true, headers: [`X-Padding: ${'p'.repeat(100)}`] });
    const bytes = base.pieces[0]!;
    const headEnd = bytes.indexOf('\r\n\r\n') + 4;
    const trickled = slowBody ? split(random, bytes.subarray(headEnd), 4, 12) : split(random, bytes, 4, 12);
    const giveUp = random.chance(0.5);
    const pieces = [...(slowBody ? [bytes.subarray(0, headEnd)] : []), ...trickled];
    return { ...base, pieces: giveUp ? pieces.slice(0, Math.ceil(pieces.length / 2)) : pieces, pauseMs: random.int(60, 150), abort: giveUp };
  }

  const total = families.reduce((sum, [weight]) => sum + weight, 0);
  const requests = Array.from({ length: Math.min(slowSockets, count) }, (_, index) => slow(index));
  while (requests.length < count) {
    let roll = random.next() * total;
    const family = families.find(([weight]) => (roll -= weight) < 0) ?? families[0]!;
    requests.push(family[1]());
  }
  return requests;
}

/** Reads the first complete HTTP answer off a socket (skipping 100 Continue), or what came of it before the socket closed. */
class AnswerReader {
  private data = Buffer.alloc(0);
  private headEnd = -1;
  private bodyLength: number | 'chunked' | 'until close' | undefined;
  status: number | undefined;
  complete = false;

  constructor(private readonly isHead: boolean) {}

  push(chunk: Buffer): void {
    // Enough to see a stack trace; the rest of a large body is counted, not kept.
    if (this.data.length < 512 * 1024) this.data = Buffer.concat([this.data, chunk]);
    while (this.headEnd < 0) {
      const end = this.data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.data.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1]);
      if (status >= 100 && status < 200 && status !== 101) {
        this.data = this.data.subarray(end + 4);
        continue;
      }
      this.status = Number.isNaN(status) ? undefined : status;
      this.headEnd = end + 4;
      const length = /^content-length:\s*(\d+)/im.exec(head)?.[1];
      if (this.isHead || status === 101 || status === 204 || status === 304) this.bodyLength = 0;
      else if (/^transfer-encoding:.*chunked/im.test(head)) this.bodyLength = 'chunked';
      else this.bodyLength = length === undefined ? 'until close' : Number(length);
    }
    const body = this.data.subarray(this.headEnd);
    if (typeof this.bodyLength === 'number') this.complete = body.length >= this.bodyLength;
    else if (this.bodyLength === 'chunked') this.complete = body.subarray(-7).toString('latin1').endsWith('0\r\n\r\n');
  }

  text(): string {
    return this.data.toString('latin1');
  }
}

/** Sends one request on its own socket, and reads the answer. */
export async function send(port: number, hostile: HostileRequest): Promise<Outcome> {
  const socket = connect(port, '127.0.0.1');
  const reader = new AnswerReader(hostile.pieces[0]!.subarray(0, 5).toString('latin1') === 'HEAD ');
  let closed = false;
  const settled = new Promise<void>((resolve) => {
    socket.on('data', (chunk) => {
      reader.push(chunk);
      if (reader.complete) resolve();
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
  });
  // Resets and broken pipes are how a server refuses some of these: the outcome records what was answered.
  socket.on('error', () => {});
  const pause = (ms: number) => new Promise<void>((wake) => setTimeout(wake, ms));
  try {
    await new Promise<void>((resolve) => socket.once('connect', resolve).once('close', resolve));
    for (const [index, piece] of hostile.pieces.entries()) {
      if (closed || reader.complete) break;
      if (index > 0 && hostile.pauseMs > 0) await pause(hostile.pauseMs);
      if (!socket.write(piece)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), settled]);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, hostile.waitMs)))]);
    clearTimeout(timer);
  } finally {
    if (hostile.abort && !closed) socket.resetAndDestroy();
    else socket.destroy();
  }
  return {
    kind: hostile.kind,
    status: reader.status,
    answer: reader.text(),
    withSession: hostile.withSession,
    request: hostile.pieces[0]!.subarray(0, 160).toString('latin1'),
  };
}

/** Sends every request on its own socket, at most `concurrency` at a time besides the slow ones, which all start at once. */
export async function sendAll(port: number, requests: readonly HostileRequest[], concurrency: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const slow = requests.filter((hostile) => hostile.pauseMs > 0);
  // One iterator shared by the workers: each takes the next request when it is free.
  const queue = requests.filter((hostile) => hostile.pauseMs === 0).values();
  const worker = async () => {
    for (const next of queue) outcomes.push(await send(port, next));
  };
  await Promise.all([...slow.map(async (hostile) => outcomes.push(await send(port, hostile))), ...Array.from({ length: concurrency }, worker)]);
  return outcomes;
}

/** A line of a stack trace: `    at fn (file.js:1:2)`, or Next.js's `    at ignore-listed frames`. */
export const STACK_LINE = /^\s+at (.*(:\d+:\d+\)?|\(native\)|\(<anonymous>\))|ignore-listed frames.*)\s*$/m;
