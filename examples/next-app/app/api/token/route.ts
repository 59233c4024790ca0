import { demoPolicy } from '@grantor/demo-kit';
import { createTokenRoute } from '@grantor/next';
import { allowedOrigins, credentials } from '../../../lib/demo';
import { currentUser } from '../../../lib/session';

export const { POST } = createTokenRoute({ credentials, policy: demoPolicy, allowedOrigins, getUser: currentUser });
