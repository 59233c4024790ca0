// A Hono app on Cloudflare Workers, as @grantor/hono's README mounts it: an auth middleware sets
// c.set('user', ...) and the route's default getUser reads c.get('user').
import { createTokenRoute } from '@grantor/hono';
import { Context, Hono } from 'hono';
import type { WorkerEnv } from './bridge.js';
import { describeRequest, type WorkerGrantor, workerGrantor } from './worker-options.js';

type App = Hono<{ Variables: { user: unknown } }>;

function createApp(grantor: WorkerGrantor<Context>): App {
  const app: App = new Hono();
  app.use((c, next) => grantor.settle(c, next));
  // The session lookup as a promise the route awaits (getUser may return one), so a failing session
  // store is grantor's 500 with onError, as with every other adapter's getUser.
  app.use('/api/token', async (c, next) => {
    const user = grantor.lookUp(c, c.req.header('x-test-user'));
    user.catch(() => {}); // Not every request gets as far as the user (405, 403 Origin).
    c.set('user', user);
    await next();
  });
  app.all('/api/token', createTokenRoute(grantor.options));
  return app;
}

let app: App | undefined;

export default {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response> {
    app ??= createApp(workerGrantor(env, (c: Context) => describeRequest('Context', c instanceof Context ? c.req.raw : undefined)));
    return app.fetch(request, env);
  },
};
