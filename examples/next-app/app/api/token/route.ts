import { demoPolicy, demoRateLimit } from '@grantor/demo-kit';
import { createTokenRoute } from '@grantor/next';
import { allowedOrigins, credentials, rateLimit } from '../../../lib/demo';
import { currentUser } from '../../../lib/session';

// Every method, so that those other than POST get grantor's JSON 405 rather than Next's empty one.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = createTokenRoute({
  credentials,
  policy: demoPolicy,
  allowedOrigins,
  getUser: currentUser,
  rateLimit: demoRateLimit(rateLimit),
});
