// The options both token routes share: app/api/token (Edge runtime) and app/api/token-node (Node.js).
import type { AppRouteOptions } from '@grantor/next';
import { logDenied, logIssued } from './audit';
import { getSessionUser, type SessionUser } from './session';

export const tokenRouteOptions: AppRouteOptions<SessionUser> = {
  // Read when the module loads, in the runtime that serves the route; checked on the first request.
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID!,
    keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
  },
  getUser: getSessionUser, // the user from the signed session cookie, or null; never the request body
  policy: ({ user }) => ({ grants: { video: {} } }),
  onIssued: logIssued,
  onDenied: logDenied,
};
