// Requests a browser or a well-behaved client sends: JSON params the route understands, any user,
// any Origin / Sec-Fetch-Site, POST or GET. Each must get exactly what the policy decides.
import fc from 'fast-check';
import { fuzzTokenRoute } from './harness.js';
import { buildCase, bytes, honestFraming, JSON_TYPES, originHeaders, profile, user, wellFormedParams } from './requests.js';

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

fuzzTokenRoute('well-formed requests', requests);
