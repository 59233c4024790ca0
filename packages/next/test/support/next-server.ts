// A route under Next.js's own request handling, on a plain node:http server: the pieces Next 16
// runs around a route's code, taken from `next` itself rather than imitated.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { parseReqUrl } from 'next/dist/lib/url.js';
import { apiResolver } from 'next/dist/server/api-utils/node/api-resolver.js';
import { autoImplementMethods } from 'next/dist/server/route-modules/app-route/helpers/auto-implement-methods.js';
import { isHTTPMethod } from 'next/dist/server/web/http.js';
import { NextRequest } from 'next/server.js';
import type { ApiRouteHandler, AppRouteHandlers } from '../../src/index.js';

export interface TestServer {
  /** The base URL, e.g. `http://127.0.0.1:43210`. */
  url: string;
  close(): Promise<void>;
}

export async function listen(listener: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The body of Next's own 500 page, as this test server answers it (the real page is longer). */
export const NEXT_ERROR_PAGE = '<!DOCTYPE html><title>500: Internal Server Error</title>';

/** The request as a route handler gets it: Next hands it a `NextRequest`, a Web `Request` subclass. */
function nextRequest(req: http.IncomingMessage): NextRequest {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new NextRequest(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: 'half',
  } as ConstructorParameters<typeof NextRequest>[1]);
}

/**
 * An App Router route file's exports, served the way Next serves `app/.../route.ts`: a method the
 * file does not export gets Next's `405` with an empty body and no `Allow` header (the route's code
 * never runs), HEAD runs GET when GET is exported, OPTIONS gets `204` with `Allow`, and a method
 * Next does not know gets `400`.
 */
export function serveAppRoute(exports: Partial<AppRouteHandlers>): Promise<TestServer> {
  const methods = autoImplementMethods(exports);
  return listen(async (req, res) => {
    let request: NextRequest;
    try {
      request = nextRequest(req);
    } catch {
      // TRACE: Next's Request refuses the method, and Next answers its 500 error page.
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' }).end(NEXT_ERROR_PAGE);
      return;
    }
    const response = isHTTPMethod(request.method)
      ? ((await methods[request.method](request, { params: Promise.resolve({}) })) as Response)
      : new Response(null, { status: 400 });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
}

const PREVIEW_PROPS = { previewModeId: 'p'.repeat(16), previewModeEncryptionKey: 'e'.repeat(16), previewModeSigningKey: 's'.repeat(16) };

/** The `config` a `pages/api` file may export. */
export interface ApiRouteConfig {
  api?: { bodyParser?: false | { sizeLimit?: string } };
}

/**
 * A Pages Router API route served by Next's own `apiResolver`: `req.query` from Next's URL parser,
 * `req.body` from Next's body parser unless `config.api.bodyParser` is false, Next's own answers
 * for what the parser rejects (invalid JSON: 400; over `sizeLimit`: 413).
 */
export function servePagesApiRoute(route: ApiRouteHandler, config: ApiRouteConfig = {}): Promise<TestServer> {
  return listen((req, res) => {
    const query = parseReqUrl(req.url ?? '/')?.query ?? {};
    void apiResolver(req, res, query, { default: route, config }, { ...PREVIEW_PROPS, dev: false }, false, false, '/api/token');
  });
}
