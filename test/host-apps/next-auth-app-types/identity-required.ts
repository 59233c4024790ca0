// Copied into the installed next-auth-app and type-checked there (tsc --noEmit) by
// next-auth-app.test.ts; kept outside the app so that `next build` does not depend on it.
import { createTokenApiRoute, createTokenRoute } from '@grantor/next';
import type { NextApiRequest, NextApiResponse } from 'next';
import { getServerSession, type DefaultSession } from 'next-auth';
import { authOptions } from '@/auth';

// next-auth's own session user, before an app adds an id to it: { name, email, image }.
type PlainSessionUser = NonNullable<DefaultSession['user']>;
const plainUser = async (): Promise<PlainSessionUser | undefined> => (await getServerSession(authOptions))?.user;
const plainPagesUser = async (req: NextApiRequest, res: NextApiResponse): Promise<PlainSessionUser | undefined> =>
  (await getServerSession(req, res, authOptions))?.user;
const credentials = { accountSid: process.env.TWILIO_ACCOUNT_SID!, keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! } };
const policy = () => ({ grants: { video: {} } });

// @ts-expect-error a user without an id cannot become a Twilio identity unless identity(user) says how
createTokenRoute({ credentials, getUser: plainUser, policy });
// @ts-expect-error the same for the Pages Router
createTokenApiRoute({ credentials, getUser: plainPagesUser, policy });

// With identity(user) the same users type-check: the two errors above are about the identity only.
createTokenRoute({ credentials, getUser: plainUser, identity: (user) => user.email ?? '', policy });
createTokenApiRoute({ credentials, getUser: plainPagesUser, identity: (user) => user.email ?? '', policy });
