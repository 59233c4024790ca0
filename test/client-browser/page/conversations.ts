// The Conversations Client, fed by a token source: the test's fake twilsock server drives it.
import { Client } from '@twilio/conversations';
import { expose, logEvents, tokenSource } from './common.js';

expose({
  /** Gets a token, makes a Client with it and attaches the source; resolves once the Client is initialized. */
  async start(): Promise<string> {
    const source = tokenSource({ sdk: 'conversations' });
    const { token } = await source.getToken();
    const client = new Client(token, { logLevel: 'silent' });
    logEvents(client, ['tokenAboutToExpire', 'tokenExpired', 'stateChanged', 'connectionStateChanged', 'connectionError']);
    source.attach(client);
    await new Promise<void>((resolve, reject) => {
      client.on('initialized', resolve);
      client.on('initFailed', ({ error }) => reject(new Error(`initFailed: ${error?.message}`)));
    });
    return token;
  },
});
