/**
 * The one mistake a route cannot survive silently: creating it inside the framework's request handler,
 * once per request. Each copy then starts its in-process `rateLimit` count from zero (the limit never
 * holds) and prepares its signing key again. It happens when the user lives somewhere only the request
 * handler sees (SvelteKit's `event.locals`, Astro's `locals`): the route's second argument,
 * `route(request, context)` → `getUser(request, context)`, is the fix, and this warning points to it.
 *
 * Recognised by what it looks like: the same code (the same call stack) creating route after route,
 * each of which answered exactly one request. A route created once answers many; one re-created by a
 * hot reload has usually answered several, or none, by the time the next one replaces it.
 */
const REBUILDS_BEFORE_WARNING = 2;
/**
 * The top of the call stack names the code that creates the route: this function, grantor's own
 * frames, the app's function and its callers. Deeper frames differ between a first call and the
 * following ones (a framework's first request loads modules), so they are left out.
 */
const FRAMES_NAMING_THE_CODE = 6;
/** Call stacks remembered; a process that somehow creates routes from more places starts over. */
const MAX_SITES = 1000;

interface Site {
  /** How many requests the latest route created here answered, so far. */
  latest: { requests: number };
  /** How many routes in a row were replaced after answering exactly one request. */
  singleUse: number;
}

const sites = new Map<string, Site>();
let warned = false;

/**
 * Records that a route is being created here; returns what the route calls on each request. Warns
 * once per process, on the third single-use route in a row from the same place.
 */
export function watchRebuilds(): () => void {
  const latest = { requests: 0 };
  const where = (new Error().stack ?? '').split('\n', FRAMES_NAMING_THE_CODE).join('\n');
  const site = sites.get(where);
  if (site === undefined) {
    if (sites.size >= MAX_SITES) sites.clear();
    sites.set(where, { latest, singleUse: 0 });
  } else {
    site.singleUse = site.latest.requests === 1 ? site.singleUse + 1 : 0;
    site.latest = latest;
    if (site.singleUse >= REBUILDS_BEFORE_WARNING && !warned) {
      warned = true;
      console.warn(
        '[grantor] a token route is being created for each request (the same code created it again after each single request). ' +
          'Each copy starts its rateLimit count from zero, so the limit never holds, and prepares its signing key again. ' +
          'Create the route once, at module level, and hand it the framework context it needs: ' +
          'route(request, context) passes it on as getUser(request, context) (SvelteKit: tokenRoute(event.request, event)).',
      );
    }
  }
  return () => {
    latest.requests++;
  };
}
