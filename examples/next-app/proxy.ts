import { jsonError } from '@grantor/demo-kit';
import type { NextRequest } from 'next/server';

/**
 * Next.js takes a POST with a multipart body or a Next-Action header to a page for a Server Action
 * (the demo has none) and logs each one with a stack trace. Pages answer GET and HEAD only, as in
 * the Express and Koa demos.
 */
export function proxy(request: NextRequest): Response | undefined {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  return Response.json(jsonError('METHOD_NOT_ALLOWED', 'Pages answer GET and HEAD only.'), { status: 405, headers: { allow: 'GET, HEAD' } });
}

// Only what Next would take for a Server Action, on pages: not Next's files, nor the route
// handlers (app/**/route.ts), which read their own bodies. Next reads this at build time: literals only.
export const config = {
  matcher: [
    { source: '/((?!_next/|api/me$|api/token$|login$|logout$).*)', has: [{ type: 'header', key: 'next-action' }] },
    { source: '/((?!_next/|api/me$|api/token$|login$|logout$).*)', has: [{ type: 'header', key: 'content-type', value: 'multipart/form-data.*' }] },
  ],
};
