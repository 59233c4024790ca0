/**
 * Reading a Node.js request's body (`{ stream: req }`): a body already in the request's buffer, as a
 * token request's few bytes usually are, and one still arriving, on real node:http connections.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenHandler } from '@grantor/core';
import { ACCOUNT_SID, KEY } from './support.js';

const rooms: unknown[] = [];
const ended: boolean[] = [];
/** Whether each request's stream had ended when the route answered. */
const endedWhenAnswered: boolean[] = [];
const handler = createTokenHandler({
  credentials: { accountSid: ACCOUNT_SID, keys: KEY },
  policy: ({ params }) => {
    rooms.push(params.room);
    return { grants: { video: { room: typeof params.room === 'string' ? params.room : 'lobby' } } };
  },
});

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    // As behind a framework's async hook: the rest of the packet, the body included, is parsed by now.
    await Promise.resolve();
    const response = await handler.handle({ method: req.method!, headers: req.headers, user: { id: 'u1' }, body: { stream: req }, request: req });
    endedWhenAnswered.push(req.readableEnded);
    // The stream ends as after any full read: nothing is left in it for the server to drop.
    if (!req.readableEnded) await once(req, 'end');
    ended.push(req.readableEnded);
    res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) }).end(response.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const post = (body: string | Buffer, length = Buffer.byteLength(body)) =>
  Buffer.concat([
    Buffer.from(`POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`),
    Buffer.from(body),
  ]);

/** Writes each part in turn (a pause between them); resolves with the status lines and error codes of `count` answers. */
async function exchange(parts: Buffer[], count: number): Promise<string[]> {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  const statusLines = () => received.match(/HTTP\/1\.1 \d+[^\r]*/g) ?? [];
  // Each answer is JSON with a Content-Length: the last one is in once the text ends with its closing brace.
  const answered = new Promise<void>((resolve) =>
    socket.on('data', (chunk) => {
      received += chunk;
      if (statusLines().length >= count && received.endsWith('}')) resolve();
    }),
  );
  for (const part of parts) {
    socket.write(part);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await answered;
  socket.destroy();
  return [...statusLines(), ...(received.match(/"code":"[A-Z_]+"/g) ?? [])];
}

describe('a Node.js request body', () => {
  it('two requests sent in one packet on a keep-alive connection are each read whole', async () => {
    rooms.length = 0;
    ended.length = 0;
    endedWhenAnswered.length = 0;
    const answers = await exchange([Buffer.concat([post('{"room":"first"}'), post('{"room":"second"}')])], 2);
    expect(answers).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(rooms).toEqual(['first', 'second']);
    expect(ended).toEqual([true, true]);
    // Its Content-Length's worth of bytes in the buffer is the whole body: no turn of the event loop to wait for the end.
    expect(endedWhenAnswered).toEqual([false, false]);
  });

  it('a body that arrives after its headers, in pieces, is read whole', async () => {
    rooms.length = 0;
    const whole = post('{"room":"late"}');
    const headersEnd = whole.indexOf('\r\n\r\n') + 4;
    const answers = await exchange([whole.subarray(0, headersEnd), whole.subarray(headersEnd, headersEnd + 5), whole.subarray(headersEnd + 5)], 1);
    expect(answers).toEqual(['HTTP/1.1 200 OK']);
    expect(rooms).toEqual(['late']);
  });

  it('an empty body (Content-Length: 0) is no params', async () => {
    rooms.length = 0;
    expect(await exchange([post('')], 1)).toEqual(['HTTP/1.1 200 OK']);
    expect(rooms).toEqual([undefined]);
  });

  it('a buffered body that is not UTF-8 is 400', async () => {
    const answers = await exchange([post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))], 1);
    expect(answers).toEqual(['HTTP/1.1 400 Bad Request', '"code":"BAD_REQUEST"']);
  });
});
