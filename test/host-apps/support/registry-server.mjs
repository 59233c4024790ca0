// A Verdaccio registry on a free 127.0.0.1 port, for the tests that install grantor by name:
// `node registry-server.mjs <folder> <prefix> <watched pid>`. It keeps its storage and users in
// <folder>, serves the registry under http://127.0.0.1:<port>/<prefix>/ (a new prefix per test run,
// so npm's cache never answers for an older run's packages), prints "listening <port>" once up and
// exits when the process <watched pid> (the test run) is gone, so a killed run leaves no server.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

const [folder, prefix, watched] = process.argv.slice(2);
if (!folder || !prefix || !watched) throw new Error('usage: registry-server.mjs <folder> <prefix> <watched pid>');
mkdirSync(join(folder, 'storage'), { recursive: true });

const server = await runServer({
  self_path: folder,
  storage: join(folder, 'storage'),
  auth: { htpasswd: { file: join(folder, 'htpasswd'), max_users: 10 } },
  // No uplink: the registry holds grantor and nothing else (apps get the rest from their default registry).
  uplinks: {},
  packages: { '@grantor/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
  url_prefix: `/${prefix}/`,
  web: { enable: false },
  log: { type: 'stdout', format: 'pretty', level: 'warn' },
});
// Verdaccio's routes are at the root; url_prefix only names the tarball URLs it hands out.
server.prependListener('request', (req) => {
  if (req.url.startsWith(`/${prefix}/`)) req.url = req.url.slice(prefix.length + 1);
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));

setInterval(() => {
  try {
    process.kill(Number(watched), 0);
  } catch {
    process.exit(0);
  }
}, 1_000).unref();
