// A Fastify 5 app with a form login: @fastify/secure-session keeps the session in an encrypted
// cookie, @fastify/passport (passport-local) puts the user on request.user, and grantor's plugin
// serves POST /api/token with the docs' lines.
import formbody from '@fastify/formbody';
import fastifyPassport from '@fastify/passport';
import fastifySecureSession from '@fastify/secure-session';
import grantor from '@grantor/fastify';
import Fastify from 'fastify';
import { Strategy as LocalStrategy } from 'passport-local';

declare module 'fastify' {
  interface PassportUser {
    id: string;
    role: 'host' | 'guest';
  }
}

const users = [
  { id: '1', username: 'alice', password: 'alice-pass', role: 'host' as const },
  { id: '2', username: 'bob', password: 'bob-pass', role: 'guest' as const },
];

const fastify = Fastify({ logger: true });

await fastify.register(formbody);
await fastify.register(fastifySecureSession, {
  secret: process.env.SESSION_SECRET ?? 'a secret of at least thirty-two characters',
  salt: 'mq9hDxBVDbspDR6n',
  cookie: { path: '/', httpOnly: true },
});
await fastify.register(fastifyPassport.initialize());
await fastify.register(fastifyPassport.secureSession());

fastifyPassport.use(
  'local',
  new LocalStrategy((username, password, done) => {
    const user = users.find((candidate) => candidate.username === username && candidate.password === password);
    done(null, user ? { id: user.id, role: user.role } : false);
  }),
);
fastifyPassport.registerUserSerializer(async (user: { id: string }) => user.id);
fastifyPassport.registerUserDeserializer(async (id: string) => {
  const user = users.find((candidate) => candidate.id === id);
  return user ? { id: user.id, role: user.role } : null;
});

fastify.get('/', async (request) => ({ user: request.user ?? null }));
fastify.post('/login', { preValidation: fastifyPassport.authenticate('local', { successRedirect: '/', authInfo: false }) }, async () => {});
fastify.post('/logout', async (request, reply) => {
  await request.logOut();
  return reply.redirect('/');
});
// The app's own JSON route, parsed by Fastify as before grantor came.
fastify.post('/api/notes', async (request) => ({ saved: request.body }));

// The docs' lines: after the session and @fastify/passport set-up.
await fastify.register(grantor, {
  prefix: '/api/token',
  credentials: {
    accountSid: process.env.TWILIO_ACCOUNT_SID!,
    keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
  },
  // Who may do what. The identity is String(user.id) unless you pass identity(user).
  policy: ({ user, params }) => {
    if (user.role === 'host') return { grants: { video: { room: params.room as string }, chat: {} } };
    if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
    return { grants: { video: { room: 'lobby' } }, ttl: 600 };
  },
});

await fastify.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
