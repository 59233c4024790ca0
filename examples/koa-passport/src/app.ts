import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  configureDemoPassport,
  DEMO_CREDENTIALS_WARNING,
  CLIENT_SCRIPT_PATH,
  clientScriptFile,
  type DemoAppOptions,
  demoPolicy,
  demoRateLimit,
  type DemoUser,
  isAllowedOrigin,
  jsonError,
  LOGIN_BODY_LIMIT,
  logFailure,
  ORIGIN_NOT_ALLOWED,
  PAGE_DIR,
  TARGET_NOT_A_PATH,
  targetsPath,
} from '@grantor/demo-kit';
import { createTokenRoute, isClientDisconnect } from '@grantor/koa';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import passport from 'koa-passport';
import session from 'koa-session';

configureDemoPassport(passport);

// Answers JSON with no stack trace, and keeps Koa's default handler from logging one.
const jsonErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (cause) {
    // A 4xx status marks the client errors, like a login body that is not valid JSON.
    const { status, message } = (cause ?? {}) as { status?: unknown; message?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      ctx.status = status;
      ctx.body = jsonError('INVALID_REQUEST', String(message));
      return;
    }
    logFailure(cause);
    ctx.status = 500;
    ctx.body = jsonError('INTERNAL_ERROR', 'Something went wrong.');
  }
};

// A target without a path (`*`, `https://`) has a null ctx.path, which the routes and the page do not expect.
const pathTargets: Middleware = (ctx, next) => {
  if (targetsPath(ctx.url)) return next();
  ctx.status = 400;
  ctx.body = TARGET_NOT_A_PATH;
};

// co-body hands on zlib's error, without a status, for a body that is not the gzip, deflate or
// Brotli its Content-Encoding names: like Express's body-parser, answer it 400 rather than 500.
const loginBody = bodyParser({
  enableTypes: ['json', 'form'],
  jsonLimit: LOGIN_BODY_LIMIT,
  formLimit: LOGIN_BODY_LIMIT,
  onError(cause, ctx) {
    if (typeof (cause as { status?: unknown }).status === 'number') throw cause;
    ctx.throw(400, 'The request body does not match its Content-Encoding.');
  },
});

/** Serves the files of the shared demo page, `/` being its index.html, and the @grantor/client build it imports. */
function demoPage(): Middleware {
  const files = new Set(readdirSync(PAGE_DIR));
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === CLIENT_SCRIPT_PATH) {
      ctx.type = 'text/javascript';
      ctx.body = await readFile(clientScriptFile());
      return;
    }
    const name = ctx.path === '/' ? 'index.html' : ctx.path.slice(1);
    if (!files.has(name)) return next();
    ctx.type = extname(name);
    ctx.body = await readFile(join(PAGE_DIR, name));
  };
}

/**
 * The demo: Passport logs users in with a session cookie, and `/api/token` gives the logged-in
 * user a Twilio Access Token whose grants the demo policy picks from the user's role.
 */
export function createApp({ credentials, allowedOrigins, rateLimit }: DemoAppOptions): Koa {
  const app = new Koa();
  // A new random key per start: restarting logs everyone out, which is fine for a demo.
  // A real app loads fixed keys from its configuration.
  app.keys = [randomBytes(32).toString('hex')];
  // Instead of Koa's default listener, which prints the errors of a client's own connection (a
  // reset, an HTTP parse error in its body) with their stack.
  app.on('error', (cause: unknown) => {
    if (!isClientDisconnect(cause)) logFailure(cause);
  });
  app.use(jsonErrors);
  app.use(pathTargets);
  app.use(session({ httpOnly: true, sameSite: 'lax' }, app));
  app.use(passport.initialize());
  app.use(passport.session());

  const sameOrigin: Middleware = (ctx, next) => {
    if (isAllowedOrigin((name) => ctx.get(name), allowedOrigins)) return next();
    ctx.status = 403;
    ctx.body = ORIGIN_NOT_ALLOWED;
  };
  const router = new Router();
  router.post('/login', sameOrigin, loginBody, (ctx, next) =>
    passport.authenticate('local', async (cause: unknown, user: DemoUser | false) => {
      if (cause) throw cause;
      if (!user) {
        ctx.status = 401;
        ctx.body = jsonError('UNAUTHENTICATED', 'Wrong username or password.');
        return;
      }
      await ctx.login(user);
      ctx.body = { user };
    })(ctx, next),
  );
  router.post('/logout', sameOrigin, async (ctx) => {
    await ctx.logout();
    ctx.body = { user: null };
  });
  router.get('/api/me', (ctx) => {
    ctx.body = { user: ctx.state.user ?? null, demoCredentialsWarning: credentials.isDemo ? DEMO_CREDENTIALS_WARNING : null };
  });
  router.all('/api/token', createTokenRoute<DemoUser>({ credentials, policy: demoPolicy, allowedOrigins, rateLimit: rateLimit && demoRateLimit(rateLimit) }));

  app.use(router.routes());
  app.use(demoPage());
  return app;
}
