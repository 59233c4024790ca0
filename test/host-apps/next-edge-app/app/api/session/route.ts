// Log in (POST {"email","password"}) and out (DELETE): sets or clears the signed session cookie.
import { createSessionCookie, deleteSessionCookie } from '@/lib/session';
import { findUser } from '@/lib/users';

export const runtime = 'edge';

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as { email?: unknown; password?: unknown } | null;
  const user = findUser(body?.email, body?.password);
  if (!user) return Response.json({ error: 'Wrong email or password' }, { status: 401 });
  await createSessionCookie(user);
  return Response.json({ user });
}

export async function DELETE() {
  await deleteSessionCookie();
  return new Response(null, { status: 204 });
}
