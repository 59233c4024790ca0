export { APP_ROUTE_METHODS, type AppRouteHandler, type AppRouteHandlers, type AppRouteOptions, createTokenRoute } from './app-router.js';
export { type ApiRouteHandler, type ApiRouteOptions, createTokenApiRoute } from './pages-router.js';
export type { NextTokenRouteOptions } from './options.js';
export type { GetUser } from '@grantor/core';
export type { DeniedEvent, IssuedEvent, PolicyContext, PolicyDecision } from '@grantor/core';
