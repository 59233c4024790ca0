// Hostile JSON: prototype-named keys at any depth (with null and object values), duplicate keys,
// deep nesting, broken and non-object JSON, bytes that are not UTF-8, bodies around every limit,
// some of them gzip-compressed (a 20 KB body compresses below bodyLimit).
import fc from 'fast-check';
import { fuzzTokenRoute } from './harness.js';
import {
  brokenJson,
  buildCase,
  bytes,
  deepNesting,
  duplicateKeys,
  honestFraming,
  hostileObject,
  hostileQuery,
  hugeBody,
  JSON_TYPES,
  nonObjectJson,
  notUtf8,
  originHeaders,
  profile,
  user,
} from './requests.js';

const payload = fc.oneof(
  { weight: 6, arbitrary: hostileObject.map(bytes) },
  { weight: 2, arbitrary: duplicateKeys.map(bytes) },
  { weight: 2, arbitrary: deepNesting.map(bytes) },
  { weight: 2, arbitrary: brokenJson.map(bytes) },
  { weight: 1, arbitrary: notUtf8.map((raw) => new Uint8Array(raw)) },
  { weight: 1, arbitrary: hugeBody.map(bytes) },
  { weight: 1, arbitrary: nonObjectJson.map(bytes) },
);

const requests = fc
  .record({
    profile,
    user,
    method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'PUT'),
    query: fc.oneof(fc.constant(''), hostileQuery),
    origin: fc.oneof({ weight: 4, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: originHeaders }),
    contentType: fc.constantFrom(...JSON_TYPES),
    // Really compressed: an app-wide express.json() inflates it, grantor refuses it where it reads the body.
    encoding: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant({ name: 'gzip', real: true }) }),
    payload,
    framing: honestFraming,
  })
  .map(({ origin, ...parts }) => buildCase({ ...parts, headers: origin }));

/** Params of 9-30 KB, gzip-compressed below bodyLimit: 413 behind express.json(), which inflates them; 415 where grantor reads. */
const inflating = fc.record({ profile, user, size: fc.integer({ min: 9000, max: 30_000 }), framing: honestFraming }).map(({ size, ...parts }) =>
  buildCase({
    ...parts,
    method: 'POST',
    contentType: 'application/json',
    encoding: { name: 'gzip', real: true },
    payload: bytes(JSON.stringify({ room: 'lobby', pad: 'x'.repeat(size) })),
  }),
);

fuzzTokenRoute('hostile JSON', fc.oneof({ weight: 12, arbitrary: requests }, { weight: 1, arbitrary: inflating }));
