// A fake of Twilio Voice's signaling server (PStream over WebSocket), as far as a Device needs it to
// register and to raise tokenWillExpire. What each message satisfies, in @twilio/voice-sdk 2.18
// (esm/twilio/…):
// - URL: regions.js createSignalingEndpointURL(createChunderEdgeURI('roaming')) =
//   wss://voice-js.roaming.twilio.com/signal (device.js updateOptions builds _chunderURIs from it).
// - The client's frames are JSON `{ type, version, payload }` (pstream.js _publish); on open it sends
//   `listen` with `payload.token` (pstream.js _handleTransportOpen → setToken), and setToken sends
//   `listen` again whenever Device.updateToken(token) is called (device.js updateToken →
//   this._stream.setToken): that is how a new token reaches the server.
// - The server answers `listen` with `connected`; its `payload.token.ttl` (seconds) is what arms
//   Device#tokenWillExpire: device.js _onSignalingConnected sets a timer of
//   ttl * 1000 - tokenRefreshMs (default 10000) that emits 'tokenWillExpire'. So the server saying
//   "this token has 11 s left" makes the Device raise the event about 1 s later.
// - `register` is answered with `ready` (device.js _onSignalingReady → state 'registered').
// - wstransport.js answers a "\n" heartbeat and closes after 15 s of silence; the tests are shorter.
import type { Page, WebSocketRoute } from 'playwright-core';

export const VOICE_SIGNALING_URL = 'wss://voice-js.roaming.twilio.com/signal';

export interface VoiceListen {
  token: string;
  /** Answers this `listen` with `connected`, announcing `ttl` seconds left on the token. */
  answer(ttl: number): void;
}

export class FakeVoiceSignaling {
  /** Every frame the client sent, parsed, in order. */
  readonly received: { type: string; payload: Record<string, unknown> }[] = [];
  readonly listens: VoiceListen[] = [];
  connections = 0;
  private socket: WebSocketRoute | undefined;

  constructor(private readonly identityOf: (token: string) => string) {}

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(VOICE_SIGNALING_URL, (ws) => {
      this.connections += 1;
      this.socket = ws;
      ws.onMessage((data) => {
        if (data === '\n') return void ws.send('\n');
        const message = JSON.parse(String(data)) as { type: string; payload: Record<string, unknown> };
        this.received.push(message);
        if (message.type === 'listen') {
          const token = String(message.payload.token);
          this.listens.push({ token, answer: (ttl) => this.send('connected', { region: 'us1', edge: 'roaming', home: 'us1', token: { identity: this.identityOf(token), ttl } }) });
        } else if (message.type === 'register') {
          this.send('ready', { region: 'us1' });
        }
      });
    });
  }

  send(type: string, payload: Record<string, unknown>): void {
    if (!this.socket) throw new Error('The Device has not connected to the fake signaling server');
    this.socket.send(JSON.stringify({ type, version: '1.6', payload }));
  }
}
