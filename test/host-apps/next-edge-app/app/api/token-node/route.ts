// The same route on the Node.js runtime: the default, with no `export const runtime`.
import { createTokenRoute } from '@grantor/next';
import { tokenRouteOptions } from '@/lib/token-route';

// Every method: the ones not in `methods` (default POST) get grantor's JSON 405 with Allow.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = createTokenRoute(tokenRouteOptions);
