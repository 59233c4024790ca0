// Video has no token-expiry event to attach to: an app calls getToken() right before connect().
import * as Video from 'twilio-video';
import { expose, tokenSource } from './common.js';

expose({
  /** Connects to `room` with a token from the source, without media; resolves with the token given to connect(). */
  async connect(room: string): Promise<{ token: string; outcome: string }> {
    const source = tokenSource({ sdk: 'video', room });
    const { token } = await source.getToken();
    const outcome = await Video.connect(token, { name: room, tracks: [], logLevel: 'off' }).then(
      (joined) => (joined.disconnect(), 'connected'),
      (error: Error) => `failed: ${error.message}`,
    );
    return { token, outcome };
  },
});
