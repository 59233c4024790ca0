import type { ExpressAuthConfig } from '@auth/express';
import Credentials from '@auth/express/providers/credentials';

// The app's own user records, with the role its token policy reads.
const USERS = [
  { id: '1', name: 'alice', password: 'alice-pass', role: 'host' },
  { id: '2', name: 'bob', password: 'bob-pass', role: 'guest' },
  { id: '3', name: 'carol', password: 'carol-pass', role: 'host' },
] as const;

declare module '@auth/core/types' {
  interface User {
    role?: 'host' | 'guest';
  }
}

export const authConfig: ExpressAuthConfig = {
  providers: [
    Credentials({
      credentials: { username: {}, password: {} },
      authorize: ({ username, password }) => {
        const user = USERS.find((candidate) => candidate.name === username && candidate.password === password);
        return user ? { id: user.id, name: user.name, role: user.role } : null;
      },
    }),
  ],
  callbacks: {
    jwt: ({ token, user }) => (user ? { ...token, role: user.role } : token),
    // Auth.js's session user has no id or role unless the session callback copies them from the token.
    session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub!, role: token.role as 'host' | 'guest' } }),
  },
};
