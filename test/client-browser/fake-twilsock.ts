// A fake of Twilio's twilsock server, the transport of the Conversations Client and the SyncClient,
// as far as they need it to connect and to raise tokenAboutToExpire / tokenExpired. What each part
// satisfies, in twilsock 1.0.2 (builds/browser.js):
// - URL: Configuration: `wss://tsock.${region}.twilio.com/v3/wsconnect`, region us1 by default.
// - Framing: Parser.parse / Parser.createPacket: "TWILSOCK V3.0 <header bytes>\r\n<JSON header>\r\n
//   <payload>", binary frames, header.payload_size the payload's length.
// - The client sends `init` carrying `token` (PacketInterface.sendInit, class Init) once the socket
//   opens; a `reply` with the same id and status 200 moves TwilsockChannel's state machine from
//   initialising to connected (TwilsockChannel.sendInit → fsm.initSuccess; InitReply reads
//   continuation_token, capabilities, … from the reply header).
// - Server `client_update` with `client_update_type: 'token_about_to_expire'` makes the channel emit
//   tokenAboutToExpire (TwilsockChannel.onIncomingMessage), which TwilsockClient, SyncClient and the
//   Conversations Client re-emit.
// - Server `close` with status 410 makes it emit tokenExpired (same function) and drop the socket;
//   the next updateToken then reconnects and sends `init` with the new token
//   (fsm userUpdateToken from disconnected → connecting). Dropping the socket takes 3 s: the channel
//   (receiveClose → waitSocketClosed → onCloseReceived) clears the socket's onclose before closing
//   it, so only DISCONNECTING_TIMEOUT moves it on to disconnected.
// - Client.updateToken / SyncClient.updateToken → TwilsockClient.updateToken → TwilsockChannel
//   sendUpdate: an `update` message carrying `token`, answered by a `reply` 200 (fsm updateSuccess).
//   That `update` (or a fresh `init`) is how a new token reaches the server.
// - `message` frames are HTTP requests tunnelled to Twilio's REST hosts (Upstream.actualSend:
//   header.http_request { host, path, method }); the reply carries http_status and the body as
//   payload. Only the routes a test registers are answered; the others are recorded and left
//   unanswered (the SDK waits), so nothing is faked beyond what a test needs.
// - `reply` frames from the client confirm our messages (TwilsockChannel.confirmReceiving): ignored.
import { randomUUID } from 'node:crypto';
import type { Page, WebSocketRoute } from 'playwright-core';

export const TWILSOCK_URL = 'wss://tsock.us1.twilio.com/v3/wsconnect';

export interface TwilsockFrame {
  header: Record<string, unknown> & { method: string; id: string };
  payload: unknown;
}

export function encodeFrame(header: Record<string, unknown>, payload?: unknown): Buffer {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const headerText = JSON.stringify({ ...header, payload_size: Buffer.byteLength(body) });
  return Buffer.from(`TWILSOCK V3.0 ${Buffer.byteLength(headerText)}\r\n${headerText}\r\n${body}`);
}

export function decodeFrame(data: Buffer): TwilsockFrame {
  const lineEnd = data.indexOf('\r\n');
  const [protocol, version, size] = data.subarray(0, lineEnd).toString().split(' ');
  if (protocol !== 'TWILSOCK' || version !== 'V3.0') throw new Error(`Not a twilsock V3.0 frame: ${data.subarray(0, 40).toString()}`);
  const headerStart = lineEnd + 2;
  const headerEnd = headerStart + Number(size);
  const header = JSON.parse(data.subarray(headerStart, headerEnd).toString()) as TwilsockFrame['header'];
  const payloadSize = Number(header.payload_size ?? 0);
  const payloadText = payloadSize > 0 ? data.subarray(headerEnd + 2, headerEnd + 2 + payloadSize).toString() : '';
  let payload: unknown = payloadText;
  if (payloadText && String(header.payload_type ?? 'application/json').startsWith('application/json')) payload = JSON.parse(payloadText);
  return { header, payload };
}

/** An HTTP route tunnelled through twilsock, answered by the fake with 200 and this JSON body. */
export type UpstreamRoutes = Record<string, (request: { host: string; path: string; method: string }) => unknown>;

