// Every method (odd ones and ones Node does not know), content types, content encodings (real and
// claimed), Expect: 100-continue, Origin / Sec-Fetch-Site variants, logged in or not.
import fc from 'fast-check';
import { fuzzTokenRoute } from './harness.js';
import { buildCase, bytes, contentEncoding, contentType, honestFraming, hostileObject, method, originHeaders, profile, room, user } from './requests.js';

const payload = fc.oneof(
  { weight: 3, arbitrary: room.map((name) => bytes(JSON.stringify({ room: name }))) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array()) },
  { weight: 1, arbitrary: hostileObject.map(bytes) },
  { weight: 1, arbitrary: fc.constantFrom('room=lobby', '--x\r\nContent-Disposition: form-data; name="room"\r\n\r\nlobby\r\n--x--', '{"room":').map(bytes) },
);

const requests = fc
  .record({
    profile,
    user,
    method,
    origin: originHeaders,
    expect: fc.constantFrom<[string, string][]>([], [], [], [['Expect', '100-continue']]),
    contentType,
    encoding: contentEncoding,
    payload,
    framing: honestFraming,
  })
  .map(({ origin, expect, ...parts }) => buildCase({ ...parts, headers: [...origin, ...expect] }));

fuzzTokenRoute('methods, content types, encodings and origins', requests);
