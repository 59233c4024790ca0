import { DEMO_CREDENTIALS_WARNING } from '@grantor/demo-kit';
import { credentials } from '../../../lib/demo';
import { currentUser } from '../../../lib/session';

export async function GET(): Promise<Response> {
  return Response.json({ user: (await currentUser()) ?? null, demoCredentialsWarning: credentials.isDemo ? DEMO_CREDENTIALS_WARNING : null });
}
