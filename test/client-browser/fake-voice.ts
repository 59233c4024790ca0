// A fake of Twilio Voice's signaling server (PStream over WebSocket), as far as a Device needs it to
// register and to raise tokenWillExpire. What each message satisfies, in @twilio/voice-sdk 2.18
// (esm/twilio/…):
// - URL: regions.js createSignalingEndpointURL(createChunderEdgeURI('roaming')) =
//   wss://voice-js.roaming.twilio.com/signal (device.js updateOptions builds _chunderURIs from it).
// - The client's frames are JSON `{ type, version, payload }` (pstream.js _publish); on open it sends
//   `listen` with `payload.token` (pstream.js _handleTransportOpen → setToken), and setToken sends
//   `listen` again whenever Device.updateToken(token) is called (device.js updateToken →
//   this._stream.setToken): that is how a new token reaches the server.
// - The server answers `listen` with `connected`; its `payload.token` carries `identity` (what
//   Device#identity reads) and `ttl` (seconds), which arms Device#tokenWillExpire: device.js
//   _onSignalingConnected sets a timer of max(0, ttl * 1000 - tokenRefreshMs) (default 10000) that
//   emits 'tokenWillExpire'. So the server saying "this token has 11 s left" makes the Device raise
//   the event about 1 s later, and "0 s left" at once.
// - `register` is answered with `ready` (device.js _onSignalingReady → state 'registered').
// - wstransport.js answers a "\n" heartbeat and reconnects after 15 s without a message (then sends
//   `listen` again with the token it has): the fake sends a heartbeat every 5 s, as Twilio's does.
import type { Page, WebSocketRoute } from 'playwright-core';

export const VOICE_SIGNALING_URL = 'wss://voice-js.roaming.twilio.com/signal';

/**
 * How the fake answers each `listen`:
 * - `manual`: not at all; the test calls `answer(ttl)` on the listen.
 * - `every`: with `connected` and the token's true time left (a server that re-sends token information).
 * - `first`: so only a connection's first listen; later ones (the updates) get nothing
 *   (twilio-voice.js#93: tokenWillExpire fires once and never again).
 * - `storm`: with "0 s left", at once (a server announcing expiry right after every update), and
 *   again every 100 ms until `stop()`.
 */
export type VoiceAnnounce = 'manual' | 'every' | 'first' | 'storm';

export interface VoiceListen {
  token: string;
  /** When the fake got it (ms, this process's clock: the token route's). */
  at: number;
  /** Which WebSocket (from 1) it came on: one per Device. */
  connection: number;
  /** Answers this `listen` with `connected`, announcing `ttl` seconds left on the token. */
  answer(ttl: number): void;
}

export class FakeVoiceSignaling {
  /** Every frame the client sent, parsed, in order. */
  readonly received: { type: string; payload: Record<string, unknown> }[] = [];
  readonly listens: VoiceListen[] = [];
  connections = 0;
  private socket: WebSocketRoute | undefined;
  private storm: ReturnType<typeof setInterval> | undefined;
  private readonly heartbeats: ReturnType<typeof setInterval>[] = [];

  /** `tokenInfo` reads a token's identity and `exp` (seconds), as Twilio's server would. */
  constructor(
    private readonly tokenInfo: (token: string) => { identity: string; exp: number },
    private readonly announce: VoiceAnnounce = 'manual',
  ) {}

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(VOICE_SIGNALING_URL, (ws) => {
      const connection = ++this.connections;
      this.socket = ws;
      const heartbeat = setInterval(() => ws.send('\n'), 5000);
      this.heartbeats.push(heartbeat);
      ws.onClose(() => clearInterval(heartbeat));
      ws.onMessage((data) => {
        // The client's answer to a heartbeat.
        if (data === '\n') return;
        const message = JSON.parse(String(data)) as { type: string; payload: Record<string, unknown> };
        this.received.push(message);
        if (message.type === 'listen') this.listened(ws, connection, String(message.payload.token));
        else if (message.type === 'register') this.send('ready', { region: 'us1' }, ws);
      });
    });
  }

  private listened(ws: WebSocketRoute, connection: number, token: string): void {
    const { identity, exp } = this.tokenInfo(token);
    const answer = (ttl: number) => this.send('connected', { region: 'us1', edge: 'roaming', home: 'us1', token: { identity, ttl } }, ws);
    const first = !this.listens.some((listen) => listen.connection === connection);
    this.listens.push({ token, at: Date.now(), connection, answer });
    if (this.announce === 'every' || (this.announce === 'first' && first)) answer(exp - Date.now() / 1000);
    else if (this.announce === 'storm') {
      answer(0);
      clearInterval(this.storm);
      this.storm = setInterval(() => answer(0), 100);
    }
  }

  /** Ends a storm and the heartbeats. */
  stop(): void {
    clearInterval(this.storm);
    this.heartbeats.forEach(clearInterval);
  }

  /** The tokens that came on `connection`, in order. */
  tokensOn(connection: number): string[] {
    return this.listens.filter((listen) => listen.connection === connection).map((listen) => listen.token);
  }

  send(type: string, payload: Record<string, unknown>, ws = this.socket): void {
    if (!ws) throw new Error('The Device has not connected to the fake signaling server');
    ws.send(JSON.stringify({ type, version: '1.6', payload }));
  }
}
