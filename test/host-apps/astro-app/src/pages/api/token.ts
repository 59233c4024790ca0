import { createFetchHandler } from '@grantor/core';
import type { APIContext, APIRoute } from 'astro';

// Once, at module level: the route keeps its rateLimit count and signing key across requests.
const tokenRoute = createFetchHandler({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID!,
    keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
  },
  // The user your middleware put in Astro.locals: the route hands getUser its second argument.
  getUser: (_request, context: APIContext) => context.locals.user,
  policy: ({ user, params }) => {
    if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
    if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
    return { grants: { video: { room: 'lobby' } }, ttl: 600 };
  },
  allowedOrigins: [process.env.ORIGIN ?? 'http://localhost:4321'],
  rateLimit: { points: 3, duration: 60 },
});

// Every method: POST gets a token, the others grantor's JSON 405 with Allow and no-store.
export const ALL: APIRoute = (context) => tokenRoute(context.request, context);
