// Installing published grantor packages by name, as a user does: a fresh app folder that knows only
// the registry's address for the @grantor scope, `npm install <names>`, and a token out of the app.
import { verifyAccessToken } from '@grantor/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CREDENTIALS } from './grantor.js';
import { run, type RunResult } from './run.js';

export const output = (result: RunResult) => `${result.stdout}\n${result.stderr}`;

/** A new app folder as `npm init -y` leaves it, whose npm gets the @grantor scope from `registryUrl`; the caller removes it. */
export function freshApp(registryUrl: string, name: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `grantor-by-name-${name}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  writeFileSync(join(dir, '.npmrc'), `@grantor:registry=${registryUrl}\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** `npm install <names>` in dir (nothing but names: what a user types), then `npm ls --all` must be clean. */
export async function npmInstall(dir: string, names: string[]): Promise<void> {
  const install = await run('npm', ['install', ...names, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
  expect(install.code, output(install)).toBe(0);
  const ls = await run('npm', ['ls', '--all'], { cwd: dir });
  expect(ls.code, output(ls)).toBe(0);
  // An optional peer the app did not install (core's express-validator) is listed as UNMET OPTIONAL, and fine.
  expect(ls.stdout).not.toMatch(/UNMET (?!OPTIONAL)|invalid|extraneous|missing/i);
}

/** The JSON a script printed: a token route's answer. Its token must verify, for `identity`. */
export function expectVerifiedToken(result: RunResult, identity: string): void {
  expect(result.code, output(result)).toBe(0);
  const body = JSON.parse(result.stdout) as { token: string; identity: string };
  expect(body.identity).toBe(identity);
  expect(verifyAccessToken(body.token, CREDENTIALS).claims.grants).toMatchObject({ identity });
}

/**
 * An Express app as the README's recipe writes it, in CommonJS or ESM, whose user is `<moduleSystem>-user`:
 * it asks its own token route once, prints the answer and exits.
 */
export const expressApp = (moduleSystem: 'cjs' | 'esm') => `${
  moduleSystem === 'cjs'
    ? "const express = require('express');\nconst { createTokenRoute } = require('@grantor/express');"
    : "import express from 'express';\nimport { createTokenRoute } from '@grantor/express';"
}
const app = express();
app.use((req, res, next) => { req.user = { id: '${moduleSystem}-user' }; next(); });
app.use('/api/token', createTokenRoute({
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID,
    keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
  },
  policy: () => ({ grants: { video: {} } }),
}));
const server = app.listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/api/token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  });
  console.log(await res.text());
  server.close();
});
`;
