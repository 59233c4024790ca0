// The demo page's script, served by the Express and Koa demos (the Next demo has its React twin). Each server answers:
//   GET  /api/me             -> { user: { id, username, role } | null, demoCredentialsWarning: string | null }
//   POST /login              JSON { username, password } -> 200 { user } | 401 { error: { code, message } }
//   POST /logout             -> 200 { user: null }
//   POST /api/token          JSON { room } -> 200 { token, identity, expiresAt, ttl } | 4xx/5xx { error: { code, message } }
//   GET  /grantor-client.js  @grantor/client's ES module build, whose token source calls /api/token

import { createTokenSource } from './grantor-client.js';
import { call, copyText, decodeClaims, describeError, formatDuration, keepTokens } from './demo-client.js';

const $ = (id) => document.getElementById(id);

/** The logged-in user's tokens (keepTokens); undefined while nobody is logged in. */
let tokens;
/** The raw token shown, for the copy button. */
let shownToken;
let countdownTimer;
let copiedTimer;

function showError(error) {
  const { message, code } = error ? describeError(error) : { message: '', code: '' };
  $('error-message').textContent = message;
  $('error-code').textContent = code;
  $('error-code').hidden = !code;
  $('error').hidden = !error;
}

function startCountdown(expiresAtHere) {
  clearInterval(countdownTimer);
  const tick = () => {
    const left = Math.max(0, Math.round((expiresAtHere - Date.now()) / 1000));
    $('countdown').textContent = left > 0 ? formatDuration(left) : 'expired';
    $('countdown').classList.toggle('expired', left === 0);
    if (left === 0) clearInterval(countdownTimer);
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
}

/** Shows a token that has just arrived: asked for, or the refresh of the one before. */
function showToken({ token, identity, expiresAt, expiresAtHere }) {
  shownToken = token;
  $('identity').textContent = identity;
  $('expires-at').textContent = `(at ${expiresAt.toLocaleTimeString()})`;
  $('grants').textContent = JSON.stringify(decodeClaims(token).grants, null, 2);
  $('raw-token').textContent = token;
  startCountdown(expiresAtHere);
  $('result').hidden = false;
}

function hideToken() {
  tokens?.drop();
  clearInterval(countdownTimer);
  shownToken = undefined;
  $('result').hidden = true;
}

function showSession(user) {
  hideToken();
  tokens?.close();
  tokens = user
    ? keepTokens(createTokenSource, {
        onToken(token) {
          showError(undefined);
          showToken(token);
        },
        onError: showError,
      })
    : undefined;
  $('login-panel').hidden = Boolean(user);
  $('token-panel').hidden = !user;
  $('user').textContent = user ? `${user.username} (${user.role})` : '';
  (user ? $('room') : $('username')).focus();
}

/** Runs a form's action with its button disabled, showing any failure in #error. */
function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    showError(undefined);
    try {
      await action();
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });
}

onSubmit($('login-form'), async () => {
  const { user } = await call('POST', '/login', { username: $('username').value, password: $('password').value });
  $('password').value = '';
  showSession(user);
});

onSubmit($('token-form'), async () => {
  hideToken();
  const room = $('room').value.trim();
  await tokens.request(room ? { room } : {});
});

$('copy-token').addEventListener('click', async () => {
  if (!shownToken) return;
  try {
    await copyText(shownToken);
    $('copy-token').textContent = 'Copied';
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => ($('copy-token').textContent = 'Copy token'), 2000);
  } catch (error) {
    showError(error);
  }
});

$('logout').addEventListener('click', async () => {
  showError(undefined);
  try {
    await call('POST', '/logout');
    showSession(null);
  } catch (error) {
    showError(error);
  }
});

try {
  const { user, demoCredentialsWarning } = await call('GET', '/api/me');
  $('demo-banner').textContent = demoCredentialsWarning ?? '';
  $('demo-banner').hidden = !demoCredentialsWarning;
  showSession(user);
} catch (error) {
  showError(error);
}
