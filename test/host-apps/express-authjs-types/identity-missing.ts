// Copied into the installed express-authjs app and compiled there (tsc -p type-tests), where it must
// fail: Auth.js's session user has an optional id, so without identity(user) the options do not
// type-check, and the error has to say so, naming identity(user) and the keys the user has.
import { getSession } from '@auth/express';
import { createTokenRoute } from '@grantor/express';
import { authConfig } from '../src/auth.js';

createTokenRoute({
  credentials: { accountSid: process.env.TWILIO_ACCOUNT_SID!, keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! } },
  getUser: async (req) => (await getSession(req, authConfig))?.user,
  policy: () => ({ grants: { video: {} } }),
});
