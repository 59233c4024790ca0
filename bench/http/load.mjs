// The load generator, in its own process: runs autocannon when the parent asks and answers with
// requests/s and latency percentiles computed from every response time (autocannon's own
// histogram rounds to whole milliseconds, too coarse for loopback latencies).
import autocannon from 'autocannon';
import { percentile } from '../lib/stats.mjs';

function run({ url, body, connections, durationSeconds, headers = {} }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration: durationSeconds },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        resolve({
          requestsPerSecond: result.requests.total / (result.duration ?? durationSeconds),
          p50Ms: percentile(latencies, 0.5),
          p99Ms: percentile(latencies, 0.99),
          errors: result.errors + result.timeouts + result.non2xx,
          responses: latencies.length,
        });
      },
    );
    instance.on('response', (_client, _statusCode, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  });
}

process.on('message', async (request) => {
  try {
    process.send({ result: await run(request) });
  } catch (error) {
    process.send({ error: String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
