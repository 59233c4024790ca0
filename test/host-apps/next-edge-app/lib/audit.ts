// The app's audit log for its token routes: one JSON line per token issued or refused, with the
// runtime that answered.
import type { DeniedEvent, IssuedEvent } from '@grantor/next';
import { currentRuntime } from './runtime';

const pathOf = (request: Request) => new URL(request.url).pathname;

export function logIssued({ identity, jti, grants, request }: IssuedEvent<unknown, Request>): void {
  console.info(JSON.stringify({ event: 'token.issued', path: pathOf(request), runtime: currentRuntime(), identity, jti, grants }));
}

export function logDenied({ code, status, identity, request }: DeniedEvent<unknown, Request>): void {
  console.info(JSON.stringify({ event: 'token.denied', path: pathOf(request), runtime: currentRuntime(), code, status, identity }));
}
