import { createTokenRoute } from '@grantor/next';
import { tokenRouteOptions } from '@/lib/token-route';

export const runtime = 'edge';

// Every method: the ones not in `methods` (default POST) get grantor's JSON 405 with Allow.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = createTokenRoute(tokenRouteOptions);
