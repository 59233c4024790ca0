import { createFetchHandler } from '@grantor/core';
import { env } from '$env/dynamic/private';
import type { RequestEvent, RequestHandler } from './$types';

// Once, at module level: the route keeps its rateLimit count and signing key across requests.
const tokenRoute = createFetchHandler({
  credentials: {
    accountSid: env.TWILIO_ACCOUNT_SID!,
    keys: { sid: env.TWILIO_API_KEY_SID!, secret: env.TWILIO_API_KEY_SECRET! },
  },
  // The user that hooks.server.ts put in event.locals: the route hands getUser its second argument.
  getUser: (_request, event: RequestEvent) => event.locals.user,
  policy: ({ user, params }) => {
    if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
    if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
    return { grants: { video: { room: 'lobby' } }, ttl: 600 };
  },
  allowedOrigins: [env.ORIGIN ?? 'http://localhost:5173'],
  rateLimit: { points: 3, duration: 60 },
});

export const POST: RequestHandler = (event) => tokenRoute(event.request, event);
// Every other method: grantor's JSON 405 with Allow and no-store, not SvelteKit's plain-text 405.
export const fallback: RequestHandler = (event) => tokenRoute(event.request, event);
