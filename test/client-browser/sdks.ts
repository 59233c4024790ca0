// What the SDK suites share: one SDK's page behind one fake server (run), the page's hooks, and
// the checks of the tokens the fake servers got.
import { decodeAccessToken } from '@grantor/core';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { FakeTwilsock, type TwilsockAnnounce, type UpstreamRoutes } from './fake-twilsock.js';
import { FakeVoiceSignaling, type VoiceAnnounce } from './fake-voice.js';
import { type BrowserHarness, claimedGrantsFor, openPage, refuseOtherWebSockets, SERVICE_SIDS, verify } from './harness.js';
import type { PageRecord, SourceOptions, StartOptions, Tokens } from './page/common.js';

export type Sdk = 'voice' | 'conversations' | 'sync';

/**
 * The route's ttl in the expiry tests: the source renews at 6.5 s (its timer: half of the 13 s it
 * counts) or on the SDK's event ANNOUNCE_BEFORE_MS before expiry (7 to 8 s in, past the floor),
 * leaving twilsock the 3 s it waits to reconnect after a close 410, and a margin.
 */
export const TTL = 14;
/** How long before a token's expiry the fake servers announce it (and the Device's tokenRefreshMs). */
export const ANNOUNCE_BEFORE_MS = 6000;
export const HOUR_MS = 3600e3;
/** The source's floor (packages/client/src/index.ts FLOOR_MS). */
export const FLOOR_MS = 5000;

const aim = 'aim.us1.twilio.com';
/**
 * The Conversations Client's configuration (GET Client/v2/Configuration), for `identity`: what
 * Client._initialize reads (builds/browser.js, class Configuration): links, options, identity,
 * sync_objects. my_user_info left out, so the user's Sync map is not fetched (User._fetch returns
 * early without an entity name); the my_conversations map's Sync requests go unanswered, which the
 * Client tolerates (not awaited by _initialize).
 */
export const conversationsRoutes = (identity: string): UpstreamRoutes => ({
  [`GET ${aim}/Client/v2/Configuration`]: () => ({
    identity,
    links: {
      my_conversations: `https://${aim}/Client/v2/Me/Conversations`,
      conversations: `https://${aim}/Client/v2/Conversations`,
      users: `https://${aim}/Client/v2/Users`,
      current_user: `https://${aim}/Client/v2/Users/${identity}`,
      typing: `https://${aim}/Client/v2/Services/${SERVICE_SIDS.chat}/Typing`,
      media_service: `https://mcs.us1.twilio.com/v1/Services/${SERVICE_SIDS.chat}/Media`,
      media_set_service: `https://mcs.us1.twilio.com/v1/Services/${SERVICE_SIDS.chat}/MediaSet`,
      messages_receipts: `https://${aim}/Client/v2/Services/${SERVICE_SIDS.chat}/Conversations/%s/Messages/%s/Receipts`,
    },
    options: { reachability_enabled: false, consumption_report_interval: 'PT5S', http_cache_interval: 'PT1S' },
    sync_objects: { my_conversations: 'my_conversations' },
  }),
});

/** A token's identity and exp, read without checking (an expired one too), as Twilio's server would. */
export const tokenInfo = (token: string) => {
  const { claims } = decodeAccessToken(token);
  return { identity: String(claims.grants?.identity), exp: Number(claims.exp) };
};

/** One SDK on one page behind one fake server: the tokens that server got, and when. */
export interface Running {
  page: Page;
  context: BrowserContext;
  pageErrors: Error[];
  otherSockets: string[];
  voice?: FakeVoiceSignaling;
  received(): { token: string; at: number }[];
  stop(): void;
}

/**
 * `sdk`'s page as `user`, its clock `clockOffsetMs` off the route's (Playwright's clock, installed
 * before the page loads), behind a fake server that announces expiry as `announce` says.
 */
export async function runSdk(
  harness: BrowserHarness,
  user: string,
  sdk: Sdk,
  announce: VoiceAnnounce | TwilsockAnnounce,
  clockOffsetMs?: number,
): Promise<Running> {
  const { context } = await harness.newContext(user);
  if (clockOffsetMs !== undefined) await context.clock.install({ time: Date.now() + clockOffsetMs });
  const otherSockets: string[] = [];
  const voice = sdk === 'voice' ? new FakeVoiceSignaling(tokenInfo, announce as VoiceAnnounce) : undefined;
  // Announcements as the Device's with tokenRefreshMs ANNOUNCE_BEFORE_MS: past the source's floor,
  // before its timer (with refreshMargin 1), and early enough for a 410's reconnection (3 s, see
  // fake-twilsock.ts).
  const announceAt = (token: string) => tokenInfo(token).exp * 1000 - ANNOUNCE_BEFORE_MS;
  const twilsock = voice ? undefined : new FakeTwilsock(sdk === 'conversations' ? conversationsRoutes(user) : {}, announce as TwilsockAnnounce, announceAt);
  const { page, pageErrors } = await openPage(context, harness.server, sdk, async (page) => {
    await refuseOtherWebSockets(page, otherSockets);
    await (voice ?? twilsock)!.install(page);
  });
  return {
    page,
    context,
    pageErrors,
    otherSockets,
    voice,
    received: () => (voice ? voice.listens : twilsock!.tokensReceived).map(({ token, at }) => ({ token, at })),
    stop: () => (voice ?? twilsock)!.stop(),
  };
}

/** The page hooks of the SDK pages (page/voice.ts, page/twilsock-client.ts). */
export interface SdkPageHarness {
  tokens(options: SourceOptions): Promise<Tokens>;
  start(options: StartOptions): Promise<string>;
}

/** Makes the page's token source and calls getToken() as `options` say. */
export const tokens = (page: Page, options: SourceOptions) =>
  page.evaluate((options) => (window as unknown as { harness: SdkPageHarness }).harness.tokens(options), options);
/** Makes the SDK's client with the source's token and attaches it; the token. */
export const start = (page: Page, options: StartOptions = {}) =>
  page.evaluate((options) => (window as unknown as { harness: SdkPageHarness }).harness.start(options), options);
export const pageRecord = (page: Page) => page.evaluate(() => (window as unknown as { record: PageRecord }).record);
export const expiryEvents = (record: PageRecord) => record.events.filter((event) => /^token(WillExpire|AboutToExpire|Expired)$/.test(event));

/**
 * Each token the SDK's server got was valid by the route's clock when it came and until the next
 * one came (or `until`): the SDK never got nor held an expired token. Returns how many of them
 * expired before `until` (the expiries the SDK went through).
 */
export function expectAlwaysValid(received: { token: string; at: number }[], user: string, sdk: Sdk, until: number, timeline = ''): number {
  received.forEach(({ token, at }, index) => {
    expect(verify(token, at).claims.grants).toEqual({ identity: user, ...claimedGrantsFor({ sdk }) });
    try {
      verify(token, (received[index + 1]?.at ?? until) - 1);
    } catch (error) {
      throw new Error(`${user}: held token ${index + 1} of ${received.length} past its expiry. ${timeline}`, { cause: error });
    }
  });
  expect(new Set(received.map(({ token }) => token)).size, `${user}: a token sent twice`).toBe(received.length);
  return received.filter(({ token }) => tokenInfo(token).exp * 1000 <= until).length;
}
