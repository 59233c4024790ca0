// functions/token.js
const { bearerUser, createTokenHandler, voiceIdentity } = require('@grantor/core');

let route; // once per container: the JWKS cache and rateLimit live here
let fromBearer;

exports.handler = async (context, event, callback) => {
  fromBearer ??= bearerUser({ issuer: context.OIDC_ISSUER, audience: context.OIDC_AUDIENCE });
  route ??= createTokenHandler({
    credentials: { accountSid: context.ACCOUNT_SID, keys: { sid: context.TWILIO_API_KEY_SID, secret: context.TWILIO_API_KEY_SECRET } },
    identity: (user) => voiceIdentity(user.id),
    policy: () => ({ grants: { voice: { incomingAllow: true, outgoingApplicationSid: context.TWIML_APP_SID } } }),
  });
  // The runtime parses the JSON body into `event`, beside `request` (its headers and cookies).
  const { request, ...params } = event;
  const answer = await route.handle({
    method: 'POST',
    headers: request.headers,
    getUser: () => fromBearer(event),
    body: { parsed: params },
    request: event,
  });
  const response = new Twilio.Response();
  response.setStatusCode(answer.status);
  response.setHeaders(answer.headers);
  response.setBody(answer.body);
  callback(null, response);
};
