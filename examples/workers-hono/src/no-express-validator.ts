// What `import('express-validator')` finds in this Worker: nothing, as in an app that never installed it.
// grantor loads express-validator only for the `validators` option, which this app does not use. In
// this monorepo the package is installed for grantor's own tests, so without this alias
// (wrangler.toml [alias]) wrangler would bundle its ~220 KB minified into the Worker.
throw new Error('express-validator is not bundled in this Worker: it passes no validators to the token route.');
