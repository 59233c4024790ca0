// The Conversations Client, fed by a token source: the test's fake twilsock server drives it.
import { Client } from '@twilio/conversations';
import { exposeTwilsockClient } from './twilsock-client.js';

exposeTwilsockClient(
  'conversations',
  (token) => new Client(token, { logLevel: 'silent' }),
  // Initialized: the Client read its configuration through the fake.
  (client) =>
    new Promise<void>((resolve, reject) => {
      client.on('initialized', resolve);
      client.on('initFailed', ({ error }: { error?: Error }) => reject(new Error(`initFailed: ${error?.message}`)));
    }),
);
