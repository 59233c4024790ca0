// A stateless session: an HS256 JWT in an HttpOnly cookie, signed and verified with jose, which uses
// WebCrypto and so runs on the Edge runtime and on Node.js alike.
import { jwtVerify, SignJWT } from 'jose';
import { cookies } from 'next/headers';

export const SESSION_COOKIE = 'session';
const MAX_AGE = 60 * 60 * 8; // 8 hours

export interface SessionUser {
  id: string;
  name: string;
}

// Read on each call, not at module load: `next build` evaluates route modules without the secret.
function secretKey(): Uint8Array {
  const secret = process.env.SESSION_SECRET;
  if (!secret || secret.length < 32) throw new Error('SESSION_SECRET must be set to at least 32 characters');
  return new TextEncoder().encode(secret);
}

export async function createSessionCookie(user: SessionUser): Promise<void> {
  const jwt = await new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(`${MAX_AGE}s`)
    .sign(secretKey());
  (await cookies()).set(SESSION_COOKIE, jwt, {
    httpOnly: true,
    sameSite: 'lax',
    secure: process.env.NODE_ENV === 'production',
    path: '/',
    maxAge: MAX_AGE,
  });
}

export async function deleteSessionCookie(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

/** The logged-in user from the session cookie, or null (no cookie, a bad signature, expired). */
export async function getSessionUser(): Promise<SessionUser | null> {
  const jwt = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!jwt) return null;
  try {
    const { payload } = await jwtVerify(jwt, secretKey(), { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string') return null;
    return { id: payload.sub, name: typeof payload.name === 'string' ? payload.name : '' };
  } catch {
    return null;
  }
}
