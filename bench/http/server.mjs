// One HTTP case in its own process: `node server.mjs <case id>`. Reports its port over IPC, can
// CPU-profile itself for a window the parent chooses, and exits when told to or when the parent
// goes away, so no server outlives the benchmark.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { HTTP_CASES } from './apps.mjs';

const caseId = process.argv[2];
const httpCase = HTTP_CASES.find((candidate) => candidate.id === caseId);
if (!httpCase) throw new Error(`Unknown HTTP case ${caseId}; expected one of ${HTTP_CASES.map((c) => c.id).join(', ')}`);

const server = await httpCase.create();
// Run by hand (no IPC), it prints its URL; e.g. `node --cpu-prof bench/http/server.mjs express-grantor`.
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  // Headers every request must carry (a case's bearer token), for the load generator.
  if (process.send) process.send({ port, headers: server.requestHeaders ?? {} });
  else console.log(`${caseId} listening on http://127.0.0.1:${port}/token`);
});
// Exit on Ctrl-C through process.exit, so `--cpu-prof` still writes its profile.
process.on('SIGINT', () => process.exit(0));

// The same V8 sampling profiler as `node --cpu-prof`, limited to the measured window.
const profiler = new Session();
const commands = {
  async 'profile:start'() {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  },
  async 'profile:stop'({ file }) {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    writeFileSync(file, JSON.stringify(profile));
  },
  cpu: () => process.cpuUsage(),
  stop: () => process.exit(0),
};
process.on('message', async (message) => {
  const value = await commands[message.command](message);
  process.send({ done: message.command, value });
});
process.on('disconnect', () => process.exit(0));
