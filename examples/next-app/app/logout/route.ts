import { refuseForeignOrigin } from '../../lib/demo';
import { getSession } from '../../lib/session';

export async function POST(request: Request): Promise<Response> {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  (await getSession()).destroy();
  return Response.json({ user: null });
}
