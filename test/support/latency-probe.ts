/**
 * A process that only measures: every 50 ms it asks a cloud's health endpoint, its STS
 * (GetCallerIdentity, signed) and optionally a service endpoint, until its stdin closes; then it
 * prints one JSON line per probe: samples, the slowest answer, and what failed. In its own process
 * so that the test's work (spawning clients, reading their output) never delays a probe.
 *
 * Usage: node latency-probe.js URL ACCESS_KEY_ID SECRET_ACCESS_KEY [SERVICE_HOST:PORT]
 * With PROBE_SAMPLES=N in its environment it also stops by itself after N samples of each probe.
 * It prints `ready` once each probe has answered once (first calls pay for connections and code).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { httpGet } from '../engine/contract-suite.js';

export interface ProbeReport {
  name: string;
  samples: number;
  worstMs: number;
  failures: string[];
}

const [url, accessKeyId, secretAccessKey, service] = process.argv.slice(2);
if (url === undefined || accessKeyId === undefined || secretAccessKey === undefined)
  throw new Error('usage: latency-probe URL ACCESS_KEY_ID SECRET_ACCESS_KEY [HOST:PORT]');
const sts = new STSClient({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId, secretAccessKey },
  maxAttempts: 1,
});

const checks: [string, () => Promise<string | undefined>][] = [
  [
    'health',
    async () => {
      const response = await fetch(`${url}/_dockyard/health`, { signal: AbortSignal.timeout(5000) });
      return response.status === 200 ? undefined : `health ${response.status}`;
    },
  ],
  [
    'GetCallerIdentity',
    async () => {
      const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(5000) });
      return identity.Account === undefined ? 'GetCallerIdentity: no account' : undefined;
    },
  ],
];
if (service !== undefined) {
  const [host = '', port = ''] = service.split(':');
  checks.push([
    'service endpoint',
    async () => {
      const body = await httpGet(host, Number(port));
      return body === 'hello' ? undefined : `service endpoint: ${String(body)}`;
    },
  ]);
}

let stopped = false;
process.stdin.on('end', () => (stopped = true));
const sampleLimit = Number(process.env.PROBE_SAMPLES ?? Infinity);
process.stdin.resume();

async function run(name: string, check: () => Promise<string | undefined>): Promise<ProbeReport> {
  const report: ProbeReport = { name, samples: 0, worstMs: 0, failures: [] };
  while (!stopped && report.samples < sampleLimit) {
    const started = performance.now();
    const failure = await check().catch((error: unknown) => String(error));
    const elapsed = performance.now() - started;
    report.samples++;
    report.worstMs = Math.max(report.worstMs, elapsed);
    if (failure !== undefined) report.failures.push(failure);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - elapsed)));
  }
  return report;
}

for (const [name, check] of checks) {
  const failure = await check();
  if (failure !== undefined) throw new Error(`${name} does not answer: ${failure}`);
}
process.stdout.write('ready\n');
for (const report of await Promise.all(checks.map(([name, check]) => run(name, check))))
  process.stdout.write(`${JSON.stringify(report)}\n`);
