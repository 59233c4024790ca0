import { authenticate, jsonError } from '@grantor/demo-kit';
import { refuseForeignOrigin } from '../../lib/demo';
import { getSession } from '../../lib/session';

/** The fields of a JSON or form body (any other body has none); undefined when the JSON is not an object. */
async function readFields(request: Request): Promise<Record<string, unknown> | undefined> {
  const type = request.headers.get('content-type') ?? '';
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return Object.fromEntries(await request.formData());
  if (!/^application\/json/i.test(type)) return {};
  const parsed: unknown = await request.json().catch(() => undefined);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
}

export async function POST(request: Request): Promise<Response> {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  const fields = await readFields(request);
  if (!fields) return Response.json(jsonError('INVALID_REQUEST', 'The request body is not a JSON object.'), { status: 400 });
  const user = authenticate(fields.username, fields.password);
  if (!user) return Response.json(jsonError('UNAUTHENTICATED', 'Wrong username or password.'), { status: 401 });
  const session = await getSession();
  session.userId = user.id;
  await session.save();
  return Response.json({ user });
}
