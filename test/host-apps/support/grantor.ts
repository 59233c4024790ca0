// What every host-app test checks the same way: the credentials the apps sign with, and the shape
// of grantor's answers.
import { verifyAccessToken } from '@grantor/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './host-app.js';
import type { Answer } from './http.js';

/** Made-up credentials of the right format (Twilio would not accept the tokens). */
export const CREDENTIALS = {
  accountSid: `AC${'1a'.repeat(16)}`,
  keys: { sid: `SK${'2b'.repeat(16)}`, secret: 'host-app-secret-0123456789abcdef' },
};

/** CREDENTIALS as the TWILIO_* variables the README's snippets read. */
export const TWILIO_ENV = {
  TWILIO_ACCOUNT_SID: CREDENTIALS.accountSid,
  TWILIO_API_KEY_SID: CREDENTIALS.keys.sid,
  TWILIO_API_KEY_SECRET: CREDENTIALS.keys.secret,
};

/** Headers of every grantor answer, success or error. */
export function expectGrantorHeaders(answer: Answer): void {
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
}

/** A grantor JSON error: the status, the code, its headers, and no HTML or stack trace in the body. */
export function expectGrantorError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, body: answer.json }).toMatchObject({ status, body: { error: { code } } });
  expectGrantorHeaders(answer);
  expect(typeof (answer.json as { error: { message: unknown } }).error.message).toBe('string');
  expect(answer.text).not.toMatch(/<[a-z!]|\bat .+:\d+:\d+|node_modules/i);
}

/** A 200 from the token route whose token verifies with CREDENTIALS for `identity`; returns the token's grants. */
export function expectToken(answer: Answer, identity: string): Record<string, unknown> {
  expect(answer.status, answer.text).toBe(200);
  expectGrantorHeaders(answer);
  const body = answer.json as { token: string; identity: string; expiresAt: string; ttl: number };
  expect(body.identity).toBe(identity);
  const { claims } = verifyAccessToken(body.token, CREDENTIALS);
  const grants = claims.grants as Record<string, unknown>;
  expect(grants.identity).toBe(identity);
  expect(new Date(body.expiresAt).getTime()).toBe((claims.exp as number) * 1000);
  return grants;
}

/**
 * Whether the root README or packages/<dir>/README.md gives `snippet`, whitespace aside: a host app
 * uses the READMEs' own lines, and this keeps them the same.
 */
export function readmesGive(dir: string, snippet: string): boolean {
  const squash = (text: string) => text.replace(/\s+/g, '');
  const readmes = ['README.md', `packages/${dir}/README.md`].map((file) => squash(readFileSync(join(ROOT, file), 'utf8')));
  return readmes.some((text) => text.includes(squash(snippet)));
}
