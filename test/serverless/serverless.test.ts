// The docs' serverless recipes, as examples/serverless holds them, against oidc-provider on loopback:
// the AWS Lambda handler invoked with API Gateway HTTP API (2.0) and function URL events, and the
// Twilio Function served by twilio-run (the Functions runtime, @twilio/runtime-handler, run locally).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyAccessToken } from '@grantor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS } from '../bearer/cases.js';
import { AUDIENCE, startProvider, type TestProvider } from '../bearer/provider.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/serverless/', import.meta.url));
const PAGE = readFileSync(new URL('../../docs/recipes/serverless-functions.md', import.meta.url), 'utf8');
const TWIML_APP_SID = `AP${'c'.repeat(32)}`;
const IDENTITY = 'google_2doauth2_7c1057'; // voiceIdentity of the provider's subject, google-oauth2|1057

/** The first js block after `marker` on the docs' serverless page. */
function docsBlock(marker: string): string {
  expect(PAGE, `the page names ${marker}`).toContain(marker);
  const start = PAGE.indexOf('```js\n', PAGE.indexOf(marker)) + 6;
  return PAGE.slice(start, PAGE.indexOf('```', start));
}

let provider: TestProvider;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider?.close());

function expectToken(status: number, body: string) {
  expect(status, body).toBe(200);
  const { token, identity } = JSON.parse(body);
  expect(identity).toBe(IDENTITY);
  expect(verifyAccessToken(token, CREDENTIALS).claims.grants).toMatchObject({ identity: IDENTITY, voice: { outgoing: { application_sid: TWIML_APP_SID } } });
}

