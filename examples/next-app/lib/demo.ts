import { demoServerConfig, isAllowedOrigin, ORIGIN_NOT_ALLOWED } from '@grantor/demo-kit';

// `next start -p` sets PORT, from which the kit derives the page's own origins.
export const { credentials, allowedOrigins, rateLimit } = demoServerConfig();

/** The 403 answer to a login or logout from a page of another origin, or undefined when it may go ahead. */
export function refuseForeignOrigin(request: Request): Response | undefined {
  if (isAllowedOrigin((name) => request.headers.get(name), allowedOrigins)) return undefined;
  return Response.json(ORIGIN_NOT_ALLOWED, { status: 403 });
}
