// A Koa 3 app as people write them: app-wide @koa/bodyparser, koa-session, koa-passport with a
// username/password form, @koa/router; grantor's token route mounted as the docs show.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createTokenRoute } from '@grantor/koa';
import { timingSafeEqual } from 'node:crypto';
import Koa from 'koa';
import passport from 'koa-passport';
import session from 'koa-session';
import { Strategy as LocalStrategy } from 'passport-local';

interface User {
  id: number;
  username: string;
  role: 'host' | 'guest';
}

// In memory: a real app keeps scrypt or argon2 hashes in its database.
const users: Array<User & { password: string }> = [
  { id: 1, username: 'alice', role: 'host', password: 'alice-pass' },
  { id: 2, username: 'bob', role: 'guest', password: 'bob-pass' },
];
const samePassword = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

passport.use(
  new LocalStrategy((username, password, done) => {
    const found = users.find((user) => user.username === username && samePassword(user.password, password));
    done(null, found ? { id: found.id, username: found.username, role: found.role } : false);
  }),
);
passport.serializeUser((user, done) => done(null, (user as User).id));
passport.deserializeUser((id: number, done) => {
  const found = users.find((user) => user.id === id);
  done(null, found ? { id: found.id, username: found.username, role: found.role } : false);
});

const app = new Koa();
app.keys = ['koa app secret'];

// DISABLE_BODY_PARSER=0 leaves out the docs' line, to show what it is for.
if (process.env.DISABLE_BODY_PARSER !== '0') {
  // The docs' line: grantor reads the token route's body itself and answers bad JSON with its own JSON 400.
  app.use(async (ctx, next) => {
    if (ctx.path === '/api/token') ctx.disableBodyParser = true;
    await next();
  });
}
app.use(bodyParser());
app.use(session({}, app));
app.use(passport.initialize());
app.use(passport.session());

const router = new Router();

router.get('/login', (ctx) => {
  ctx.type = 'html';
  ctx.body = '<form method="post" action="/login"><input name="username"><input name="password" type="password"><button>Sign in</button></form>';
});
router.post('/login', passport.authenticate('local', { successRedirect: '/', failureRedirect: '/login' }));
router.post('/logout', async (ctx) => {
  await ctx.logout();
  ctx.redirect('/');
});
router.get('/', (ctx) => {
  ctx.body = ctx.isAuthenticated() ? `Hello ${(ctx.state.user as User).username}` : 'Hello stranger';
});

router.all(
  '/api/token',
  createTokenRoute<User>({
    credentials: {
      accountSid: process.env.TWILIO_ACCOUNT_SID!,
      keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
    },
    policy: ({ user, params }) => {
      if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
      if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
      return { grants: { video: { room: 'lobby' } }, ttl: 600 };
    },
  }),
);

app.use(router.routes());
app.use(router.allowedMethods());

app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
