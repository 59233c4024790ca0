// fast-check generators for token requests: every part of an HTTP request a client controls, from
// the method to how the body is framed and whether the client stays for the answer.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

export const ALLOWED_ORIGIN = 'https://app.example';
/** Stands for the route's own origin (`http://127.0.0.1:<port>`): the harness sends that instead. */
export const OWN_ORIGIN = 'http://own-origin.invalid';
/**
 * `post`: the default options (POST only, no `allowedOrigins`: the default origin rule);
 * `get`: `methods: ['GET', 'POST']` and `allowedOrigins: [ALLOWED_ORIGIN]`.
 */
export const PROFILES = { post: ['POST'], get: ['GET', 'POST'] } as const;
export const LISTS_ORIGINS: Record<Profile, boolean> = { post: false, get: true };
export type Profile = keyof typeof PROFILES;
export type UserName = 'alice' | 'bob';

export interface FuzzCase {
  profile: Profile;
  /** The Host header's value when it is not the route's own (null: none at all). */
  host?: string | null;
  /** Who is logged in; null: nobody. */
  user: UserName | null;
  method: string;
  /** The query string, without `?`. */
  query: string;
  headers: [string, string][];
  /** The bytes after the head, exactly as sent. */
  body: Uint8Array;
  /** The body the client means, before any chunking (compressed, when it is). */
  payload: Uint8Array;
  /** The payload before compression: what a parser that inflates it reads. */
  plain: Uint8Array;
  /** The Content-Length sent, when one is. */
  declaredLength?: number;
  /**
   * How the request breaks HTTP/1.1, so that Node's parser may answer 400 itself: in the head (no
   * app code runs), in the body (the app sees the body fail mid-read), or bytes after the request.
   */
  malformed: false | 'head' | 'body' | 'trailing';
  /** `half-close`: the client ends its side before the body it promised is complete. */
  ending: 'answer' | 'half-close' | 'abort';
  /** For `abort`: the connection goes only once the server has had time to start reading. */
  abortLate: boolean;
  /** For requests the route fully understands: the params the policy must get when no gate refuses. */
  params?: Record<string, string>;
}

export const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

// ---- who, from where ----

export const user = fc.constantFrom<UserName | null>('alice', 'alice', 'alice', 'bob', null);
export const profile = fc.constantFrom<Profile>('post', 'get');

const originValue = fc.constantFrom(
  ALLOWED_ORIGIN,
  ` ${ALLOWED_ORIGIN} `,
  '',
  'null',
  'https://evil.example',
  'http://app.example',
  'https://APP.example',
  'https://app.example:443',
  'https://app.example/',
  'https://app.example.evil.example',
  `${ALLOWED_ORIGIN}, https://evil.example`,
  'https://\u00e4pp.example',
  OWN_ORIGIN,
  OWN_ORIGIN,
);
const fetchSite = fc.constantFrom('same-origin', 'same-site', 'none', 'cross-site', 'Cross-Site', '');

/** Origin and Sec-Fetch-Site, each absent, once or (rarely) twice. */
export const originHeaders: fc.Arbitrary<[string, string][]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
  { weight: 3, arbitrary: fc.constant<[string, string][]>([['Origin', ALLOWED_ORIGIN]]) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.array(originValue, { maxLength: 2 }), fc.array(fetchSite, { maxLength: 2 }))
      .map(([origins, sites]) => [
        ...origins.map((value): [string, string] => ['Origin', value]),
        ...sites.map((value): [string, string] => ['Sec-Fetch-Site', value]),
      ]),
  },
);

/**
 * Host values no browser sends, none of them a URL host: empty, with a space or a tab (which Node's
 * parser takes), with control characters (which it refuses), an invalid port, a bracketed non-IPv6,
 * userinfo, a label over 63 characters, one over Node's 16 KB header limit, and more.
 */
