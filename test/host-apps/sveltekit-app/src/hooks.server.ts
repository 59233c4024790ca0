import type { Handle } from '@sveltejs/kit';
import { userOfSession } from '$lib/server/users';

// Every request: the session cookie's user, in event.locals for every route.
export const handle: Handle = async ({ event, resolve }) => {
  event.locals.user = userOfSession(event.cookies.get('session'));
  return resolve(event);
};
