// The SyncClient, fed by a token source: the test's fake twilsock server drives it.
import { SyncClient } from 'twilio-sync';
import { exposeTwilsockClient } from './twilsock-client.js';

exposeTwilsockClient(
  'sync',
  (token) => new SyncClient(token, { logLevel: 'silent' }),
  (client) =>
    new Promise<void>((resolve) => {
      if ((client as SyncClient).connectionState === 'connected') resolve();
      client.on('connectionStateChanged', (state: string) => state === 'connected' && resolve());
    }),
);
