// attach() in real Chromium with the real Twilio SDKs: each SDK raises its expiry event because its
// (fake) signaling server said so, the token source fetches a fresh token from a real grantor route,
// and the SDK sends it to that server, where the test verifies it. Then the policy refuses (403):
// one request, no retry, nothing reaches the server, and onError gets the TokenSourceError.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { FakeTwilsock } from './fake-twilsock.js';
import { FakeVoiceSignaling } from './fake-voice.js';
import {
  afterSecond,
  type ExternalRequest,
  claimedGrantsFor,
  openPage,
  type PageHandle,
  refuseOtherWebSockets,
  SERVICE_SIDS,
  skipBrowserTests,
  sleep,
  TOKEN_TTL,
  until,
  useBrowserHarness,
  verify,
} from './harness.js';
import type { ErrorRecord, PageRecord } from './page/common.js';

const USER = 'alice';

describe.skipIf(skipBrowserTests)('attach() feeds the real SDKs in Chromium', () => {
  const harness = useBrowserHarness();
  let external: ExternalRequest[] = [];
  let otherSockets: string[] = [];

  async function open(script: 'voice' | 'conversations' | 'sync' | 'video', install: (page: Page) => Promise<void>): Promise<PageHandle> {
    const created = await harness.newContext(USER);
    external = created.external;
    otherSockets = [];
    return openPage(created.context, harness.server, script, async (page) => {
      await refuseOtherWebSockets(page, otherSockets);
      await install(page);
    });
  }

  const pageRecord = (page: Page) => page.evaluate(() => (window as unknown as { record: PageRecord }).record);
  /** Starts the page's SDK (not awaited: the fake server has to answer first). */
  const start = (page: Page) => page.evaluate(() => (window as unknown as { harness: { start(): Promise<string> } }).harness.start());

  /** Checks a token as the route issued it: valid signature, the logged-in user, the policy's grants, the route's ttl. */
  function expectIssued(token: string, sdk: string) {
    const { claims } = verify(token);
    expect(claims.grants).toEqual({ identity: USER, ...claimedGrantsFor({ sdk }) });
    const { iat, exp } = claims as { iat: number; exp: number };
    expect(exp - iat).toBe(TOKEN_TTL);
    return { iat, exp };
  }

  /** After the policy flipped to deny: exactly one more request, answered 403, and onError got it. */
  async function expectOneRefusal(page: Page, requestsBefore: number): Promise<void> {
    await until(() => harness.server.requests.length > requestsBefore, 'the refresh request after the policy flipped');
    // The source's first retry would come within 500 ms (its backoff base): wait well past it.
    await sleep(1500);
    expect(harness.server.requests.slice(requestsBefore).map((entry) => entry.status)).toEqual([403]);
    await expect.poll(async () => (await pageRecord(page)).errors.length).toBe(1);
    const [error] = (await pageRecord(page)).errors as [ErrorRecord];
    expect(error).toMatchObject({ name: 'TokenSourceError', status: 403, code: 'FORBIDDEN', retryable: false });
  }

  describe('Voice Device (tokenWillExpire)', () => {
    test('the server announces expiry, the Device gets a fresh token and sends it in listen; on 403 nothing is sent', async () => {
      const fake = new FakeVoiceSignaling(() => USER);
      const { page, pageErrors } = await open('voice', (page) => fake.install(page));
      const started = start(page);

      await until(() => fake.listens.length === 1, 'the Device to send listen');
      const first = fake.listens[0]!;
      const firstClaims = expectIssued(first.token, 'voice');
      expect(harness.server.requests).toHaveLength(1);
      // Past the source's floor (5 s after its last request), so that the event is not dropped.
      await afterSecond(firstClaims.iat + 4);
      // "11 s left": with tokenRefreshMs 10000 the Device raises tokenWillExpire about 1 s later.
      first.answer(11);
      expect(await started).toBe(first.token);

      await until(() => fake.listens.length === 2, 'the Device to send listen with a new token');
      const second = fake.listens[1]!;
      const secondClaims = expectIssued(second.token, 'voice');
      expect(second.token).not.toBe(first.token);
      expect(secondClaims.exp).toBeGreaterThan(firstClaims.exp);
      expect(harness.server.requests.map((entry) => [entry.user, entry.status])).toEqual([[USER, 200], [USER, 200]]);
      expect((await pageRecord(page)).events.filter((name) => name === 'tokenWillExpire')).toHaveLength(1);
      expect(await page.evaluate(() => (window as unknown as { harness: { deviceToken(): string } }).harness.deviceToken())).toBe(second.token);

      harness.server.deny = true;
      await afterSecond(secondClaims.iat + 4);
      second.answer(11);
      await expectOneRefusal(page, 2);
      expect((await pageRecord(page)).events.filter((name) => name === 'tokenWillExpire')).toHaveLength(2);
      expect(fake.listens).toHaveLength(2);
      expect(fake.received.filter((message) => message.type === 'listen')).toHaveLength(2);
      expect(otherSockets).toEqual([]);
      // Insights (eventgw.twilio.com) and the ringtones (sdk.twilio.com), answered by newContext's fakes.
      expect(external.map((request) => new URL(request.url).hostname).filter((host) => !host.endsWith('.twilio.com'))).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  });

  /** The twilsock-based clients: the same steps, the server's notice and the client's reply differ in name only. */
  function twilsockTests(sdk: 'conversations' | 'sync', routes: ConstructorParameters<typeof FakeTwilsock>[0] = {}) {
    test('token_about_to_expire: the client gets a fresh token and sends it in update; on 403 nothing is sent', async () => {
      const fake = new FakeTwilsock(routes);
      const { page, pageErrors } = await open(sdk, (page) => fake.install(page));
      const firstToken = await start(page);
      expect(fake.tokensReceived).toEqual([{ method: 'init', token: firstToken }]);
      const firstClaims = expectIssued(firstToken, sdk);
      expect(harness.server.requests).toHaveLength(1);

      // Past the source's floor (5 s after its last request), so that the event is not dropped.
      await afterSecond(firstClaims.iat + 5);
      fake.tokenAboutToExpire();
      await until(() => fake.tokensReceived.length === 2, 'the client to send update with a new token');
      const update = fake.tokensReceived[1]!;
      expect(update.method).toBe('update');
      const secondClaims = expectIssued(update.token, sdk);
      expect(update.token).not.toBe(firstToken);
      expect(secondClaims.exp).toBeGreaterThan(firstClaims.exp);
      expect(harness.server.requests.map((entry) => [entry.user, entry.status])).toEqual([[USER, 200], [USER, 200]]);
      expect((await pageRecord(page)).events).toContain('tokenAboutToExpire');

      harness.server.deny = true;
      await afterSecond(secondClaims.iat + 5);
      fake.tokenAboutToExpire();
      await expectOneRefusal(page, 2);
      expect((await pageRecord(page)).events.filter((name) => name === 'tokenAboutToExpire')).toHaveLength(2);
      expect(fake.tokensReceived).toHaveLength(2);
      expect(fake.connections).toBe(1);
      expect(otherSockets).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    test('close 410 (token expired): the client reconnects with a fresh token in init', async () => {
      const fake = new FakeTwilsock(routes);
      const { page, pageErrors } = await open(sdk, (page) => fake.install(page));
      const firstToken = await start(page);
      const firstClaims = expectIssued(firstToken, sdk);

      await afterSecond(firstClaims.iat + 5);
      fake.tokenExpired();
      // twilsock waits up to 3 s (DISCONNECTING_TIMEOUT) for its socket to close before it can reconnect.
      await until(() => fake.tokensReceived.length === 2, 'the client to reconnect with a new token', 8000);
      expect(fake.connections).toBe(2);
      const reconnect = fake.tokensReceived[1]!;
      expect(reconnect.method).toBe('init');
      expect(reconnect.token).not.toBe(firstToken);
      expect(expectIssued(reconnect.token, sdk).exp).toBeGreaterThan(firstClaims.exp);
      expect(harness.server.requests.map((entry) => entry.status)).toEqual([200, 200]);
      expect((await pageRecord(page)).events).toContain('tokenExpired');
      expect((await pageRecord(page)).errors).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  }

  describe('Conversations Client (tokenAboutToExpire, tokenExpired)', () => {
    const aim = 'aim.us1.twilio.com';
    // What Client._initialize reads from GET Client/v2/Configuration (builds/browser.js, class
    // Configuration): links, options, identity, sync_objects. my_user_info left out, so the user's
    // Sync map is not fetched (User._fetch returns early without an entity name); the
    // my_conversations map's Sync requests go unanswered, which the Client tolerates (not awaited
    // by _initialize).
    twilsockTests('conversations', {
      [`GET ${aim}/Client/v2/Configuration`]: () => ({
        identity: USER,
        links: {
          my_conversations: `https://${aim}/Client/v2/Me/Conversations`,
          conversations: `https://${aim}/Client/v2/Conversations`,
          users: `https://${aim}/Client/v2/Users`,
          current_user: `https://${aim}/Client/v2/Users/${USER}`,
          typing: `https://${aim}/Client/v2/Services/${SERVICE_SIDS.chat}/Typing`,
          media_service: `https://mcs.us1.twilio.com/v1/Services/${SERVICE_SIDS.chat}/Media`,
          media_set_service: `https://mcs.us1.twilio.com/v1/Services/${SERVICE_SIDS.chat}/MediaSet`,
          messages_receipts: `https://${aim}/Client/v2/Services/${SERVICE_SIDS.chat}/Conversations/%s/Messages/%s/Receipts`,
        },
        options: { reachability_enabled: false, consumption_report_interval: 'PT5S', http_cache_interval: 'PT1S' },
        sync_objects: { my_conversations: 'my_conversations' },
      }),
    });
  });

  describe('SyncClient (tokenAboutToExpire, tokenExpired)', () => {
    twilsockTests('sync');
  });

  // Video raises no expiry event (a Room's token is only read at connect), so there is nothing to
  // attach: the app calls getToken() before connect(). This checks that the token connect() sends
  // to Video's signaling server (lib/util/constants.js WS_SERVER: wss://global.vss.twilio.com/signaling)
  // is the route's, with the room's grant. TwilioConnection (lib/twilioconnection.js _sendHello)
  // sends a TCMP `hello` whose body, from TwilioConnectionTransport (createOrResetTwilioConnection),
  // is an `ice` or `connect` message carrying `token`. The fake answers `bad`: no Room is faked.
  describe('Video connect()', () => {
    test('connect() sends the token getToken() gave, with the room grant, to the signaling server', async () => {
      const hellos: { body?: { type?: string; token?: string } }[] = [];
      const { page, pageErrors } = await open('video', async (page) => {
        await page.routeWebSocket('wss://global.vss.twilio.com/signaling', (ws) => {
          ws.onMessage((data) => {
            const message = JSON.parse(String(data)) as { type: string; body?: { type?: string; token?: string } };
            if (message.type !== 'hello') return;
            hellos.push(message);
            ws.send(JSON.stringify({ type: 'bad', reason: 'The test fakes no Room' }));
          });
        });
      });
      const { token, outcome } = await page.evaluate(() =>
        (window as unknown as { harness: { connect(room: string): Promise<{ token: string; outcome: string }> } }).harness.connect('standup'),
      );
      expect(outcome).toMatch(/^failed: /);
      expect(hellos.length).toBeGreaterThanOrEqual(1);
      expect(hellos[0]!.body?.token).toBe(token);
      expect(verify(token).claims.grants).toEqual({ identity: USER, video: { room: 'standup' } });
      expect(harness.server.requests.map((entry) => [entry.params, entry.status])).toEqual([[{ sdk: 'video', room: 'standup' }, 200]]);
      expect(pageErrors).toEqual([]);
    });
  });
});
