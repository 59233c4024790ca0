// Every grantor adapter, each mounted at /api/token on its own real HTTP server, so one request can
// be sent to all of them. Only the framework differs: the options come from the caller. The workerd
// adapters run in workerd (Miniflare), each mount its own; the caller's functions run here, called
// back by the worker (workerd/bridge.ts).
import type { TokenHandlerOptions } from '@grantor/core';
import { createTokenRoute as expressTokenRoute } from '@grantor/express';
import grantorFastify, { type GrantorPlugin } from '@grantor/fastify';
import { type GrantorOptions, GrantorModule, type GrantorRouteOptions } from '@grantor/nestjs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { isClientDisconnect, createTokenRoute as koaTokenRoute } from '@grantor/koa';
import { createTokenApiRoute, createTokenRoute as appTokenRoute } from '@grantor/next';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import Koa from 'koa';
import { listen, serveAppRoute, servePagesApiRoute, type TestServer } from '../../packages/next/test/support/next-server.js';

export const ADAPTERS = ['express', 'koa', 'next-app', 'next-pages', 'next-pages-raw', 'fastify', 'nest'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/**
 * The fetch adapters in workerd: Hono (@grantor/hono) and a Workers module (createFetchHandler).
 * Apart from ADAPTERS, which the fuzz also mounts: its raw-HTTP expectations are Node's HTTP parser's,
 * and workerd's differs (it answers an unknown method 501 and an unknown Transfer-Encoding 500 itself,
 * and takes Content-Length with Transfer-Encoding: chunked).
 */
export const WORKERD_ADAPTERS = ['hono-workerd', 'fetch-workerd'] as const;
export type WorkerdAdapterName = (typeof WORKERD_ADAPTERS)[number];

/**
 * The same two workers on the other fetch runtimes: Bun.serve and Deno.serve in a child process, and
 * an Edge VM (@edge-runtime/vm, Vercel Edge) behind node:http (runtimes-http/serve.ts). Apart from
 * ADAPTERS too: each runtime's HTTP parser is its own. Bun and Deno need their binaries
 * (test/runtimes/README.md, "Missing runtimes").
 */
export const RUNTIME_ADAPTERS = ['fetch-bun', 'hono-bun', 'fetch-deno', 'hono-deno', 'fetch-edge-vm', 'hono-edge-vm'] as const;
export type RuntimeAdapterName = (typeof RUNTIME_ADAPTERS)[number];

/** The adapters again inside apps with an app-wide body parser, mounted as the recipes say. */
export const APP_PARSER_ADAPTERS = ['express-json', 'koa-bodyparser'] as const;
export type AppParserAdapterName = (typeof APP_PARSER_ADAPTERS)[number];
export type AnyAdapterName = AdapterName | AppParserAdapterName | WorkerdAdapterName | RuntimeAdapterName;

export const ADAPTER_TITLES: Record<AnyAdapterName, string> = {
  express: 'Express',
  koa: 'Koa (@koa/router, router.all)',
  'next-app': 'Next App Router',
  'next-pages': "Next Pages Router (Next's body parser)",
  'next-pages-raw': 'Next Pages Router (bodyParser: false)',
  fastify: 'Fastify (register with prefix)',
  nest: "Nest (GrantorModule.forRoot, Nest's app-wide body parser)",
  'hono-workerd': 'Hono (app.all, auth middleware) in workerd',
  'fetch-workerd': 'createFetchHandler as a Workers module in workerd',
  'fetch-bun': 'createFetchHandler served by Bun.serve',
  'hono-bun': 'Hono (app.all, auth middleware) served by Bun.serve',
  'fetch-deno': 'createFetchHandler served by Deno.serve',
  'hono-deno': 'Hono (app.all, auth middleware) served by Deno.serve',
  'fetch-edge-vm': 'createFetchHandler in an Edge VM (Vercel Edge) behind node:http',
  'hono-edge-vm': 'Hono (app.all, auth middleware) in an Edge VM (Vercel Edge) behind node:http',
  'express-json': 'Express with app-wide express.json() before the route',
  'koa-bodyparser': 'Koa with app-wide @koa/bodyparser, disabled for the token path',
};

export interface MountedAdapter<TName extends AnyAdapterName = AdapterName> extends TestServer {
  name: TName;
  /** `METHOD /path?query` of the framework request the policy and hooks received, read the framework's way. */
  requestLine(request: unknown): string;
  /** A header of that framework request, read the framework's way. */
  requestHeader(request: unknown, name: string): string | undefined;
  /**
   * The methods the framework routes to grantor, where it answers the others itself: the Next App
   * Router's route file exports, Fastify's supported methods.
   */
  routeExports?: readonly string[];
}

/** The shared options: each adapter adds its own `getUser`, which reads the `x-test-user` header. */
export type AdapterOptions<TUser> = TokenHandlerOptions<TUser, unknown>;

export async function mountAdapter<TUser, TName extends AnyAdapterName>(
  name: TName,
  options: AdapterOptions<TUser>,
  userNamed: (name: string | null | undefined) => TUser | undefined,
): Promise<MountedAdapter<TName>> {
  return { name, ...(await serve(name, options, userNamed)) };
}

async function serve<TUser>(
  name: AnyAdapterName,
  options: AdapterOptions<TUser>,
  userNamed: (name: string | null | undefined) => TUser | undefined,
): Promise<Omit<MountedAdapter<AnyAdapterName>, 'name'>> {
  switch (name) {
    case 'express':
    case 'express-json': {
      const app = express();
      if (name === 'express-json') app.use(express.json());
      app.use('/api/token', expressTokenRoute<TUser>({ ...options, getUser: (req) => userNamed(req.get('x-test-user')) }));
      const requestLine = (req: unknown) => `${(req as express.Request).method} ${(req as express.Request).originalUrl}`;
      const requestHeader = (req: unknown, header: string) => (req as express.Request).get(header);
      return { requestLine, requestHeader, ...(await listen(app)) };
    }
    case 'koa':
    case 'koa-bodyparser': {
      const app = new Koa();
      // The Koa recipe's listener: a client's broken connection is no server error to print.
      app.on('error', (error) => {
        if (!isClientDisconnect(error)) console.error(error);
      });
      if (name === 'koa-bodyparser') {
        // The Koa recipe's way: grantor reads the token route's body itself.
        app.use(async (ctx, next) => {
          if (ctx.path === '/api/token') ctx.disableBodyParser = true;
          await next();
        });
        app.use(bodyParser());
      }
      const router = new Router();
      router.all('/api/token', koaTokenRoute<TUser>({ ...options, getUser: (ctx) => userNamed(ctx.get('x-test-user') || undefined) }));
      app.use(router.routes());
      const requestLine = (ctx: unknown) => `${(ctx as Koa.Context).method} ${(ctx as Koa.Context).originalUrl}`;
      const requestHeader = (ctx: unknown, header: string) => (ctx as Koa.Context).get(header) || undefined;
      return { requestLine, requestHeader, ...(await listen(app.callback())) };
    }
    case 'next-app': {
      const route = appTokenRoute<TUser>({ ...options, getUser: (request) => userNamed(request.headers.get('x-test-user')) });
      const requestLine = (request: unknown) => {
        const url = new URL((request as Request).url);
        return request instanceof Request ? `${request.method} ${url.pathname}${url.search}` : 'not a Request';
      };
      const requestHeader = (request: unknown, header: string) => (request as Request).headers.get(header) ?? undefined;
      return { requestLine, requestHeader, routeExports: Object.keys(route), ...(await serveAppRoute(route)) };
    }
    case 'next-pages':
    case 'next-pages-raw': {
      const route = createTokenApiRoute<TUser>({ ...options, getUser: (req) => userNamed(req.headers['x-test-user'] as string | undefined) });
      const config = name === 'next-pages-raw' ? { api: { bodyParser: false as const } } : {};
      const requestLine = (req: unknown) => `${(req as express.Request).method} ${(req as express.Request).url}`;
      const requestHeader = (req: unknown, header: string) => (req as express.Request).headers[header.toLowerCase()] as string | undefined;
      return { requestLine, requestHeader, ...(await servePagesApiRoute(route, config)) };
    }
    case 'fastify': {
      const app = Fastify();
      await app.register(grantorFastify as GrantorPlugin<TUser>, {
        prefix: '/api/token',
        ...options,
        getUser: (request) => userNamed(request.headers['x-test-user'] as string | undefined),
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const requestLine = (request: unknown) => `${(request as FastifyRequest).method} ${(request as FastifyRequest).url}`;
      const requestHeader = (request: unknown, header: string) => (request as FastifyRequest).headers[header.toLowerCase()] as string | undefined;
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      return { requestLine, requestHeader, routeExports: app.supportedMethods, url, close: () => app.close() };
    }
    case 'nest': {
      class AppModule {}
      Module({
        imports: [
          GrantorModule.forRoot<TUser>({ ...options, getUser: (req: express.Request) => userNamed(req.get('x-test-user')) } as GrantorOptions<TUser> &
            GrantorRouteOptions),
        ],
      })(AppModule);
      const app = await NestFactory.create(AppModule, { logger: false });
      await app.listen(0, '127.0.0.1');
      const requestLine = (req: unknown) => `${(req as express.Request).method} ${(req as express.Request).originalUrl}`;
      const requestHeader = (req: unknown, header: string) => (req as express.Request).get(header);
      return { requestLine, requestHeader, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
    }
    case 'hono-workerd':
    case 'fetch-workerd': {
      // Loaded only when used: esbuild and Miniflare stay out of the suites that mount no worker.
      const { serveWorker } = await import('./workerd/miniflare.js');
      return serveWorker(name, options as unknown as Record<string, unknown>, userNamed);
    }
    case 'fetch-bun':
    case 'hono-bun':
    case 'fetch-deno':
    case 'hono-deno':
    case 'fetch-edge-vm':
    case 'hono-edge-vm': {
      const { serveOnRuntime } = await import('./runtimes-http/serve.js');
      return serveOnRuntime(name, options as unknown as Record<string, unknown>, userNamed);
    }
  }
}
