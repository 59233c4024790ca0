import { createFetchHandler } from '@grantor/core';
import type { RouterContextProvider } from 'react-router';
import { userContext } from '~/context';
import type { Route } from './+types/api.token';

// Once, at module level: the route keeps its rateLimit count and signing key across requests.
const tokenRoute = createFetchHandler({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID!,
    keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
  },
  // The user your middleware put in the router context: the route hands getUser its second argument.
  getUser: (_request, context: Readonly<RouterContextProvider>) => context.get(userContext),
  policy: ({ user, params }) => {
    if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
    if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
    return { grants: { video: { room: 'lobby' } }, ttl: 600 };
  },
  allowedOrigins: [process.env.ORIGIN ?? 'http://localhost:5173'],
  rateLimit: { points: 3, duration: 60 },
});

// POST (and PUT, PATCH, DELETE) come to the action; GET and HEAD to the loader, which gives them
// grantor's JSON 405 instead of React Router's 400 for a resource route without one.
export const action = ({ request, context }: Route.ActionArgs) => tokenRoute(request, context);
export const loader = ({ request, context }: Route.LoaderArgs) => tokenRoute(request, context);
