import { ExpressAuth, getSession } from '@auth/express';
import { createTokenRoute } from '@grantor/express';
import express from 'express';
import { authConfig } from './auth.js';

const app = express();
// If app is served through a proxy, trust the proxy to allow HTTPS protocol to be detected.
app.set('trust proxy', true);
app.use('/auth/*', ExpressAuth(authConfig));

app.use(
  '/api/token',
  createTokenRoute({
    credentials: {
      accountSid: process.env.TWILIO_ACCOUNT_SID!,
      keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
    },
    // Auth.js's session user, typed from this; its id is there because the session callback copies it.
    getUser: async (req) => (await getSession(req, authConfig))?.user,
    identity: (user) => user.id!,
    policy: ({ user, params }) => {
      if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
      if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
      return { grants: { video: { room: 'lobby' } }, ttl: 600 };
    },
    allowedOrigins: [process.env.ORIGIN ?? 'http://localhost:3000'],
    rateLimit: { points: 3, duration: 60 },
  }),
);

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
