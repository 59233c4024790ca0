// Where the demos find `.env`: pnpm runs a demo's start script in the demo's folder, so `pnpm start`
// typed at the repository root looks there first, then at the workspace root.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { demoServerConfig, envFiles } from '../../examples/shared/src/index.js';
import { ROOT } from './demo-servers.js';

describe('the demos’ .env files', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'grantor-env-'));
  const demoDir = join(workspace, 'examples/demo');
  mkdirSync(demoDir, { recursive: true });
  writeFileSync(join(workspace, 'pnpm-workspace.yaml'), 'packages:\n  - examples/*\n');

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  test('are the demo folder’s, then the workspace root’s', () => {
    for (const demo of ['express-passport', 'koa-passport', 'next-app']) {
      expect(envFiles(join(ROOT, 'examples', demo))).toEqual([join(ROOT, 'examples', demo, '.env'), join(ROOT, '.env')]);
    }
    expect(envFiles(ROOT)).toEqual([join(ROOT, '.env')]);
    expect(envFiles(demoDir)).toEqual([join(demoDir, '.env'), join(workspace, '.env')]);
  });

  test('a .env at the root configures a demo; its own folder’s .env, then the environment, win', () => {
    const accountSid = `AC${'1'.repeat(32)}`;
    const keySid = `SK${'2'.repeat(32)}`;
    writeFileSync(
      join(workspace, '.env'),
      `TWILIO_ACCOUNT_SID=${accountSid}\nTWILIO_API_KEY_SID=${keySid}\nTWILIO_API_KEY_SECRET=from-the-root\nALLOWED_ORIGINS=https://root.example\nPORT=4100\nRATE_LIMIT_PER_MINUTE=5\nREDIS_URL=redis://127.0.0.1:6390\n`,
    );
    expect(demoServerConfig({}, envFiles(demoDir))).toEqual({
      port: 4100,
      credentials: { accountSid, keys: { sid: keySid, secret: 'from-the-root' }, isDemo: false },
      allowedOrigins: ['https://root.example'],
      rateLimit: { perMinute: 5, redisUrl: 'redis://127.0.0.1:6390' },
    });

    writeFileSync(join(demoDir, '.env'), 'TWILIO_API_KEY_SECRET=from-the-demo\nRATE_LIMIT_PER_MINUTE=7\n');
    const env: NodeJS.ProcessEnv = { ALLOWED_ORIGINS: 'https://env.example' };
    expect(demoServerConfig(env, envFiles(demoDir))).toEqual({
      port: 4100,
      credentials: { accountSid, keys: { sid: keySid, secret: 'from-the-demo' }, isDemo: false },
      allowedOrigins: ['https://env.example'],
      rateLimit: { perMinute: 7, redisUrl: 'redis://127.0.0.1:6390' },
    });
    expect(env.TWILIO_API_KEY_SECRET).toBe('from-the-demo');
  });

  test('without a file, or for an environment passed in, nothing is read: made-up credentials', () => {
    rmSync(join(workspace, '.env'), { force: true });
    rmSync(join(demoDir, '.env'), { force: true });
    expect(demoServerConfig({}, envFiles(demoDir)).credentials.isDemo).toBe(true);
    expect(demoServerConfig({}).credentials.isDemo).toBe(true);
    expect(demoServerConfig({}).rateLimit).toEqual({ perMinute: 30, redisUrl: undefined });
    expect(() => demoServerConfig({ RATE_LIMIT_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_PER_MINUTE must be a whole number/);
  });
});
