import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyDecision } from '@grantor/core';

export interface DemoUser {
  id: string;
  username: string;
  role: 'host' | 'guest';
}

// Demo only: real apps keep password hashes in a database.
const USERS: readonly (DemoUser & { password: string })[] = [
  { id: 'alice', username: 'alice', password: 'alice-pass', role: 'host' },
  { id: 'bob', username: 'bob', password: 'bob-pass', role: 'guest' },
];

/** The user with this username and password, or undefined. */
export function authenticate(username: unknown, password: unknown): DemoUser | undefined {
  const match = USERS.find((user) => user.username === username && user.password === password);
  return match && findUser(match.id);
}

export function findUser(id: unknown): DemoUser | undefined {
  const match = USERS.find((user) => user.id === id);
  return match && { id: match.id, username: match.username, role: match.role };
}

/** The room guests may join. */
export const LOBBY = 'lobby';

/**
 * The demo's grant policy: a host gets Video in any room, Chat and incoming Voice calls; a guest
 * gets Video in the lobby only.
 */
export function demoPolicy({ user, params }: { user: DemoUser; params: Record<string, unknown> }): PolicyDecision {
  const room = typeof params.room === 'string' ? params.room : undefined;
  if (user.role === 'host') {
    return { grants: { video: { room }, chat: {}, voice: { incomingAllow: true } } };
  }
  if (room !== LOBBY) return { deny: `Guests may only join the "${LOBBY}" room.` };
  return { grants: { video: { room: LOBBY } }, ttl: 600 };
}

export interface DemoCredentials {
  accountSid: string;
  keys: { sid: string; secret: string };
  /** True when no Twilio credentials were configured and made-up ones are used. */
  isDemo: boolean;
}

/** The warning printed at start-up and shown on the page when the credentials are made up. */
export const DEMO_CREDENTIALS_WARNING =
  'No Twilio credentials configured: tokens are signed with made-up demo credentials and Twilio will not accept them. Set TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET (environment or .env).';

/**
 * Twilio credentials from the environment, or from a `.env` file in the working directory;
 * without them, made-up demo credentials.
 */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env, envFile = join(process.cwd(), '.env')): DemoCredentials {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const { TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET } = env;
  if (TWILIO_ACCOUNT_SID && TWILIO_API_KEY_SID && TWILIO_API_KEY_SECRET) {
    return { accountSid: TWILIO_ACCOUNT_SID, keys: { sid: TWILIO_API_KEY_SID, secret: TWILIO_API_KEY_SECRET }, isDemo: false };
  }
  return {
    accountSid: `AC${'0'.repeat(32)}`,
    keys: { sid: `SK${'0'.repeat(32)}`, secret: 'demo-secret-not-accepted-by-twilio' },
    isDemo: true,
  };
}

/** The folder holding the demo page (index.html and its script), served by the Express and Koa demos. */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'page');
