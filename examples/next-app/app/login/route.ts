import { authenticate, jsonError, LOGIN_BODY_LIMIT } from '@grantor/demo-kit';
import { refuseForeignOrigin } from '../../lib/demo';
import { getSession } from '../../lib/session';

type Fields = Record<string, unknown>;

const problem = (status: number, message: string) => Response.json(jsonError('INVALID_REQUEST', message), { status });

/**
 * The body, or the answer when it cannot be had: route handlers have no body limit of their own, so
 * an announced or a streamed body over LOGIN_BODY_LIMIT is refused without reading the rest.
 */
async function readBody(request: Request): Promise<Buffer | Response> {
  const tooLarge = () => problem(413, `The request body is over ${LOGIN_BODY_LIMIT} bytes.`);
  if (Number(request.headers.get('content-length')) > LOGIN_BODY_LIMIT) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // A Web ReadableStream is async iterable in Node.js (the DOM typings lack it); leaving the loop cancels it.
    for await (const chunk of (request.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > LOGIN_BODY_LIMIT) return tooLarge();
      chunks.push(chunk);
    }
  } catch {
    // The client went away mid-body: nobody reads this answer, and it is no server error to log.
    return problem(400, 'The request body ended early.');
  }
  return Buffer.concat(chunks);
}

/** The fields of a JSON, urlencoded or multipart body (any other type has none), or the 400 of a malformed one. */
async function parseFields(type: string, body: Buffer): Promise<Fields | Response> {
  if (/^application\/x-www-form-urlencoded/i.test(type)) return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  if (/^multipart\/form-data/i.test(type)) {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData().catch(() => undefined);
    return form ? Object.fromEntries(form) : problem(400, 'The request body is not valid multipart/form-data.');
  }
  if (!/^application\/json/i.test(type)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Fields) : problem(400, 'The request body is not a JSON object.');
}

export async function POST(request: Request): Promise<Response> {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  const body = await readBody(request);
  if (body instanceof Response) return body;
  const fields = await parseFields(request.headers.get('content-type') ?? '', body);
  if (fields instanceof Response) return fields;
  const user = authenticate(fields.username, fields.password);
  if (!user) return Response.json(jsonError('UNAUTHENTICATED', 'Wrong username or password.'), { status: 401 });
  const session = await getSession();
  session.userId = user.id;
  await session.save();
  return Response.json({ user });
}
