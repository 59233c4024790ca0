import { createFetchHandler } from '@grantor/core';
import type { H3Event } from 'h3';

// Once, at module level: the route keeps its rateLimit count and signing key across requests.
const tokenRoute = createFetchHandler({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID!,
    keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
  },
  // The user your server middleware put in event.context: the route hands getUser its second argument.
  getUser: (_request, event: H3Event) => event.context.user,
  policy: ({ user, params }) => {
    if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
    if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
    return { grants: { video: { room: 'lobby' } }, ttl: 600 };
  },
  allowedOrigins: [process.env.ORIGIN ?? 'http://localhost:3000'],
  rateLimit: { points: 3, duration: 60 },
});

// No method in the file name: every method comes here, POST for a token, the others for grantor's JSON 405.
export default defineEventHandler((event) => tokenRoute(toWebRequest(event), event));
