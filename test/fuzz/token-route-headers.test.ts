// Every method (odd ones and ones Node does not know), content types, content encodings (real and
// claimed), Expect: 100-continue, Origin / Sec-Fetch-Site variants, logged in or not; one request in
// six with a malformed Host (or none), mostly with the Origin of the app's own page, after each
// malformed Host once from that page and once from curl (malformedHostExamples, within the runs).
import fc from 'fast-check';
import { fuzzTokenRoute } from './harness.js';
import {
  buildCase,
  bytes,
  contentEncoding,
  contentType,
  honestFraming,
  hostileObject,
  malformedHost,
  malformedHostExamples,
  method,
  originHeaders,
  profile,
  room,
  user,
} from './requests.js';

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
    origin: fc.oneof({ weight: 5, arbitrary: originHeaders.map((origin) => ({ host: undefined, origin })) }, { weight: 1, arbitrary: malformedHost }),
    expect: fc.constantFrom<[string, string][]>([], [], [], [['Expect', '100-continue']]),
    contentType,
    encoding: contentEncoding,
    payload,
    framing: honestFraming,
  })
  .map(({ origin: { host, origin }, expect, ...parts }) => buildCase({ ...parts, host, headers: [...origin, ...expect] }));

fuzzTokenRoute('methods, content types, encodings, origins and Hosts', requests, undefined, malformedHostExamples());
