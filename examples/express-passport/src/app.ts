import { randomBytes } from 'node:crypto';
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
import { createTokenRoute } from '@grantor/express';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';

declare global {
  namespace Express {
    // Types req.user, and the user the token route hands to the policy.
    interface User extends DemoUser {}
  }
}

configureDemoPassport(passport);

// Answers JSON with no stack trace, unlike Express's default handler outside production.
const jsonErrors: ErrorRequestHandler = (cause, _req, res, _next) => {
  // `expose` marks the client errors (http-errors), like a login body that is not valid JSON.
  if (cause?.expose) return res.status(cause.status).json(jsonError('INVALID_REQUEST', cause.message));
  logFailure(cause);
  res.status(500).json(jsonError('INTERNAL_ERROR', 'Something went wrong.'));
};

/**
 * The demo: Passport logs users in with a session cookie, and `/api/token` gives the logged-in
 * user a Twilio Access Token whose grants the demo policy picks from the user's role.
 */
export function createApp({ credentials, allowedOrigins, rateLimit }: DemoAppOptions): Express {
  const app = express();
  // `GET *` has no path for express-session to match its cookie against: without a session, passport.session() throws.
  app.use((req, res, next) => (targetsPath(req.url) ? next() : res.status(400).json(TARGET_NOT_A_PATH)));
  app.use(
    session({
      // A new random secret per start: restarting logs everyone out, which is fine for a demo.
      // A real app loads a fixed secret from its configuration and uses a persistent session store.
      secret: randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(passport.session());

  const sameOrigin: RequestHandler = (req, res, next) => {
    if (isAllowedOrigin((name) => req.get(name), allowedOrigins)) return next();
    res.status(403).json(ORIGIN_NOT_ALLOWED);
  };
  const loginBody = [express.json({ limit: LOGIN_BODY_LIMIT }), express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT })];
  app.post('/login', sameOrigin, ...loginBody, (req, res, next) => {
    passport.authenticate('local', (cause: unknown, user: DemoUser | false) => {
      if (cause) return next(cause);
      if (!user) return res.status(401).json(jsonError('UNAUTHENTICATED', 'Wrong username or password.'));
      req.logIn(user, (loginError) => (loginError ? next(loginError) : res.json({ user })));
    })(req, res, next);
  });
  app.post('/logout', sameOrigin, (req, res, next) => {
    req.logout((cause) => (cause ? next(cause) : res.json({ user: null })));
  });
  app.get('/api/me', (req, res) => {
    res.json({ user: req.user ?? null, demoCredentialsWarning: credentials.isDemo ? DEMO_CREDENTIALS_WARNING : null });
  });
  app.use('/api/token', createTokenRoute({ credentials, policy: demoPolicy, allowedOrigins, rateLimit: rateLimit && demoRateLimit(rateLimit) }));

  // The page imports @grantor/client's ES module build from here.
  app.get(CLIENT_SCRIPT_PATH, (_req, res) => res.type('text/javascript').sendFile(clientScriptFile()));
  app.use(express.static(PAGE_DIR));
  app.use(jsonErrors);
  return app;
}
