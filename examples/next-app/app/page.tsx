'use client';

import type { DemoUser } from '@grantor/demo-kit';
import { call, decodeClaims, formatDuration } from '@grantor/demo-kit/page/demo-client.js';
import { type FormEvent, useEffect, useRef, useState } from 'react';

// The React twin of the shared demo page (examples/shared/page): the same element ids, routes and behaviour.

interface IssuedToken {
  token: string;
  identity: string;
  expiresAt: string;
}

/** The time left until `expiresAt`, ticking every second. */
function Countdown({ expiresAt }: { expiresAt: string }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  return (
    <>
      <span id="countdown" className={left === 0 ? 'expired' : undefined}>
        {left > 0 ? formatDuration(left) : 'expired'}
      </span>{' '}
      <span id="expires-at" className="hint">{`(at ${new Date(expiresAt).toLocaleTimeString()})`}</span>
    </>
  );
}

export default function DemoPage() {
  // undefined until /api/me answers; null when nobody is logged in.
  const [user, setUser] = useState<DemoUser | null>();
  const [warning, setWarning] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [issued, setIssued] = useState<IssuedToken>();
  const [busy, setBusy] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [room, setRoom] = useState('lobby');
  const usernameInput = useRef<HTMLInputElement>(null);
  const roomInput = useRef<HTMLInputElement>(null);

  function showSession(next: DemoUser | null) {
    setIssued(undefined);
    setUser(next);
  }

  useEffect(() => {
    call<{ user: DemoUser | null; demoCredentialsWarning: string | null }>('GET', '/api/me').then(
      ({ user, demoCredentialsWarning }) => {
        setWarning(demoCredentialsWarning);
        showSession(user);
      },
      (cause: Error) => setError(cause.message),
    );
  }, []);

  useEffect(() => {
    if (user !== undefined) (user ? roomInput : usernameInput).current?.focus();
  }, [user]);

  /** Runs a form's action with its button disabled, showing any failure in #error. */
  function onSubmit(action: () => Promise<void>) {
    return async (event: FormEvent) => {
      event.preventDefault();
      setBusy(true);
      setError(undefined);
      try {
        await action();
      } catch (cause) {
        setError((cause as Error).message);
      } finally {
        setBusy(false);
      }
    };
  }

  const logIn = onSubmit(async () => {
    const { user } = await call<{ user: DemoUser }>('POST', '/login', { username, password });
    setPassword('');
    showSession(user);
  });

  const getToken = onSubmit(async () => {
    const trimmed = room.trim();
    setIssued(undefined);
    setIssued(await call<IssuedToken>('POST', '/api/token', trimmed ? { room: trimmed } : {}));
  });

  async function logOut() {
    setError(undefined);
    try {
      await call('POST', '/logout');
      showSession(null);
    } catch (cause) {
      setError((cause as Error).message);
    }
  }

  return (
    <main>
      <h1>Twilio Access Tokens for logged-in users</h1>
      <p className="lede">Log in, pick a room, and the server issues a short-lived token whose identity and grants it chooses from your account.</p>

      <div id="demo-banner" className="banner" role="status" hidden={!warning}>
        {warning}
      </div>

      <section id="login-panel" className="card" hidden={user !== null}>
        <h2>Log in</h2>
        <form id="login-form" className="row" onSubmit={logIn}>
          <label>
            Username <input id="username" name="username" autoComplete="username" required ref={usernameInput} value={username} onChange={(event) => setUsername(event.target.value)} />
          </label>
          <label>
            Password <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
          </label>
          <button id="login" type="submit" disabled={busy}>
            Log in
          </button>
        </form>
        <p className="hint">
          Demo users: <code>alice</code> / <code>alice-pass</code> (host: any room, plus chat and voice) and <code>bob</code> / <code>bob-pass</code> (guest: the <code>lobby</code> only).
        </p>
      </section>

      <section id="token-panel" className="card" hidden={!user}>
        <div className="session">
          <h2>
            Logged in as <span id="user">{user ? `${user.username} (${user.role})` : ''}</span>
          </h2>
          <button id="logout" type="button" className="secondary" onClick={logOut}>
            Log out
          </button>
        </div>
        <form id="token-form" className="row" onSubmit={getToken}>
          <label>
            Room <input id="room" name="room" maxLength={128} ref={roomInput} value={room} onChange={(event) => setRoom(event.target.value)} />
          </label>
          <button id="get-token" type="submit" disabled={busy}>
            Get token
          </button>
        </form>
      </section>

      <div id="error" className="error" role="alert" hidden={!error}>
        {error}
      </div>

      <section id="result" className="card" hidden={!issued}>
        <h2>Your token</h2>
        <dl>
          <dt>Identity</dt>
          <dd id="identity">{issued?.identity}</dd>
          <dt>Expires in</dt>
          <dd>{issued ? <Countdown key={issued.token} expiresAt={issued.expiresAt} /> : <span id="countdown" />}</dd>
        </dl>
        <pre id="grants">{issued ? JSON.stringify(decodeClaims(issued.token).grants, null, 2) : ''}</pre>
      </section>
    </main>
  );
}
