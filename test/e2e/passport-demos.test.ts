// The Express and Koa demos over HTTP: Passport logs the demo users in with a session cookie, and
// the token route issues what the demo policy allows for each role.
import http from 'node:http';
import { verifyAccessToken } from '@grantor/core';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { createApp as createExpressApp } from '../../examples/express-passport/src/app.js';
import { createApp as createKoaApp } from '../../examples/koa-passport/src/app.js';
import { demoServerConfig } from '../../examples/shared/src/index.js';

// As the demo servers configure themselves, from an empty environment: the made-up demo
// credentials, whatever the machine has configured, and the page's origins on port 3000.
const config = demoServerConfig({});
const { credentials } = config;
const PAGE_ORIGIN = 'http://localhost:3000';
const FOREIGN_ORIGIN = 'https://evil.example';

const servers = [
  ['Express', http.createServer(createExpressApp(config))],
  ['Koa', http.createServer(createKoaApp(config).callback())],
] as const;

afterAll(() => {
  for (const [, server] of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe.each(servers)('the %s demo', (_name, server) => {
  async function loggedInAgent(username: string, password: string) {
    const agent = request.agent(server);
    const login = await agent.post('/login').send({ username, password });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: username, username });
    return agent;
  }

  test('serves the shared page and reports the made-up credentials', async () => {
    const page = await request(server).get('/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('id="get-token"');
    const script = await request(server).get('/app.js');
    expect(script.status).toBe(200);
    expect(script.type).toBe('text/javascript');
    expect((await request(server).get('/api/me')).body).toEqual({ user: null, demoCredentialsWarning: expect.stringContaining('made-up demo credentials') });
  });

  test('alice (host) gets a token with video, chat and voice, verified with the demo credentials', async () => {
    const agent = await loggedInAgent('alice', 'alice-pass');
    expect((await agent.get('/api/me')).body.user).toEqual({ id: 'alice', username: 'alice', role: 'host' });
    const response = await agent.post('/api/token').send({ room: 'standup' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body.identity).toBe('alice');
    const { claims } = verifyAccessToken(response.body.token, credentials);
    expect(claims.grants).toEqual({ identity: 'alice', video: { room: 'standup' }, chat: {}, voice: { incoming: { allow: true } } });
  });

  test('bob (guest) is refused another room but gets the lobby', async () => {
    const agent = await loggedInAgent('bob', 'bob-pass');
    const other = await agent.post('/api/token').send({ room: 'other' });
    expect(other.status).toBe(403);
    expect(other.body.error).toEqual({ code: 'FORBIDDEN', message: 'Guests may only join the "lobby" room.' });
    const lobby = await agent.post('/api/token').send({ room: 'lobby' });
    expect(lobby.status).toBe(200);
    expect(verifyAccessToken(lobby.body.token, credentials).claims.grants).toEqual({ identity: 'bob', video: { room: 'lobby' } });
    expect(lobby.body.ttl).toBe(600);
  });

  test('without a session the token route answers 401, and so it does after logout', async () => {
    const anonymous = await request(server).post('/api/token').send({ room: 'lobby' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');

    const agent = await loggedInAgent('alice', 'alice-pass');
    expect((await agent.post('/logout')).body).toEqual({ user: null });
    expect((await agent.get('/api/me')).body.user).toBeNull();
    expect((await agent.post('/api/token').send({ room: 'lobby' })).status).toBe(401);
  });

  test('a form login works; a wrong password and a malformed body get JSON errors', async () => {
    const form = await request(server).post('/login').type('form').send({ username: 'bob', password: 'bob-pass' });
    expect(form.status).toBe(200);
    expect(form.body.user.id).toBe('bob');

    const wrong = await request(server).post('/login').send({ username: 'alice', password: 'bob-pass' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');

    const malformed = await request(server).post('/login').type('json').send('{"username":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('INVALID_REQUEST');
  });

  test('a page of another origin can neither log a visitor in (login CSRF) nor out', async () => {
    const victim = request.agent(server);
    for (const headers of [{ origin: FOREIGN_ORIGIN }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }]) {
      const forged = await victim.post('/login').set(headers).type('form').send({ username: 'bob', password: 'bob-pass' });
      expect(forged.status).toBe(403);
      expect(forged.body).toEqual({ error: { code: 'ORIGIN_NOT_ALLOWED', message: expect.any(String) } });
      expect(forged.headers['set-cookie']).toBeUndefined();
    }
    expect((await victim.get('/api/me')).body.user).toBeNull();

    const agent = await loggedInAgent('alice', 'alice-pass');
    const logout = await agent.post('/logout').set('origin', FOREIGN_ORIGIN);
    expect(logout.status).toBe(403);
    expect(logout.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await agent.get('/api/me')).body.user.id).toBe('alice');
  });

  test("the page's own origin logs in with a form and out", async () => {
    const agent = request.agent(server);
    const sameOrigin = { origin: PAGE_ORIGIN, 'sec-fetch-site': 'same-origin' };
    const login = await agent.post('/login').set(sameOrigin).type('form').send({ username: 'bob', password: 'bob-pass' });
    expect(login.status).toBe(200);
    expect((await agent.get('/api/me')).body.user.id).toBe('bob');
    expect((await agent.post('/logout').set(sameOrigin)).body).toEqual({ user: null });
    expect((await agent.get('/api/me')).body.user).toBeNull();
  });
});
