import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';

// better-auth's email and password sign-in. The memory adapter keeps users while the process runs;
// serial ids (1, 2, 3) make the Twilio identities easy to read.
export const auth = betterAuth({
  baseURL: process.env.ORIGIN ?? 'http://localhost:3000',
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  advanced: { database: { generateId: 'serial' } },
  emailAndPassword: { enabled: true },
  user: { additionalFields: { role: { type: 'string', defaultValue: 'guest', input: false } } },
});