export const MALFORMED_HOSTS = [
  '',
  'a b',
  'exa\tmple.com',
  'a\u0001b',
  'a\u007fb',
  'host:99999',
  ':80',
  '[x]',
  '[::1',
  'a@b',
  '%',
  'example.com:99999',
  'example.com:80/path',
  'exa mple.com:80/path',
  '\u00e9xample.com',
  `${'a'.repeat(300)}.example`,
  'h'.repeat(17_000),
];

/**
 * A malformed Host (or none) with the headers of a browser on the app's own page, which the origin
 * rule judges by Host (Origin, no Sec-Fetch-Site), or of another site, a browser with Fetch Metadata, curl.
 */
export const malformedHost = fc.record({
  host: fc.constantFrom<string | null>(...MALFORMED_HOSTS, null),
  origin: fc.constantFrom<[string, string][]>(
    [['Origin', OWN_ORIGIN]],
    [['Origin', OWN_ORIGIN]],
    [['Origin', 'https://evil.example']],
    [
      ['Origin', OWN_ORIGIN],
      ['Sec-Fetch-Site', 'same-origin'],
    ],
    [],
  ),
});

/**
 * Each malformed Host, and none, in alice's JSON POST: from a browser on the app's own page, which the
 * origin rule judges by Host (403), and from curl (a token). Built by buildCase, below.
 */
export const malformedHostExamples = (): FuzzCase[] =>
  [...MALFORMED_HOSTS, null].flatMap((host) =>
    [[['Origin', OWN_ORIGIN] as [string, string]], []].map((origin) =>
      buildCase({
        profile: 'post',
        host,
        user: 'alice',
        method: 'POST',
        headers: origin,
        contentType: 'application/json',
        payload: bytes('{"room":"lobby"}'),
        framing: { kind: 'length', zeros: 0 },
        params: { room: 'lobby' },
      }),
    ),
  );

// ---- methods ----

/** Weighted toward the enabled ones; the rest are known to Node (Next knows fewer) or unknown to it. */
export const method = fc.oneof(
  { weight: 12, arbitrary: fc.constant('POST') },
  { weight: 4, arbitrary: fc.constant('GET') },
  { weight: 5, arbitrary: fc.constantFrom('HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'QUERY', 'M-SEARCH', 'PURGE', 'MKCOL', 'CONNECT') },
  { weight: 1, arbitrary: fc.constantFrom('post', 'get', 'BREW', 'P0ST', 'POSTX') },
);

// ---- content types and encodings ----

/** The one media type the route takes (README: every POST is `application/json`), as clients write it. */
export const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', ' application/json '];

export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...JSON_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/vnd.api+json',
      'application/ld+json',
      'application/json-patch+json',
      'application/json, text/plain',
      'application/json; charset=latin1',
      'application/json; charset=utf-16le',
      'application/json; charset=no-such-charset',
      'application/json; boundary="a;b"',
      'application/csp-report',
      'json',
      '/',
      '',
      '*/*',
    ),
  },
);

/** A Content-Encoding header, and whether the body really is encoded that way. */
export const contentEncoding = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.record({ name: fc.constantFrom('gzip', 'deflate', 'br', 'GZIP'), real: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('identity', 'gzip, gzip', 'x-unknown', 'compress', ''), real: fc.constant(false) }) },
);

export function encode(payload: Uint8Array, name: string): Uint8Array {
  const encoder = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }[name.toLowerCase()];
  return encoder ? new Uint8Array(encoder(payload)) : payload;
}

// ---- JSON, well-formed and hostile ----

/** Names of Object.prototype members, which naive code finds on every object. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__lookupSetter__',
];
const prototypeKey = fc.constantFrom(...PROTOTYPE_KEYS);

/** Valid rooms: 1-128 UTF-16 units, as the route documents. */
export const room = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('lobby', 'standup', 'lobby', 'crash') },
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('r'.repeat(128), '😀'.repeat(64), ' ', '\u0000', '<script>', '../../etc/passwd') },
);
/** Room values the route must refuse (400). */
const badRoom = fc.constantFrom('""', '"' + 'r'.repeat(129) + '"', '42', 'null', 'true', '[]', '{}', '["lobby"]', '{"__proto__":null}');

