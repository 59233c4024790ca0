import type { User } from '../utils/users';

declare module 'h3' {
  interface H3EventContext {
    /** The logged-in user, from the session cookie. */
    user?: User;
  }
}

// Every request: the session cookie's user, in event.context for every server route.
export default defineEventHandler((event) => {
  event.context.user = userOfSession(getCookie(event, 'session'));
});
