'use client';

import { createTokenSource } from '@grantor/client';
import type { DemoUser } from '@grantor/demo-kit';
import {
  call,
  copyText,
  decodeClaims,
  describeError,
  formatDuration,
  keepTokens,
  type KeptToken,
  type TokenKeeper,
} from '@grantor/demo-kit/page/demo-client.js';
import { type FormEvent, useEffect, useRef, useState } from 'react';

// The React twin of the shared demo page (examples/shared/page): the same element ids, routes and behaviour.

type ShownError = { message: string; code: string };

/** The time left until the token expires, ticking every second. */
function Countdown({ token }: { token: KeptToken }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.round((token.expiresAtHere - now) / 1000));
  return (
    <>
      <span id="countdown" className={left === 0 ? 'expired' : undefined}>
        {left > 0 ? formatDuration(left) : 'expired'}
      </span>{' '}
      <span id="expires-at" className="hint">{`(at ${token.expiresAt.toLocaleTimeString()})`}</span>
    </>
  );
}

export default function DemoPage() {
  // undefined until /api/me answers; null when nobody is logged in.
  const [user, setUser] = useState<DemoUser | null>();
  const [warning, setWarning] = useState<string | null>(null);
  const [error, setError] = useState<ShownError>();
  const [issued, setIssued] = useState<KeptToken>();
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [room, setRoom] = useState('lobby');
  const usernameInput = useRef<HTMLInputElement>(null);
  const roomInput = useRef<HTMLInputElement>(null);
  // The logged-in user's tokens (keepTokens); undefined while nobody is logged in.
  const tokens = useRef<TokenKeeper>(undefined);

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
      (cause: unknown) => setError(describeError(cause)),
    );
  }, []);

  // One token source per login; logging out closes it.
  useEffect(() => {
    if (!user) return;
    const kept = keepTokens(createTokenSource, {
      onToken(token) {
        setError(undefined);
        setIssued(token);
      },
      onError: (cause) => setError(describeError(cause)),
    });
    tokens.current = kept;
    return () => {
      kept.close();
      if (tokens.current === kept) tokens.current = undefined;
    };
  }, [user]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

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
        setError(describeError(cause));
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
    await tokens.current!.request(trimmed ? { room: trimmed } : {});
  });

  async function copyToken() {
    if (!issued) return;
    try {
      await copyText(issued.token);
      setCopied(true);
    } catch (cause) {
      setError(describeError(cause));
    }
  }

  async function logOut() {
    setError(undefined);
    try {
      await call('POST', '/logout');
      showSession(null);
    } catch (cause) {
      setError(describeError(cause));
    }
  }

  return (
    <main>
      <h1>Twilio Access Tokens for logged-in users</h1>
      <p className="lede">
        Log in, pick a room, and the server issues a short-lived token whose identity and grants it chooses from your account. The page gets a fresh one before
        it expires.
      </p>

      <div id="demo-banner" className="banner" role="status" hidden={!warning}>
        {warning}
      </div>

      <section id="login-panel" className="card" hidden={user !== null}>
        <h2>Log in</h2>
        <form id="login-form" className="row" onSubmit={logIn}>
          <label>
            Username{' '}
            <input
              id="username"
              name="username"
              autoComplete="username"
              required
              ref={usernameInput}
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </label>
          <label>
            Password{' '}
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          <button id="login" type="submit" disabled={busy}>
            Log in
          </button>
        </form>
        <p className="hint">
          Demo users: <code>alice</code> / <code>alice-pass</code> (host: any room, plus chat and voice) and <code>bob</code> / <code>bob-pass</code> (guest:
          the <code>lobby</code> only).
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
        <span id="error-message">{error?.message}</span>
        <code id="error-code" hidden={!error?.code}>
          {error?.code}
        </code>
      </div>

      <section id="result" className="card" hidden={!issued}>
        <h2>Your token</h2>
        <dl>
          <dt>Identity</dt>
          <dd id="identity">{issued?.identity}</dd>
          <dt>Expires in</dt>
          <dd>{issued ? <Countdown key={issued.token} token={issued} /> : <span id="countdown" />}</dd>
        </dl>
        <pre id="grants">{issued ? JSON.stringify(decodeClaims(issued.token).grants, null, 2) : ''}</pre>
        <div className="copy">
          <button id="copy-token" type="button" className="secondary" onClick={copyToken}>
            {copied ? 'Copied' : 'Copy token'}
          </button>
          <p className="hint">
            Paste it into <code>npx @grantor/cli decode &lt;token&gt;</code> (in this clone of grantor, before a release is on npm:{' '}
            <code>pnpm -s grantor decode &lt;token&gt;</code>) to read its claims and see why Twilio would reject it.
          </p>
        </div>
        <details>
          <summary>Raw token</summary>
          <code id="raw-token">{issued?.token}</code>
        </details>
      </section>
    </main>
  );
}
