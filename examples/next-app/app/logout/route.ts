import { getSession } from '../../lib/session';

export async function POST(): Promise<Response> {
  (await getSession()).destroy();
  return Response.json({ user: null });
}
