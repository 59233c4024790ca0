// The demo page's script, served by the Express and Koa demos (the Next demo has its React twin). Each server answers:
//   GET  /api/me             -> { user: { id, username, role } | null, demoCredentialsWarning: string | null }
//   POST /login              JSON { username, password } -> 200 { user } | 401 { error: { code, message } }
//   POST /logout             -> 200 { user: null }
//   POST /api/token          JSON { room } -> 200 { token, identity, expiresAt, ttl } | 4xx/5xx { error: { code, message } }
//   GET  /grantor-client.js  @grantor/client's ES module build, whose token source calls /api/token

import { createTokenSource } from './grantor-client.js';
import { call, copyText, decodeClaims, describeError, formatDuration, REFRESH_MARGIN, refreshDelay } from './demo-client.js';

const $ = (id) => document.getElementById(id);
/** How long the page waits to try again after a refresh that failed for a reason retrying may fix (429, 5xx, network), in seconds. */
const RETRY_AFTER_FAILED_REFRESH = 15;

/** The logged-in user's token source; undefined while nobody is logged in. */
let source;
/** The raw token shown, for the copy button. */
let shownToken;
/** Counts the token requests: an answer to any but the latest is dropped (the user asked again, or logged out). */
let requests = 0;
let countdownTimer;
let refreshTimer;
let copiedTimer;

function showError(error) {
  const { message, code } = error ? describeError(error) : { message: '', code: '' };
  $('error-message').textContent = message;
  $('error-code').textContent = code;
  $('error-code').hidden = !code;
  $('error').hidden = !error;
}

function startCountdown(expiresAtMs) {
  clearInterval(countdownTimer);
  const tick = () => {
    const left = Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000));
    $('countdown').textContent = left > 0 ? formatDuration(left) : 'expired';
    $('countdown').classList.toggle('expired', left === 0);
    if (left === 0) clearInterval(countdownTimer);
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
}

/** Shows a token that has just arrived, and schedules the next one for when the token source counts it stale. */
function showToken({ token, identity, expiresAt, ttl }) {
  shownToken = token;
  $('identity').textContent = identity;
  $('expires-at').textContent = `(at ${expiresAt.toLocaleTimeString()})`;
  $('grants').textContent = JSON.stringify(decodeClaims(token).grants, null, 2);
  $('raw-token').textContent = token;
  // From its arrival: the countdown and the refresh stay right when this computer's clock is off.
  startCountdown(Date.now() + ttl * 1000);
  scheduleRefresh(refreshDelay(ttl));
  $('result').hidden = false;
}

function hideToken() {
  clearInterval(countdownTimer);
  clearTimeout(refreshTimer);
  shownToken = undefined;
  $('result').hidden = true;
}

/** A new token from the source (never the cached one), or undefined when a later request or a logout overtook this one. */
async function newToken() {
  const request = ++requests;
  const token = await source.getToken({ forceRefresh: true });
  return request === requests ? token : undefined;
}

function scheduleRefresh(seconds) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, seconds * 1000);
}

/** Replaces the token before it expires; a failure shows in #error, and one that retrying may fix is tried again. */
async function refresh() {
  const request = requests + 1;
  try {
    const token = await newToken();
    if (!token) return;
    showError(undefined);
    showToken(token);
  } catch (error) {
    if (request !== requests) return;
    showError(error);
    // 401 (the session ended) and 403 are final: the user logs in or asks again.
    if (error.retryable) scheduleRefresh(RETRY_AFTER_FAILED_REFRESH);
  }
}

function showSession(user) {
  hideToken();
  requests++;
  source?.close();
  source = user ? createTokenSource({ url: '/api/token', params: roomParams(), refreshMargin: REFRESH_MARGIN }) : undefined;
  $('login-panel').hidden = Boolean(user);
  $('token-panel').hidden = !user;
  $('user').textContent = user ? `${user.username} (${user.role})` : '';
  (user ? $('room') : $('username')).focus();
}

function roomParams() {
  const room = $('room').value.trim();
  return room ? { room } : {};
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
  source.setParams(roomParams());
  const token = await newToken();
  if (token) showToken(token);
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
