// index.mjs
import { bearerUser, createFetchHandler, voiceIdentity } from '@grantor/core';

const route = createFetchHandler({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID,
    keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
  },
  getUser: bearerUser({ issuer: process.env.OIDC_ISSUER, audience: process.env.OIDC_AUDIENCE }),
  identity: (user) => voiceIdentity(user.id),
  policy: () => ({ grants: { voice: { incomingAllow: true, outgoingApplicationSid: process.env.TWIML_APP_SID } } }),
});

export async function handler(event) {
  const { requestContext, rawPath, rawQueryString, headers, body, isBase64Encoded } = event;
  const request = new Request(`https://${requestContext.domainName}${rawPath}${rawQueryString ? `?${rawQueryString}` : ''}`, {
    method: requestContext.http.method,
    headers,
    body: body === undefined ? undefined : isBase64Encoded ? Buffer.from(body, 'base64') : body,
  });
  const response = await route(request);
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}
