// The SyncClient, fed by a token source: the test's fake twilsock server drives it.
import { SyncClient } from 'twilio-sync';
import { expose, logEvents, tokenSource } from './common.js';

expose({
  /** Gets a token, makes a SyncClient with it and attaches the source; resolves once connected. */
  async start(): Promise<string> {
    const source = tokenSource({ sdk: 'sync' });
    const { token } = await source.getToken();
    const client = new SyncClient(token, { logLevel: 'silent' });
    logEvents(client, ['tokenAboutToExpire', 'tokenExpired', 'connectionStateChanged', 'connectionError']);
    source.attach(client);
    await new Promise<void>((resolve) => {
      if (client.connectionState === 'connected') resolve();
      client.on('connectionStateChanged', (state: string) => state === 'connected' && resolve());
    });
    return token;
  },
});
