// attach() in real Chromium with the real Twilio SDKs against fake signaling servers and a real
// grantor route with 14 s tokens: each SDK is kept supplied through three consecutive expiries,
// once with a server that re-sends token information after every update (the SDK's own events drive
// the refreshes) and once with one that stays silent after an update (the source's timer does), with
// the page's clock two hours ahead or behind; a token the route considers expired never reaches an
// SDK, nor is one held past its expiry. The scenarios run at once, each as its own user. Video, which has nothing to attach, gets its
// token at connect().
import type { TwilsockAnnounce } from './fake-twilsock.js';
import type { VoiceAnnounce } from './fake-voice.js';
import { describe, expect, test } from 'vitest';
import { openPage, refuseOtherWebSockets, skipBrowserTests, until, useBrowserHarness, verify } from './harness.js';
import { ANNOUNCE_BEFORE_MS, expectAlwaysValid, expiryEvents, HOUR_MS, pageRecord, runSdk, type Sdk, start, TTL, tokenInfo, tokens } from './sdks.js';

describe.skipIf(skipBrowserTests)('attach() keeps the real SDKs supplied in Chromium', () => {
  const harness = useBrowserHarness();
  const requestsOf = (user: string) => harness.server.requests.filter((entry) => entry.user === user);

  // Each SDK with each way of announcing expiry; each SDK's page clock once ahead, once behind.
  const scenarios: { sdk: Sdk; resend: boolean; announce: VoiceAnnounce | TwilsockAnnounce; offsetHours: number }[] = [
    { sdk: 'voice', resend: true, announce: 'every', offsetHours: 2 },
    { sdk: 'voice', resend: false, announce: 'first', offsetHours: -2 },
    { sdk: 'conversations', resend: true, announce: 'expired', offsetHours: -2 },
    { sdk: 'conversations', resend: false, announce: 'manual', offsetHours: 2 },
    { sdk: 'sync', resend: true, announce: 'about-to-expire', offsetHours: 2 },
    { sdk: 'sync', resend: false, announce: 'manual', offsetHours: -2 },
  ];

  test('each SDK through 3 consecutive expiries, its server re-sending token information or silent, the page clock 2 h off: never an expired token', async () => {
    harness.server.ttl = TTL;
    await Promise.all(
      scenarios.map(async ({ sdk, resend, announce, offsetHours }) => {
        const user = `${sdk}_${resend ? 'resend' : 'silent'}`;
        const running = await runSdk(harness, user, sdk, announce, offsetHours * HOUR_MS);
        const { page } = running;
        /** What happened when, in ms from the first request: for the failure messages. */
        const timeline = async () =>
          `${user}: requests ${JSON.stringify(requestsOf(user).map((entry) => [entry.at - requestsOf(user)[0]!.at, entry.status]))}, tokens ${JSON.stringify(
            running.received().map(({ token, at }) => [at - requestsOf(user)[0]!.at, tokenInfo(token).exp * 1000 - requestsOf(user)[0]!.at]),
          )}, events ${JSON.stringify((await pageRecord(page)).events)}`;
        // Where the server re-sends, the SDK's events come first (about 6 s in, before the source's
        // own timer at ttl - 1 - refreshMargin = 12 s); where it is silent, the timer (at 6.5 s).
        const first = await tokens(page, { getTokenCalls: 20, refreshMargin: resend ? 1 : undefined });
        // Twenty getToken() with the clock two hours off: one request, one token.
        expect(first.distinct).toBe(1);
        expect(requestsOf(user)).toHaveLength(1);
        await start(page, { tokenRefreshMs: ANNOUNCE_BEFORE_MS });

        await until(() => running.received().filter(({ token }) => tokenInfo(token).exp * 1000 <= Date.now()).length >= 3, `3 expiries (${user})`, 45_000);
        const now = Date.now();
        const received = running.received();
        expect(received[0]!.token).toBe(first.token);
        expect(expectAlwaysValid(received, user, sdk, now, await timeline())).toBeGreaterThanOrEqual(3);
        // Every token the route issued reached the SDK: no request was wasted.
        expect(
          requestsOf(user).map((entry) => entry.status),
          await timeline(),
        ).toEqual(received.map(() => 200));
        const events = expiryEvents(await pageRecord(page));
        if (resend) expect(events.length, await timeline()).toBeGreaterThanOrEqual(3);
        // Silent: Voice's Device raises tokenWillExpire once, on the first connected (twilio-voice.js#93).
        else expect(events.length, await timeline()).toBeLessThanOrEqual(sdk === 'voice' ? 1 : 0);

        running.stop();
        expect(running.otherSockets).toEqual([]);
        expect(running.pageErrors).toEqual([]);
      }),
    );
  }, 120_000);

  // Video raises no expiry event (a Room's token is only read at connect), so there is nothing to
  // attach: the app calls getToken() before connect(). This checks that the token connect() sends
  // to Video's signaling server (lib/util/constants.js WS_SERVER: wss://global.vss.twilio.com/signaling)
  // is the route's, with the room's grant. TwilioConnection (lib/twilioconnection.js _sendHello)
  // sends a TCMP `hello` whose body, from TwilioConnectionTransport (createOrResetTwilioConnection),
  // is an `ice` or `connect` message carrying `token`. The fake answers `bad`: no Room is faked.
  describe('Video connect()', () => {
    test('connect() sends the token getToken() gave, with the room grant, to the signaling server', async () => {
      const hellos: { body?: { type?: string; token?: string } }[] = [];
      const { context } = await harness.newContext('alice');
      const otherSockets: string[] = [];
      const { page, pageErrors } = await openPage(context, harness.server, 'video', async (page) => {
        await refuseOtherWebSockets(page, otherSockets);
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
      expect(verify(token).claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' } });
      expect(harness.server.requests.map((entry) => [entry.params, entry.status])).toEqual([[{ sdk: 'video', room: 'standup' }, 200]]);
      expect(otherSockets).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  });
});