describe('AWS Lambda recipe (examples/serverless/lambda/index.mjs)', () => {
  type Handler = (event: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
  let handler: Handler;

  beforeAll(async () => {
    Object.assign(process.env, {
      TWILIO_ACCOUNT_SID: CREDENTIALS.accountSid,
      TWILIO_API_KEY_SID: CREDENTIALS.keys.sid,
      TWILIO_API_KEY_SECRET: CREDENTIALS.keys.secret,
      TWIML_APP_SID,
      OIDC_ISSUER: provider.issuer,
      OIDC_AUDIENCE: AUDIENCE,
    });
    ({ handler } = (await import(join(EXAMPLE, 'lambda/index.mjs'))) as { handler: Handler });
  });

  it("is the docs' recipe", () => {
    expect(readFileSync(join(EXAMPLE, 'lambda/index.mjs'), 'utf8')).toBe(docsBlock('**AWS Lambda**'));
  });

  /** An API Gateway HTTP API event, payload format 2.0, as AWS documents it. */
  function httpApiEvent(method: string, headers: Record<string, string>, body?: string) {
    return {
      version: '2.0',
      routeKey: `${method} /api/token`,
      rawPath: '/api/token',
      rawQueryString: '',
      headers: {
        accept: '*/*',
        'content-length': String(body?.length ?? 0),
        host: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
        'user-agent': 'okhttp/4.12.0',
        'x-amzn-trace-id': 'Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e',
        'x-forwarded-for': '205.255.255.176',
        'x-forwarded-port': '443',
        'x-forwarded-proto': 'https',
        ...headers,
      },
      requestContext: {
        accountId: '123456789012',
        apiId: 'r3pmxmplak',
        domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
        domainPrefix: 'r3pmxmplak',
        http: { method, path: '/api/token', protocol: 'HTTP/1.1', sourceIp: '205.255.255.176', userAgent: 'okhttp/4.12.0' },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: `${method} /api/token`,
        stage: '$default',
        time: '10/Mar/2020:05:16:23 +0000',
        timeEpoch: 1583817383220,
      },
      ...(body === undefined ? {} : { body }),
      isBase64Encoded: false,
    };
  }

  /** A Lambda function URL event: the same format, with routeKey $default and a base64 body here. */
  function functionUrlEvent(headers: Record<string, string>, body: string) {
    const event = httpApiEvent('POST', { host: 'abcdefg.lambda-url.us-east-1.on.aws', ...headers });
    return {
      ...event,
      routeKey: '$default',
      requestContext: {
        ...event.requestContext,
        apiId: 'abcdefg',
        domainName: 'abcdefg.lambda-url.us-east-1.on.aws',
        domainPrefix: 'abcdefg',
        routeKey: '$default',
        authorizer: undefined,
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    };
  }

  it("gives the provider's user a Voice token through an HTTP API event and a function URL event", async () => {
    const authorization = `Bearer ${await provider.issueToken()}`;
    const viaApi = await handler(httpApiEvent('POST', { authorization, 'content-type': 'application/json' }, '{}'));
    expectToken(viaApi.statusCode, viaApi.body);
    expect(viaApi.headers['cache-control']).toBe('no-store');
    const viaUrl = await handler(functionUrlEvent({ authorization, 'content-type': 'application/json' }, '{"room":"standup"}'));
    expectToken(viaUrl.statusCode, viaUrl.body);
  });

  it('answers 401 with WWW-Authenticate without or with a refused bearer, and 405 for GET', async () => {
    const none = await handler(httpApiEvent('POST', { 'content-type': 'application/json' }, '{}'));
    expect([none.statusCode, none.headers['www-authenticate'], none.headers['cache-control']]).toEqual([401, 'Bearer', 'no-store']);
    const expired = await handler(
      httpApiEvent(
        'POST',
        { authorization: `Bearer ${await provider.sign({ exp: Math.floor(Date.now() / 1000) - 60 })}`, 'content-type': 'application/json' },
        '{}',
      ),
    );
    expect([expired.statusCode, JSON.parse(expired.body).error.code, expired.headers['www-authenticate']]).toEqual([
      401,
      'INVALID_BEARER_TOKEN',
      'Bearer error="invalid_token"',
    ]);
    const get = await handler(httpApiEvent('GET', {}));
    expect([get.statusCode, get.headers.allow]).toEqual([405, 'POST']);
  });
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Twilio Functions recipe (examples/serverless/functions/token.js) under twilio-run', () => {
  let url: string;
  let stop: () => void;

  beforeAll(async () => {
    const port = await freePort();
    const env = join(tmpdir(), `grantor-twilio-run-${port}.env`);
    writeFileSync(
      env,
      Object.entries({
        ACCOUNT_SID: CREDENTIALS.accountSid,
        TWILIO_API_KEY_SID: CREDENTIALS.keys.sid,
        TWILIO_API_KEY_SECRET: CREDENTIALS.keys.secret,
        TWIML_APP_SID,
        OIDC_ISSUER: provider.issuer,
        OIDC_AUDIENCE: AUDIENCE,
      })
        .map(([name, value]) => `${name}=${value}`)
        .join('\n'),
    );
    const child = spawn(join(EXAMPLE, 'node_modules/.bin/twilio-run'), ['start', '--port', String(port), '--env', env], { cwd: EXAMPLE, stdio: 'ignore' });
    stop = () => child.kill();
    url = `http://127.0.0.1:${port}/token`;
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`twilio-run exited with ${child.exitCode}`);
      if (
        await fetch(url, { method: 'POST' }).then(
          () => true,
          () => false,
        )
      )
        break;
      if (attempt > 120) throw new Error('twilio-run did not start within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 90_000);
  afterAll(() => stop?.());

  it("is the docs' recipe", () => {
    expect(readFileSync(join(EXAMPLE, 'functions/token.js'), 'utf8')).toBe(docsBlock('**Twilio Functions**'));
  });

  const post = (headers: Record<string, string>, body = '{}') =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it("gives the provider's user a Voice token, with no-store", async () => {
    const response = await post({ authorization: `Bearer ${await provider.issueToken()}` }, '{"room":"standup"}');
    expectToken(response.status, await response.text());
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it("answers grantor's 401 JSON without a bearer and for a forged one", async () => {
    const none = await post({});
    expect([none.status, none.headers.get('www-authenticate'), (await none.json()).error.code]).toEqual([401, 'Bearer', 'UNAUTHENTICATED']);
    const forged = await post({ authorization: `Bearer ${await provider.sign({ aud: 'https://other.example' })}` });
    expect([forged.status, forged.headers.get('www-authenticate'), forged.headers.get('cache-control'), (await forged.json()).error.code]).toEqual([
      401,
      'Bearer error="invalid_token"',
      'no-store',
      'INVALID_BEARER_TOKEN',
    ]);
  });
});
