import { defineMiddleware } from 'astro:middleware';
import { userOfSession } from './lib/users';

// Every request: the session cookie's user, in Astro.locals for every page and endpoint.
export const onRequest = defineMiddleware((context, next) => {
  context.locals.user = userOfSession(context.cookies.get('session')?.value);
  return next();
});
