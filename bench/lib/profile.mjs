// Reads a V8 CPU profile (.cpuprofile) and sums self time by function and by package.
import { readFileSync } from 'node:fs';

function packageOf(url) {
  if (!url) return '(V8: GC, native, program)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.replace(/^file:\/\//, '');
  const inStore = path.lastIndexOf('/node_modules/');
  if (inStore !== -1) {
    const parts = path.slice(inStore + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const workspace = path.match(/\/packages\/([^/]+)\//);
  if (workspace) return `@grantor/${workspace[1]}`;
  if (path.includes('/bench/')) return 'bench harness';
  return path;
}

function shortLocation(url, line) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const inStore = path.lastIndexOf('/node_modules/');
  const shown = inStore !== -1 ? path.slice(inStore + '/node_modules/'.length) : path.replace(/^.*\/(packages|bench)\//, '$1/');
  return `${shown}:${line + 1}`;
}

/** Self time per function and per package, largest first, as shares of the sampled time. */
export function summarizeProfile(profile, { top = 12 } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByNode = new Map();
  profile.samples.forEach((nodeId, index) => {
    selfByNode.set(nodeId, (selfByNode.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map();
  const byPackage = new Map();
  let total = 0;
  for (const [nodeId, micros] of selfByNode) {
    const { functionName, url, lineNumber } = nodes.get(nodeId).callFrame;
    if (functionName === '(idle)') continue;
    const name = `${functionName || '(anonymous)'} ${shortLocation(url, lineNumber)}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const pkg = packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    total += micros;
  }
  const ranked = (map, limit = top) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, micros]) => ({ name, share: micros / total }));
  return { busyMs: total / 1000, functions: ranked(byFunction), packages: ranked(byPackage), allPackages: ranked(byPackage, Infinity) };
}

export const readProfile = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Share of the busy (non-idle) sampled time spent inside `functionName`, callees included. */
export function inclusiveShare(profile, functionName) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  let inside = 0;
  let busy = 0;
  profile.samples.forEach((nodeId, index) => {
    if (nodes.get(nodeId).callFrame.functionName === '(idle)') return;
    const micros = profile.timeDeltas[index] ?? 0;
    busy += micros;
    for (let id = nodeId; id !== undefined; id = parents.get(id)) {
      if (nodes.get(id).callFrame.functionName === functionName) {
        inside += micros;
        break;
      }
    }
  });
  return busy === 0 ? 0 : inside / busy;
}
