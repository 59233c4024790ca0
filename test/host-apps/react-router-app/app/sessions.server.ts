// React Router's cookie session storage, as its sessions guide sets it up.
import { createCookieSessionStorage } from 'react-router';

type SessionData = { userId: string };

const { getSession, commitSession, destroySession } = createCookieSessionStorage<SessionData>({
  cookie: {
    name: '__session',
    httpOnly: true,
    maxAge: 60 * 60 * 8,
    path: '/',
    sameSite: 'lax',
    secrets: [process.env.SESSION_SECRET ?? 'react-router-app-secret'],
    secure: false,
  },
});

export { commitSession, destroySession, getSession };
