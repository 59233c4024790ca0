// What every host-app test checks the same way: the credentials the apps sign with, and the shape
// of grantor's answers.
import { verifyAccessToken } from '@grantor/core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { exchange } from '../../fuzz/raw-http.js';
import { MALFORMED_HOSTS } from '../../fuzz/requests.js';
import { ROOT } from './host-app.js';
import type { Answer } from './http.js';

/** Made-up credentials of the right format (Twilio would not accept the tokens). */
export const CREDENTIALS = {
  accountSid: `AC${'1a'.repeat(16)}`,
  keys: { sid: `SK${'2b'.repeat(16)}`, secret: 'host-app-secret-0123456789abcdef' },
};

/** CREDENTIALS as the TWILIO_* variables the docs' snippets read. */
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

/** The docs site's pages (docs/guide, docs/recipes): what users read, and what host apps paste. */
export const DOCS_PAGES = ['guide', 'recipes'].flatMap((folder) =>
  readdirSync(join(ROOT, 'docs', folder))
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', folder, file)),
);

/**
 * Whether a page of the docs site or packages/<dir>/README.md (what npm shows) gives `snippet`,
 * whitespace aside: a host app uses the docs' own lines, and this keeps them the same.
 */
export function docsGive(dir: string, snippet: string): boolean {
  const squash = (text: string) => text.replace(/\s+/g, '');
  const texts = [...DOCS_PAGES, `packages/${dir}/README.md`].map((file) => squash(readFileSync(join(ROOT, file), 'utf8')));
  return texts.some((text) => text.includes(squash(snippet)));
}

/** The app's file has each of `lines` (whitespace aside), and the docs (or packages/<dir>/README.md) give it. */
export function expectDocsGive(dir: string, file: string, lines: string[]): void {
  const source = readFileSync(file, 'utf8').replace(/\s+/g, '');
  for (const line of lines) {
    expect(source.includes(line.replace(/\s+/g, '')), `${file} has ${line}`).toBe(true);
    expect(docsGive(dir, line), `the docs give ${line}`).toBe(true);
  }
}

/**
 * POSTs `{"room":"lobby"}` to `path` with each of the fuzz's malformed Hosts and with none (and other
 * headers such as a session cookie or a bearer token), on a raw socket: fetch would not send them.
 * Returns each status.
 */
export async function statusesForMalformedHosts(url: string, path: string, headers: [string, string][] = []): Promise<Record<string, number | 'no answer'>> {
  const statuses: Record<string, number | 'no answer'> = {};
  for (const host of [...MALFORMED_HOSTS, null]) {
    const body = new TextEncoder().encode('{"room":"lobby"}');
    const answer = await exchange(url, {
      method: 'POST',
      target: path,
      host,
      headers: [...headers, ['Content-Type', 'application/json'], ['Content-Length', String(body.length)]],
      body,
      ending: 'answer',
    });
    statuses[host ?? '(none)'] = answer?.status ?? 'no answer';
  }
  return statuses;
}
