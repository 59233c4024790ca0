// The demo page's script, shared by the Express, Koa and Next demos. Each server answers:
//   GET  /api/me     -> { user: { id, username, role } | null, demoCredentialsWarning: string | null }
//   POST /login      JSON { username, password } -> 200 { user } | 401 { error: { code, message } }
//   POST /logout     -> 200 { user: null }
//   POST /api/token  JSON { room } -> 200 { token, identity, expiresAt, ttl } | 4xx/5xx { error: { code, message } }

import { call, decodeClaims, formatDuration } from './demo-client.js';

const $ = (id) => document.getElementById(id);
let countdownTimer;

function showError(error) {
  $('error').textContent = error ? error.message : '';
  $('error').hidden = !error;
}

function startCountdown(expiresAt) {
  clearInterval(countdownTimer);
  const tick = () => {
    const left = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
    $('countdown').textContent = left > 0 ? formatDuration(left) : 'expired';
    $('countdown').classList.toggle('expired', left === 0);
    if (left === 0) clearInterval(countdownTimer);
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
}

function showToken({ token, identity, expiresAt }) {
  $('identity').textContent = identity;
  $('expires-at').textContent = `(at ${new Date(expiresAt).toLocaleTimeString()})`;
  $('grants').textContent = JSON.stringify(decodeClaims(token).grants, null, 2);
  startCountdown(expiresAt);
  $('result').hidden = false;
}

function hideToken() {
  clearInterval(countdownTimer);
  $('result').hidden = true;
}

function showSession(user) {
  hideToken();
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
  const room = $('room').value.trim();
  hideToken();
  showToken(await call('POST', '/api/token', room ? { room } : {}));
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
