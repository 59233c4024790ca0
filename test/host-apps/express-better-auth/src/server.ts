import { createTokenRoute } from '@grantor/express';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import express from 'express';
import { auth } from './auth.js';

const app = express();
// better-auth's routes (sign-up, sign-in, sign-out) before any body parser, as its Express guide says.
app.all('/api/auth/*splat', toNodeHandler(auth));
app.use(express.json());

app.use(
  '/api/token',
  createTokenRoute({
    credentials: {
      accountSid: process.env.TWILIO_ACCOUNT_SID!,
      keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
    },
    // better-auth's session user; the policy's `user` is typed from it, and its id is the identity.
    getUser: async (req) => (await auth.api.getSession({ headers: fromNodeHeaders(req.headers) }))?.user,
    policy: ({ user, params }) => {
      if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
      if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
      return { grants: { video: { room: 'lobby' } }, ttl: 600 };
    },
    allowedOrigins: [process.env.ORIGIN ?? 'http://localhost:3000'],
    rateLimit: { points: 3, duration: 60 },
  }),
);

// The demo's accounts: alice and carol host, bob is a guest (ids 1, 2, 3 in this order).
const context = await auth.$context;
for (const [name, role] of [['alice', 'host'], ['bob', 'guest'], ['carol', 'host']] as const) {
  const { user } = await auth.api.signUpEmail({ body: { name, email: `${name}@example.com`, password: `${name}-pass` } });
  await context.internalAdapter.updateUser(user.id, { role });
}

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
