// Requests a browser or a well-behaved client sends: JSON params the route understands, any user,
// any Origin / Sec-Fetch-Site, POST or GET. Each must get exactly what the policy decides. Among them
// the POST another site's page sends with fetch(url, { method: 'POST', mode: 'no-cors', credentials:
// 'include' }): no body, no Content-Type; it must never get a token (403 or 415, 401 logged out).
import fc from 'fast-check';
import { fuzzTokenRoute } from './harness.js';
import { buildCase, bytes, honestFraming, JSON_TYPES, originHeaders, profile, user, wellFormedParams } from './requests.js';

/** How browsers send a no-cors POST from https://evil.example: with Fetch Metadata, or only Origin (older ones). */
const crossSite = fc.constantFrom<[string, string][]>(
  [
    ['Origin', 'https://evil.example'],
    ['Sec-Fetch-Site', 'cross-site'],
  ],
  [['Origin', 'https://evil.example']],
  [
    ['Origin', 'null'],
    ['Sec-Fetch-Site', 'cross-site'],
  ],
);

const noCorsPost = fc
  .record({ profile, user, origin: crossSite, framing: honestFraming })
  .map(({ profile, user, origin, framing }) => buildCase({ profile, user, method: 'POST', headers: origin, payload: new Uint8Array(), framing, params: {} }));

const requests = fc
  .record({
    profile,
    user,
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
    origin: originHeaders,
    sent: wellFormedParams,
    contentType: fc.constantFrom(...JSON_TYPES),
    indent: fc.constantFrom(0, 0, 2),
    framing: honestFraming,
  })
  .map(({ profile, user, method, origin, sent, contentType, indent, framing }) => {
    const { identity: _ignored, ...params } = sent;
    const inQuery = method === 'GET';
    return buildCase({
      profile,
      user,
      method,
      query: inQuery ? new URLSearchParams(sent).toString() : '',
      headers: origin,
      contentType: inQuery ? undefined : contentType,
      payload: inQuery ? new Uint8Array() : bytes(JSON.stringify(sent, null, indent)),
      framing,
      params,
    });
  });

fuzzTokenRoute('well-formed requests', fc.oneof({ weight: 9, arbitrary: requests }, { weight: 1, arbitrary: noCorsPost }));
