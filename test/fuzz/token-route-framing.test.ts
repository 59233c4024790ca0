// How the body travels: Content-Length (honest, with leading zeros, too short, too long, invalid,
// repeated), chunked (split anywhere, extensions, trailers, broken chunks), both at once, and
// clients that send headers and part of the body, then disconnect (at once, or once the server reads).
import fc from 'fast-check';
import { fuzzTokenRoute } from './harness.js';
import { anyFraming, buildCase, bytes, hostileObject, hugeBody, JSON_TYPES, originHeaders, profile, room, user } from './requests.js';

const payload = fc.oneof(
  { weight: 4, arbitrary: room.map((name) => bytes(JSON.stringify({ room: name }))) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array()) },
  { weight: 2, arbitrary: hostileObject.map(bytes) },
  { weight: 1, arbitrary: hugeBody.map(bytes) },
);

const requests = fc
  .record({
    profile,
    user,
    method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
    origin: fc.oneof({ weight: 4, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: originHeaders }),
    contentType: fc.constantFrom(...JSON_TYPES, undefined),
    payload,
    framing: anyFraming,
  })
  .map(({ origin, ...parts }) => buildCase({ ...parts, headers: origin }));

fuzzTokenRoute('framing, lies and disconnects', requests);
