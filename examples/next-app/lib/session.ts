import { randomBytes } from 'node:crypto';
import { type DemoUser, findUser } from '@grantor/demo-kit';
import { getIronSession, type IronSession, type SessionOptions } from 'iron-session';
import { cookies } from 'next/headers';

interface SessionData {
  userId: string;
}

// Next may instantiate this module more than once (per bundling layer, and on every dev reload):
// the generated password lives on globalThis so that every copy seals and unseals with the same one.
const GENERATED_PASSWORD = Symbol.for('grantor.example-next-app.session-password');

function sessionPassword(): string {
  const configured = process.env.SESSION_PASSWORD;
  if (configured !== undefined) {
    if (configured.length < 32) throw new Error('SESSION_PASSWORD must be at least 32 characters long.');
    return configured;
  }
  // A new random password per start: restarting logs everyone out, which is fine for a demo.
  const store = globalThis as { [GENERATED_PASSWORD]?: string };
  return (store[GENERATED_PASSWORD] ??= randomBytes(32).toString('base64url'));
}

function sessionOptions(): SessionOptions {
  return {
    cookieName: 'grantor-demo-session',
    password: sessionPassword(),
    ttl: 8 * 60 * 60,
    // The demo serves plain HTTP, like the Express and Koa demos; behind HTTPS, drop `secure: false`.
    cookieOptions: { httpOnly: true, sameSite: 'lax', secure: false },
  };
}

/** The encrypted cookie session of the current request (route handlers only: saving sets a cookie). */
export async function getSession(): Promise<IronSession<SessionData>> {
  return getIronSession<SessionData>(await cookies(), sessionOptions());
}

/** The logged-in demo user, or undefined. */
export async function currentUser(): Promise<DemoUser | undefined> {
  return findUser((await getSession()).userId);
}
