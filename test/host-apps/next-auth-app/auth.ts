// auth.ts (next-auth v4)
import type { DefaultSession, NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';

declare module 'next-auth' {
  interface Session { user: { id: string } & DefaultSession['user'] }
}

// In-memory users for the test; a real app looks them up in its database and compares password hashes.
const users = [
  { id: 'u1001', name: 'Alice', email: 'alice@example.com', password: 'alice-pass' },
  { id: 'u1002', name: 'Bob', email: 'bob@example.com', password: 'bob-pass' },
];

export const authOptions: NextAuthOptions = {
  providers: [
    CredentialsProvider({
      name: 'Credentials',
      credentials: {
        username: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      authorize(credentials) {
        const user = users.find((candidate) => candidate.email === credentials?.username && candidate.password === credentials?.password);
        return user ? { id: user.id, name: user.name, email: user.email } : null;
      },
    }),
  ],
  callbacks: {
    // The JWT's subject is the id your provider returned for the user.
    session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub! } }),
  },
};
