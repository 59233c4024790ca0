// Every grantor adapter, each mounted at /api/token on its own real HTTP server, so one request can
// be sent to all of them. Only the framework differs: the options come from the caller.
import type { TokenHandlerOptions } from '@grantor/core';
import { createTokenRoute as expressTokenRoute } from '@grantor/express';
import { createTokenRoute as koaTokenRoute } from '@grantor/koa';
import { createTokenApiRoute, createTokenRoute as appTokenRoute } from '@grantor/next';
import Router from '@koa/router';
import express from 'express';
import Koa from 'koa';
import { listen, serveAppRoute, servePagesApiRoute, type TestServer } from '../../packages/next/test/support/next-server.js';

export const ADAPTERS = ['express', 'koa', 'next-app', 'next-pages', 'next-pages-raw'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export const ADAPTER_TITLES: Record<AdapterName, string> = {
  express: 'Express',
  koa: 'Koa (@koa/router, router.all)',
  'next-app': 'Next App Router',
  'next-pages': "Next Pages Router (Next's body parser)",
  'next-pages-raw': 'Next Pages Router (bodyParser: false)',
};

export interface MountedAdapter extends TestServer {
  name: AdapterName;
  /** `METHOD /path?query` of the framework request the policy and hooks received, read the framework's way. */
  requestLine(request: unknown): string;
}

/** The shared options: each adapter adds its own `getUser`, which reads the `x-test-user` header. */
export type AdapterOptions<TUser> = TokenHandlerOptions<TUser, unknown>;

export async function mountAdapter<TUser>(
  name: AdapterName,
  options: AdapterOptions<TUser>,
  userNamed: (name: string | null | undefined) => TUser | undefined,
): Promise<MountedAdapter> {
  switch (name) {
    case 'express': {
      const app = express();
      app.use('/api/token', expressTokenRoute<TUser>({ ...options, getUser: (req) => userNamed(req.get('x-test-user')) }));
      const requestLine = (req: unknown) => `${(req as express.Request).method} ${(req as express.Request).originalUrl}`;
      return { name, requestLine, ...(await listen(app)) };
    }
    case 'koa': {
      const app = new Koa();
      const router = new Router();
      router.all('/api/token', koaTokenRoute<TUser>({ ...options, getUser: (ctx) => userNamed(ctx.get('x-test-user') || undefined) }));
      app.use(router.routes());
      const requestLine = (ctx: unknown) => `${(ctx as Koa.Context).method} ${(ctx as Koa.Context).originalUrl}`;
      return { name, requestLine, ...(await listen(app.callback())) };
    }
    case 'next-app': {
      const route = appTokenRoute<TUser>({ ...options, getUser: (request) => userNamed(request.headers.get('x-test-user')) });
      const requestLine = (request: unknown) => {
        const url = new URL((request as Request).url);
        return request instanceof Request ? `${request.method} ${url.pathname}${url.search}` : 'not a Request';
      };
      return { name, requestLine, ...(await serveAppRoute(route)) };
    }
    case 'next-pages':
    case 'next-pages-raw': {
      const route = createTokenApiRoute<TUser>({ ...options, getUser: (req) => userNamed(req.headers['x-test-user'] as string | undefined) });
      const config = name === 'next-pages-raw' ? { api: { bodyParser: false as const } } : {};
      const requestLine = (req: unknown) => `${(req as express.Request).method} ${(req as express.Request).url}`;
      return { name, requestLine, ...(await servePagesApiRoute(route, config)) };
    }
  }
}
