import { createTokenRoute } from '@grantor/next';
import { getServerSession } from 'next-auth';
import { authOptions } from '@/auth';

// Every method: the ones not in `methods` (default POST) get grantor's JSON 405 with Allow.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = createTokenRoute({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID!,
    keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
  },
  getUser: async () => (await getServerSession(authOptions))?.user, // required: Next has no req.user
  policy: ({ user }) => ({ grants: { video: {} } }),
});
