import { AccessTokenError, createTokenHandler, type GetUser, type TokenHandler, type TokenResponse } from '@grantor/core';
import type { ArgumentsHost, DynamicModule, Provider, Type } from '@nestjs/common';
import { All, Catch, Controller, ForbiddenException, HttpException, Inject, Module, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { GrantorAsyncOptions, GrantorOptions, GrantorRouteOptions } from './options.js';

type TokenRoute = { handler: TokenHandler<unknown, Request>; getUser: GetUser<unknown, [req: Request]> };
const TOKEN_ROUTE = Symbol('grantor token route');
const ROUTE_PATH = Symbol('grantor token route path');

const tokenRouteOf = (options: GrantorOptions<any>): TokenRoute => ({
  handler: createTokenHandler<unknown, Request>(options),
  getUser: options.getUser ?? ((req) => (req as Request & { user?: unknown }).user),
});
const tokenRequestOf = ({ getUser }: TokenRoute, req: Request) => ({
  ...{ method: req.method, headers: req.headers, query: req.query, request: req, getUser: () => getUser(req) },
  // Nest's app-wide body parser read a JSON or form body already; grantor reads any other.
  body: req.readableEnded ? { parsed: req.body } : { stream: req },
});
const send = (res: Response, response: TokenResponse) => res.writeHead(response.status, response.headers).end(response.body);
/** An HttpException's 4xx (a guard's 401 or 403) has a message meant for the client, as http-errors' `expose` says. */
const asClientError = (error: unknown) => (error instanceof HttpException ? { status: error.getStatus(), expose: true, message: error.message } : error);

/** Every answer on the token route is grantor's JSON with no-store: its guards' refusals and any error around it. */
class GrantorExceptionFilter {
  constructor(private readonly route: TokenRoute) {}
  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const req = host.switchToHttp().getRequest<Request>();
    const { handler, getUser } = this.route;
    // A guard that returns false (a session guard's isAuthenticated()) is Nest's 403; with nobody logged in, the route's 401.
    const nobody =
      error instanceof ForbiddenException &&
      !(await Promise.resolve(req)
        .then(getUser)
        .catch(() => true));
    const tokenRequest = tokenRequestOf(this.route, req);
    send(host.switchToHttp().getResponse(), await (nobody ? handler.handle(tokenRequest) : handler.handleRouteError(asClientError(error), tokenRequest)));
  }
}
Catch()(GrantorExceptionFilter);
Inject(TOKEN_ROUTE)(GrantorExceptionFilter, undefined, 0);

function tokenController(path: string, guards: NonNullable<GrantorRouteOptions['guards']>): Type {
  class GrantorTokenController {
    constructor(private readonly route: TokenRoute) {}
    async token(req: Request, res: Response): Promise<void> {
      send(res, await this.route.handler.handle(tokenRequestOf(this.route, req)));
    }
  }
  const { prototype } = GrantorTokenController;
  Inject(TOKEN_ROUTE)(GrantorTokenController, undefined, 0);
  [Req(), Res()].forEach((decorate, index) => decorate(prototype, 'token', index));
  All()(prototype, 'token', Object.getOwnPropertyDescriptor(prototype, 'token')!);
  [UseFilters(GrantorExceptionFilter), UseGuards(...guards), Controller(path)].forEach((decorate) => decorate(GrantorTokenController));
  return GrantorTokenController;
}

/**
 * The token route as a Nest module, on Nest's Express platform: a controller at `path` behind your
 * `guards`, whose exception filter answers everything on it (a guard's 401, a body parser's error)
 * with grantor's JSON and no-store: `GrantorModule.forRoot<User>({ guards: [AuthGuard('jwt')], credentials, policy })`.
 */
export class GrantorModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ApplicationConfig,
    private readonly route: TokenRoute,
    private readonly path: string,
  ) {}

  /** Nest's body parser runs app-wide, and its errors skip the route's filter: an Express error handler on the route's path answers them. */
  onModuleInit(): void {
    const { httpAdapter } = this.adapterHost;
    if (httpAdapter.getType() !== 'express')
      throw new AccessTokenError('INVALID_OPTIONS', `@grantor/nestjs runs on Nest's Express platform, not "${httpAdapter.getType()}".`);
    const fullPath = `/${[this.config.getGlobalPrefix(), this.path]
      .flatMap((part) => part.split('/'))
      .filter(Boolean)
      .join('/')}`;
    httpAdapter.use(fullPath, async (error: unknown, req: Request, res: Response, next: NextFunction) => {
      const response = req.path === '/' ? await this.route.handler.handleMiddlewareError(error, tokenRequestOf(this.route, req)) : undefined;
      if (response) send(res, response);
      else next(error);
    });
  }

  /** The token route with these options; the policy's `user` is a `TUser`. */
  static forRoot<TUser = unknown>({ path, guards, ...options }: GrantorOptions<TUser> & GrantorRouteOptions): DynamicModule {
    return GrantorModule.withRoute({ path, guards }, { provide: TOKEN_ROUTE, useValue: tokenRouteOf(options as GrantorOptions) });
  }

  /** The options from a factory, e.g. the credentials from `ConfigService`: `{ imports, inject, useFactory }`. */
  static forRootAsync<TUser = unknown>({ imports = [], inject = [], useFactory, ...route }: GrantorAsyncOptions<TUser>): DynamicModule {
    const useRoute = async (...args: unknown[]) => tokenRouteOf((await useFactory(...args)) as GrantorOptions);
    return { ...GrantorModule.withRoute(route, { provide: TOKEN_ROUTE, inject, useFactory: useRoute }), imports };
  }

  private static withRoute({ path = 'api/token', guards = [] }: GrantorRouteOptions, provider: Provider): DynamicModule {
    return { module: GrantorModule, controllers: [tokenController(path, guards)], providers: [provider, { provide: ROUTE_PATH, useValue: path }] };
  }
}
Module({})(GrantorModule);
[HttpAdapterHost, ApplicationConfig, TOKEN_ROUTE, ROUTE_PATH].forEach((token, index) => Inject(token)(GrantorModule, undefined, index));

export type { GrantorAsyncOptions, GrantorOptions, GrantorRouteOptions } from './options.js';
export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