/**
 * What the fake says on its own about each token it gets (in `init` or `update`):
 * - `manual`: nothing; the test calls `tokenAboutToExpire()` or `tokenExpired()`.
 * - `about-to-expire` / `expired`: that notice at `announceAt(token)` (ms), for each token (a server
 *   that re-sends token information after every update); a newer token cancels the older one's.
 * - `storm`: token_about_to_expire right after each reply, and again every 100 ms until `stop()`.
 */
export type TwilsockAnnounce = 'manual' | 'about-to-expire' | 'expired' | 'storm';

export class FakeTwilsock {
  readonly frames: TwilsockFrame[] = [];
  /** The token of each `init` (one per connection) and of each `update`, in order, and when it came (ms). */
  readonly tokensReceived: { method: 'init' | 'update'; token: string; at: number }[] = [];
  /** Tunnelled HTTP requests no route answered: `GET aim.us1.twilio.com/…`. */
  readonly unanswered: string[] = [];
  connections = 0;
  private socket: WebSocketRoute | undefined;
  private announcement: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly routes: UpstreamRoutes = {},
    private readonly announce: TwilsockAnnounce = 'manual',
    private readonly announceAt: (token: string) => number = Date.now,
  ) {}

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(TWILSOCK_URL, (ws) => {
      this.connections += 1;
      this.socket = ws;
      ws.onMessage((data) => this.receive(typeof data === 'string' ? Buffer.from(data) : data));
    });
  }

  private receive(data: Buffer): void {
    const frame = decodeFrame(data);
    this.frames.push(frame);
    const { header } = frame;
    const ok = { method: 'reply', id: header.id, status: { code: 200, status: 'OK' } };
    switch (header.method) {
      case 'init':
        this.tokensReceived.push({ method: 'init', token: String(header.token), at: Date.now() });
        this.send({ ...ok, continuation_token: `CT${randomUUID()}`, capabilities: header.capabilities ?? [], init_registrations: [] });
        this.announceLater(String(header.token));
        break;
      case 'update':
        this.tokensReceived.push({ method: 'update', token: String(header.token), at: Date.now() });
        this.send(ok);
        this.announceLater(String(header.token));
        break;
      case 'message': {
        const request = header.http_request as { host: string; path: string; method: string };
        const route = this.routes[`${request.method.toUpperCase()} ${request.host}${request.path}`];
        if (!route) {
          this.unanswered.push(`${request.method.toUpperCase()} ${request.host}${request.path}`);
          break;
        }
        this.send(
          { ...ok, http_status: { code: 200, status: 'OK' }, http_headers: { 'Content-Type': 'application/json' }, payload_type: 'application/json' },
          route(request),
        );
        break;
      }
      default:
      // `reply` (the client confirming our frames), `telemetry.v1`, `close`: nothing to answer.
    }
  }

  send(header: Record<string, unknown>, payload?: unknown): void {
    if (!this.socket) throw new Error('The client has not connected to the fake twilsock server');
    this.socket.send(encodeFrame(header, payload));
  }

  private announceLater(token: string): void {
    this.stop();
    if (this.announce === 'storm') {
      this.tokenAboutToExpire();
      this.announcement = setInterval(() => this.tokenAboutToExpire(), 100);
    } else if (this.announce !== 'manual') {
      const announce = () => (this.announce === 'expired' ? this.tokenExpired() : this.tokenAboutToExpire());
      this.announcement = setTimeout(announce, this.announceAt(token) - Date.now());
    }
  }

  /** Ends what the fake would still say on its own. */
  stop(): void {
    clearTimeout(this.announcement);
  }

  /** The server's notice that the connection's token expires soon. */
  tokenAboutToExpire(): void {
    this.send({ method: 'client_update', id: `TM${randomUUID()}`, client_update_type: 'token_about_to_expire' });
  }

  /** The server closing the connection because its token expired. */
  tokenExpired(): void {
    this.send({ method: 'close', id: `TM${randomUUID()}`, status: { code: 410, status: 'TOKEN_EXPIRED', description: 'Token expired' } });
  }
}
