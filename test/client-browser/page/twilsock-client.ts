// The Conversations Client or the SyncClient, fed by a token source: the test's fake twilsock server drives it.
import { expose, getTokens, logEvents, pageSource } from './common.js';

/** What both clients have that the page uses. */
interface TwilsockClient {
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * Exposes `tokens()` and `start()`: makes the client with the source's token (`make`), attaches the
 * source and resolves once `ready` does.
 */
export function exposeTwilsockClient(sdk: string, make: (token: string) => TwilsockClient, ready: (client: TwilsockClient) => Promise<void>): void {
  const params = { sdk };
  expose({
    tokens: getTokens.bind(null, params),
    async start(): Promise<string> {
      const source = pageSource(params);
      const { token } = await source.getToken();
      const client = make(token);
      logEvents(client, ['tokenAboutToExpire', 'tokenExpired', 'stateChanged', 'connectionStateChanged', 'connectionError']);
      source.attach(client as never);
      await ready(client);
      return token;
    },
  });
}
