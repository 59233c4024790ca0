// A Fastify 5 API whose clients log in for a JWT (@fastify/jwt) and send it as a bearer token;
// grantor's plugin serves POST /api/token with the docs' @fastify/jwt lines.
import fastifyJwt from '@fastify/jwt';
import grantor from '@grantor/fastify';
import Fastify from 'fastify';

const users = [
  { userId: '1', username: 'alice', password: 'alice-pass', role: 'host' },
  { userId: '2', username: 'bob', password: 'bob-pass', role: 'guest' },
];

const fastify = Fastify({ logger: true });
fastify.register(fastifyJwt, { secret: process.env.JWT_SECRET ?? 'supersecret' });

fastify.get('/', async () => ({ hello: 'world' }));
fastify.post('/login', async (request, reply) => {
  const { username, password } = request.body ?? {};
  const user = users.find((candidate) => candidate.username === username && candidate.password === password);
  if (!user) return reply.code(401).send({ message: 'Wrong username or password' });
  return { token: fastify.jwt.sign({ sub: user.userId, role: user.role }) };
});

const credentials = {
  accountSid: process.env.TWILIO_ACCOUNT_SID,
  keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
};
const policy = ({ user, params }) => {
  if (user.role === 'host') return { grants: { video: { room: params.room } } };
  if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
  return { grants: { video: { room: 'lobby' } }, ttl: 600 };
};

// The docs' lines: the route in its own context, behind @fastify/jwt's hook.
fastify.register(async (fastify) => {
  fastify.addHook('onRequest', async (request, reply) => {
    try {
      await request.jwtVerify();
    } catch (err) {
      reply.send(err);
    }
  });
  fastify.register(grantor, {
    prefix: '/api/token',
    credentials,
    policy,
    identity: (user) => user.sub, // the JWT's subject; the default is String(user.id)
  });
});

fastify.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' }, (err) => {
  if (err) {
    fastify.log.error(err);
    process.exit(1);
  }
});
