/** The demo page: log in, get a token, see its identity and expiry. Plain fetch, no build step. */
export const PAGE = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>grantor on Cloudflare Workers + Hono</title>
<link rel="icon" href="data:," />
<style>
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
  form, p { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
  input, button { font: inherit; padding: 0.4rem 0.6rem; }
  pre { background: #1d2433; color: #e8ebf2; padding: 0.75rem; border-radius: 6px; white-space: pre-wrap; word-break: break-all; }
  [hidden] { display: none !important; }
  .error { color: #8d1324; }
</style>
</head>
<body>
<h1>Twilio Access Tokens on Workers</h1>
<form id="login">
  <input name="username" placeholder="username" autocomplete="username" required />
  <input name="password" type="password" placeholder="password" autocomplete="current-password" required />
  <button>Log in</button>
</form>
<p id="hint">Demo users: <code>alice</code> / <code>alice-pass</code> (host: any room) and <code>bob</code> / <code>bob-pass</code> (guest: <code>lobby</code> only).</p>
<section id="session" hidden>
  <p>Logged in as <strong id="who"></strong> <button id="logout">Log out</button></p>
  <form id="token"><input name="room" value="lobby" placeholder="room" /><button>Get token</button></form>
</section>
<p id="error" class="error" role="alert"></p>
<pre id="result" hidden></pre>
<script type="module">
  const $ = (id) => document.getElementById(id);
  async function call(path, body) {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const json = await response.json();
    $('error').textContent = response.ok ? '' : response.status + ' ' + json.error.code + ': ' + json.error.message;
    return response.ok ? json : undefined;
  }
  function show(user) {
    $('login').hidden = $('hint').hidden = Boolean(user);
    $('session').hidden = !user;
    $('result').hidden = true;
    if (user) $('who').textContent = user.username + ' (' + user.role + ')';
  }
  $('login').onsubmit = async (event) => {
    event.preventDefault();
    const answer = await call('/login', Object.fromEntries(new FormData(event.target)));
    if (answer) show(answer.user);
  };
  $('logout').onclick = async () => show((await call('/logout'))?.user ?? null);
  $('token').onsubmit = async (event) => {
    event.preventDefault();
    const answer = await call('/api/token', Object.fromEntries(new FormData(event.target)));
    if (!answer) return;
    $('result').textContent = 'identity: ' + answer.identity + '\\nexpires:  ' + new Date(answer.expiresAt).toLocaleTimeString() + ' (in ' + answer.ttl + ' s)\\n\\n' + answer.token;
    $('result').hidden = false;
  };
  fetch('/api/me').then((response) => response.json()).then(({ user }) => show(user));
</script>
</body>
</html>
`;
