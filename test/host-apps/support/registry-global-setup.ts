// vitest globalSetup: a folder for this run's registry (registry.ts starts the server in it on first
// use, so a run without host-app tests starts none), and at the end of the run, the server stopped
// and the folder removed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'grantor-registry-'));
  project.provide('grantorRegistryDir', dir);
  project.provide('grantorRunPid', process.pid);
  return () => {
    const pids = join(dir, 'pids');
    for (const pid of existsSync(pids) ? readFileSync(pids, 'utf8').split('\n').filter(Boolean) : []) {
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (!process.env.KEEP_HOST_APPS) rmSync(dir, { recursive: true, force: true });
  };
}