const key = fc.oneof(
  { weight: 5, arbitrary: prototypeKey },
  { weight: 2, arbitrary: fc.constantFrom('room', 'identity', 'room.name', 'room[0]', '*', '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);

const scalar = fc.oneof(
  fc.constantFrom('null', '{}', '[]', 'true', 'false', '0', '-0', '1e999', '""', '"lobby"', '"crash"', '"\\ud800"', '"\\u0000"', '"__proto__"'),
  fc.string().map((text) => JSON.stringify(text)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

const objectText = (entries: [string, string][]) => `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;

/** JSON text with prototype-named keys at any depth, mostly holding null or small objects; entries are lists, so keys may repeat. */
export const hostileValue = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: fc.constantFrom('null', '{}', '[]', '"lobby"') },
    { weight: 2, arbitrary: scalar },
    { weight: 2, arbitrary: tie('object') },
    { weight: 1, arbitrary: tie('array') },
  ),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 3 }).map(objectText),
  array: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
})).value;

export const hostileObject = fc.array(fc.tuple(key, hostileValue), { minLength: 1, maxLength: 3 }).map(objectText);

/** One key, said two or three times. */
export const duplicateKeys = fc
  .tuple(
    fc.constantFrom('room', ...PROTOTYPE_KEYS),
    fc.array(
      fc.oneof(
        room.map((text) => JSON.stringify(text)),
        hostileValue,
        badRoom,
      ),
      { minLength: 2, maxLength: 3 },
    ),
  )
  .map(([name, values]) => objectText(values.map((value): [string, string] => [name, value])));

/** Nesting far deeper than any client needs, under a known key, a prototype key or at the top. */
export const deepNesting = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 3000, max: 4100 }), fc.integer({ min: 4100, max: 60_000 })),
    open: fc.constantFrom('[', '{"a":', '{"__proto__":', '{"constructor":'),
    under: fc.constantFrom(undefined, 'room', '__proto__', 'toString', 'x'),
  })
  .map(({ depth, open, under }) => {
    const close = open === '[' ? ']' : '}';
    const nest = `${open.repeat(depth)}${open === '[' ? '' : 'null'}${close.repeat(depth)}`;
    return under === undefined ? nest : `{${JSON.stringify(under)}:${nest}}`;
  });

/** Texts that are not JSON, or only nearly. */
export const brokenJson = fc.oneof(
  fc.tuple(hostileObject, fc.nat()).map(([text, at]) => text.slice(0, at % Math.max(text.length, 1))),
  fc
    .tuple(hostileObject, fc.nat(), fc.string({ minLength: 1, maxLength: 2 }))
    .map(([text, at, junk]) => text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1))),
  fc.constantFrom(
    '{"room":"lobby"',
    "{'room':'lobby'}",
    '{"room":"lobby",}',
    '{"room":"lobby"} {"room":"b"}',
    '{"room":"lobby"}garbage',
    '/* c */{"room":"lobby"}',
    '\uFEFF{"room":"lobby"}',
    '{"room":NaN}',
    '{"room":"\\x41"}',
    '{"room":"a\nb"}',
    'undefined',
    '{',
    '}',
    '"',
    '\u0000',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
);

/** Bytes that are not UTF-8 (lone continuation bytes, overlong forms, surrogates, latin-1), inside an otherwise fine body. */
export const notUtf8 = fc
  .tuple(
    fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe9], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xff]),
    fc.constantFrom('room', 'key', 'raw'),
  )
  .map(([bad, where]) => {
    const raw = Buffer.from(bad);
    if (where === 'room') return Buffer.concat([Buffer.from('{"room":"lob'), raw, Buffer.from('by"}')]);
    if (where === 'key') return Buffer.concat([Buffer.from('{"'), raw, Buffer.from('":1}')]);
    return Buffer.concat([raw, Buffer.from('{"room":"lobby"}')]);
  });

/** Valid JSON objects this large: whitespace or a padding string around bodyLimit (8192), app parser limits (100 kB) and Next's (1 MB). */
export const hugeBody = fc
  .record({
    size: fc.oneof(fc.integer({ min: 8150, max: 8250 }), fc.integer({ min: 99_000, max: 104_000 }), fc.integer({ min: 1_040_000, max: 1_060_000 })),
    padding: fc.constantFrom('spaces', 'string', 'array'),
  })
  .map(({ size, padding }) => {
    const head = '{"room":"lobby"';
    const fill = Math.max(size - head.length - 10, 0);
    if (padding === 'spaces') return `${head}${' '.repeat(fill)}}`;
    if (padding === 'string') return `${head},"pad":"${'x'.repeat(fill)}"}`;
    return `${head},"pad":[${'0,'.repeat(fill / 2)}0]}`;
  });

export const nonObjectJson = fc.oneof(
  fc.constantFrom('null', '0', '"lobby"', 'true', '[]', '[{"room":"lobby"}]', '""'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);

/** A JSON body the route understands: an optional room and a client `identity` the route must ignore. */
export const wellFormedParams = fc.record({ room, identity: fc.constantFrom('admin', 'bob', 'alice', '') }, { requiredKeys: [] });

// ---- framing ----

export type Framing =
  | { kind: 'length'; zeros: number }
  | { kind: 'chunked'; cuts: number[]; extensions: boolean; trailer: boolean; name: string }
  | { kind: 'none' }
  | { kind: 'short'; by: number }
  | { kind: 'long'; by: number }
  | { kind: 'abort'; keep: number; chunked: boolean; late: boolean }
  | { kind: 'bad-length'; value: string }
  | { kind: 'duplicate-length'; same: boolean }
  | { kind: 'length-and-chunked' }
  | { kind: 'bad-chunk'; variant: 'size' | 'short-data' | 'no-crlf' };

const chunked = fc.record({
  kind: fc.constant('chunked' as const),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  extensions: fc.boolean(),
  trailer: fc.boolean(),
  name: fc.constantFrom('chunked', 'Chunked', 'gzip, chunked'),
});

/** Honest framings only. */
export const honestFraming: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('length' as const), zeros: fc.constantFrom(0, 0, 0, 3) }) },
  { weight: 2, arbitrary: chunked },
);

/** Every framing, honest or not. */
export const anyFraming: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 3, arbitrary: honestFraming },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('short' as const), by: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('long' as const), by: fc.integer({ min: 1, max: 20 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('abort' as const),
      keep: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      chunked: fc.boolean(),
      late: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bad-length' as const),
      value: fc.constantFrom('-1', '+2', '', '1.5', '0x10', 'abc', '2, 2', '99999999999999999999'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate-length' as const), same: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'length-and-chunked' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('bad-chunk' as const), variant: fc.constantFrom('size' as const, 'short-data' as const, 'no-crlf' as const) }),
  },
);

function chunk(payload: Uint8Array, cuts: number[], extensions: boolean, trailer: boolean): Buffer {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * payload.length)))].filter((at) => at > 0 && at < payload.length).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...points, payload.length]) {
    if (to > from)
      pieces.push(
        Buffer.from(`${(to - from).toString(16)}${extensions ? ';ext="a b"' : ''}\r\n`),
        Buffer.from(payload.subarray(from, to)),
        Buffer.from('\r\n'),
      );
    from = to;
  }
  pieces.push(Buffer.from(`0\r\n${trailer ? 'X-Trailer: 1\r\n' : ''}\r\n`));
  return Buffer.concat(pieces);
}

/** The framing headers, the bytes sent and what the framing breaks. */
export function frame(payload: Uint8Array, framing: Framing): Pick<FuzzCase, 'headers' | 'body' | 'declaredLength' | 'malformed' | 'ending' | 'abortLate'> {
  const n = payload.length;
  const honest = { malformed: false as const, ending: 'answer' as const, abortLate: false };
  const length = (value: number, zeros = 0): [string, string] => ['Content-Length', `${'0'.repeat(zeros)}${value}`];
  switch (framing.kind) {
    case 'length':
      return { ...honest, headers: [length(n, framing.zeros)], body: payload, declaredLength: n };
    case 'chunked':
      return { ...honest, headers: [['Transfer-Encoding', framing.name]], body: chunk(payload, framing.cuts, framing.extensions, framing.trailer) };
    case 'none':
      return { ...honest, headers: [], body: payload, malformed: n > 0 ? 'trailing' : false };
    case 'short': {
      const declared = Math.max(n - framing.by, 0);
      return { ...honest, headers: [length(declared)], body: payload, declaredLength: declared, malformed: declared < n ? 'trailing' : false };
    }
    case 'long':
      return { ...honest, headers: [length(n + framing.by)], body: payload, declaredLength: n + framing.by, ending: 'half-close' };
    case 'abort': {
      const abort = { malformed: false as const, ending: 'abort' as const, abortLate: framing.late };
      if (framing.chunked) {
        const whole = chunk(payload, [0.5], false, false);
        // Cut anywhere before the last chunk's terminator completes.
        return { ...abort, headers: [['Transfer-Encoding', 'chunked']], body: whole.subarray(0, Math.floor(framing.keep * (whole.length - 4))) };
      }
      const declared = Math.max(n, 1);
      return { ...abort, headers: [length(declared)], body: payload.subarray(0, Math.floor(framing.keep * declared)), declaredLength: declared };
    }
    case 'bad-length':
      return { ...honest, headers: [['Content-Length', framing.value]], body: payload, malformed: 'head' };
    case 'duplicate-length':
      return { ...honest, headers: [length(n), length(framing.same ? n : n + 1)], body: payload, malformed: 'head' };
    case 'length-and-chunked':
      return { ...honest, headers: [length(n), ['Transfer-Encoding', 'chunked']], body: chunk(payload, [], false, false), malformed: 'head' };
    case 'bad-chunk': {
      const data = Buffer.from(payload);
      const body = {
        size: Buffer.concat([Buffer.from('zz\r\n'), data, Buffer.from('\r\n0\r\n\r\n')]),
        'short-data': Buffer.concat([Buffer.from(`${(n + 3).toString(16)}\r\n`), data, Buffer.from('\r\n0\r\n\r\n')]),
        'no-crlf': Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), data, Buffer.from('0\r\n\r\n')]),
      }[framing.variant];
      return { ...honest, headers: [['Transfer-Encoding', 'chunked']], body, malformed: 'body' };
    }
  }
}

// ---- whole requests ----

export interface Parts {
  profile: Profile;
  host?: string | null;
  user: UserName | null;
  method: string;
  query?: string;
  headers?: [string, string][];
  contentType?: string | undefined;
  encoding?: { name: string; real: boolean } | undefined;
  payload: Uint8Array;
  framing: Framing;
  params?: Record<string, string>;
}

export function buildCase({ profile, host, user, method, query = '', headers = [], contentType, encoding, payload, framing, params }: Parts): FuzzCase {
  const sent = encoding?.real ? encode(payload, encoding.name) : payload;
  const framed = frame(sent, framing);
  const typeHeaders: [string, string][] = contentType === undefined ? [] : [['Content-Type', contentType]];
  const encodingHeaders: [string, string][] = encoding ? [['Content-Encoding', encoding.name]] : [];
  return {
    profile,
    ...(host !== undefined && { host }),
    user,
    method,
    query,
    ...framed,
    headers: [...headers, ...typeHeaders, ...encodingHeaders, ...framed.headers],
    payload: sent,
    plain: payload,
    ...(params && { params }),
  };
}

/** A query string with repeated and prototype-named keys, bracket syntax included. */
export const hostileQuery = fc
  .array(
    fc.tuple(
      fc.oneof(
        key,
        fc.tuple(prototypeKey, prototypeKey).map(([outer, inner]) => `${outer}[${inner}]`),
        fc.constantFrom('room[]', 'room[a]', 'room'),
      ),
      fc.oneof(room, fc.constantFrom('', 'null', '{}')),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'));
