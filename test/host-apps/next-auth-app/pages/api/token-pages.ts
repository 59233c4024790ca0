import { createTokenApiRoute } from '@grantor/next';
import { getServerSession } from 'next-auth';
import { authOptions } from '@/auth';

// The docs leave these two to the app: the same as the App Router route's.
const credentials = {
  accountSid: process.env.TWILIO_ACCOUNT_SID!,
  keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
};
const policy = () => ({ grants: { video: {} } });

export default createTokenApiRoute({
  credentials,
  getUser: async (req, res) => (await getServerSession(req, res, authOptions))?.user,
  policy,
});
export const config = { api: { bodyParser: false } }; // recommended: grantor reads the body with its own limit
