// The mistake the docs warn about, kept to show that grantor reports it: a route created inside
// POST, for each request, so that getUser can see this event's locals. Each copy counts rateLimit
// from zero, so the limit never holds.
import { createFetchHandler } from '@grantor/core';
import { env } from '$env/dynamic/private';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) =>
  createFetchHandler({
    credentials: {
      accountSid: env.TWILIO_ACCOUNT_SID!,
      keys: { sid: env.TWILIO_API_KEY_SID!, secret: env.TWILIO_API_KEY_SECRET! },
    },
    getUser: () => event.locals.user,
    policy: ({ params }) => ({ grants: { video: { room: params.room as string } } }),
    rateLimit: { points: 3, duration: 60 },
  })(event.request);
