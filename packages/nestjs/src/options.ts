import type { GetUser, TokenHandlerOptions } from '@grantor/core';
import type { CanActivate, InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { Request } from 'express';

export type GrantorOptions<TUser = unknown> = TokenHandlerOptions<TUser, Request> & {
  /**
   * Reads the authenticated user from the request; return null or undefined when nobody is logged in.
   * @default (req) => req.user (what Passport's guards set, AuthGuard('jwt') and session guards alike)
   */
  getUser?: GetUser<TUser, [req: Request]> | undefined;
};

export interface GrantorRouteOptions {
  /**
   * The token route's path, under your global prefix as any controller's is.
   * @default 'api/token'
   */
  path?: string | undefined;
  /**
   * Guards that run before the route, as `@UseGuards()` runs them: `[AuthGuard('jwt')]`, your session
   * guard. App-wide guards (`APP_GUARD`, `useGlobalGuards`) run before these.
   * @default [] (app-wide guards only)
   */
  guards?: (CanActivate | Type<CanActivate>)[] | undefined;
}

export interface GrantorAsyncOptions<TUser = unknown> extends GrantorRouteOptions {
  /** Modules whose providers `useFactory` needs, e.g. `[ConfigModule]`. */
  imports?: ModuleMetadata['imports'] | undefined;
  /** What `useFactory` gets, e.g. `[ConfigService]`. */
  inject?: (InjectionToken | OptionalFactoryDependency)[] | undefined;
  useFactory: (...args: any[]) => GrantorOptions<TUser> | Promise<GrantorOptions<TUser>>;
}
