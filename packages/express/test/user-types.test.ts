// The user type with auth libraries other than Passport: createTokenRoute infers it from getUser's
// return type, whatever the order of the options and with `req` unannotated. The calls below are
// checked by `pnpm typecheck` (never run); the test at the end compiles a user type without an `id`
// and reads the compile error, which must say how to fix it.
import { dirname, join } from 'node:path';
import express from 'express';
import request from 'supertest';
import ts from 'typescript';
import { expect, test, vi } from 'vitest';
import { createTokenRoute } from '../src/index.js';

const credentials = { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 'secret' } };
// better-auth's session user, as `auth.api.getSession()` resolves it.
declare function getBetterAuthSession(headers: unknown): Promise<{ user: { id: string; email: string; name: string } } | null>;
// Auth.js's default session user, which has no id.
declare function getAuthJsSession(headers: unknown): Promise<{ user?: { name?: string | null; email?: string | null; image?: string | null } } | null>;
const typeOnly = (_: unknown) => undefined;

typeOnly(() => {
  // getUser first: the policy's user is better-auth's, no Passport augmentation.
  createTokenRoute({
    credentials,
    getUser: async (req) => (await getBetterAuthSession(req.headers))?.user,
    policy: ({ user }) => ({ grants: { chat: { serviceSid: user.email satisfies string } } }),
  });
  // getUser after a policy that does not read the user (the Express recipe's order): not Passport's empty user.
  createTokenRoute({
    credentials,
    policy: ({ params }) => ({ grants: { video: { room: params.room as string } } }),
    getUser: async (req) => (await getBetterAuthSession(req.headers))?.user,
  });
  // A user without an id: identity(user) is required...
  // @ts-expect-error Property 'identity' is missing: the user type has no id
  createTokenRoute({ credentials, getUser: async (req) => (await getAuthJsSession(req.headers))?.user, policy: () => ({ grants: { video: {} } }) });
  // ...and with it the same user type-checks.
  createTokenRoute({
    credentials,
    getUser: async (req) => (await getAuthJsSession(req.headers))?.user,
    identity: (user) => user.email ?? '',
    policy: () => ({ grants: { video: {} } }),
  });
  // Without getUser, Passport's req.user, typed by augmenting Express.User or by the type argument.
  createTokenRoute<{ id: number }>({ credentials, policy: ({ user }) => ({ grants: { video: { room: String(user.id satisfies number) } } }) });
});

/** Type-checks `source` as a file in this folder and returns its errors, as tsc prints them. */
function compileErrors(source: string): string[] {
  const configPath = join(import.meta.dirname, '..', '..', '..', 'tsconfig.base.json');
  const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
  const file = join(import.meta.dirname, 'user-without-id.ts');
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const readFile = host.readFile.bind(host);
  host.readFile = (path) => (path === file ? source : readFile(path));
  host.fileExists = (
    (fileExists) => (path: string) =>
      path === file || fileExists(path)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([file], { ...options, noEmit: true }, host);
  const sourceFile = program.getSourceFile(file);
  return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map((diagnostic) =>
    ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  );
}

test("the compile error for a user without an id names identity(user) and the user's keys", () => {
  const errors = compileErrors(`
    import { createTokenRoute } from '../src/index.js';
    declare function getSession(headers: unknown): Promise<{ user?: { name?: string | null; email?: string | null; image?: string | null } } | null>;
    createTokenRoute({
      credentials: { accountSid: 'AC', keys: { sid: 'SK', secret: 'secret' } },
      getUser: async (req) => (await getSession(req.headers))?.user,
      policy: () => ({ grants: { video: {} } }),
    });
  `);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain("Property 'identity' is missing");
  // The line that says what is missing names the fix and every key of the user (in any order).
  const wanted = ['"the user has no required id: pass identity(user)"', ...['name', 'email', 'image'].map((key) => `"${key}"`)];
  const lines = errors[0]!.split('\n').filter((line) => line.includes("Property 'identity' is missing"));
  expect(
    lines.find((line) => wanted.every((part) => line.includes(part))),
    errors[0]!,
  ).toBeDefined();
  expect(errors[0]).not.toMatch(/Express\.User|\bUser\b/);
}, 60_000);

test("the runtime error for a user without an id names identity(user) and the user's keys, never their values", async () => {
  const onError = vi.fn();
  const app = express().use(
    '/token',
    createTokenRoute({
      credentials,
      getUser: () => ({ name: 'Alice Example', email: 'alice@example.com' }),
      policy: () => ({ grants: { video: {} } }),
      onError,
    } as never),
  );
  const res = await request(app).post('/token').send({});
  expect(res.status).toBe(500);
  expect(res.text).not.toContain('alice@example.com');
  const { code, message } = onError.mock.calls[0]![0];
  expect(code).toBe('INVALID_OPTIONS');
  expect(message).toContain('(it has name, email)');
  expect(message).toContain('identity(user)');
  expect(message).not.toContain('alice@example.com');
});
