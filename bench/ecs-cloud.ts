/**
 * The cloud of the ECS benchmarks as its own process (so its CPU time is its own): a Cloud with
 * the ECS runtime in the foreground, short scheduler timings, and a task address range no test
 * uses. `node dist/bench/ecs-cloud.js <dataDir> <port>` prints "ecs bench cloud up at <url>"
 * once it serves and has adopted containers; SIGTERM stops it cleanly.
 */
import { Cloud } from '../src/cloud/cloud.js';

/** A RUNNING task without a health check counts healthy at once (ECS: after 40 s). */
export const BENCH_TIMINGS = { noHealthCheckGraceMs: 0 } as const;
/** Task addresses of the benchmark cloud: 127.0.200.1 – 127.0.209.254. */
export const BENCH_ADDRESS_RANGE = { first: '127.0.200.1', last: '127.0.209.254' } as const;

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: ecs-cloud.js <dataDir> <port>');
  const cloud = await Cloud.start({
    dataDir,
    port: Number(port),
    host: '127.0.0.1',
    runtime: { timings: BENCH_TIMINGS, taskAddressRange: BENCH_ADDRESS_RANGE },
  });
  await cloud.ready();
  process.stdout.write(`ecs bench cloud up at ${cloud.url}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await cloud.stop();
}

if (process.argv[1]?.endsWith('ecs-cloud.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
