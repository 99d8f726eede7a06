/**
 * Where tests listen. Clouds start on port 0 (the kernel picks a free port): the engine reaches
 * the registry on any port, over TLS verified with the CA each cloud writes to the engine's
 * certs.d. A fixed port is only for a client that must be told one in advance, from
 * FIXED_PORTS, each with its reason.
 *
 * Task addresses are the other shared resource: two clouds handing out the same loopback
 * address would bind the same address and port. Test files run in parallel processes (and
 * other checkouts' tests beside them), so ranges are claimed with a lock file per range, held
 * until the claiming process exits.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskAddressRangeForPort } from '../../src/network/addresses.js';

/** Ports a test must name in advance, and why. */
export const FIXED_PORTS = {
  /**
   * `dockyard demo --port` is the command under test, and its second run must find the cloud
   * the first one left. Below the kernel's ephemeral range (32768+), so no client socket takes it.
   */
  demo: 24_566,
  /**
   * The benches start their cloud as a separate process and name its port on the command line
   * and in the image names they time; one port keeps their runs alike.
   */
  bench: 24_567,
} as const;

/** A port free on `address` right now (released before use: for a listener that is expected to be absent). */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, address);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const LOCKS = join(tmpdir(), 'dockyard-test-address-ranges');

/** Claims `name` for this process unless a live process holds it. */
function claim(name: string): boolean {
  mkdirSync(LOCKS, { recursive: true });
  const file = join(LOCKS, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.once('exit', () => rmSync(file, { force: true }));
      return true;
    } catch {
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (holder === process.pid) return true;
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
      rmSync(file, { force: true }); // left by a process that died
    }
  }
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A task address range of its own for an in-process cloud (Cloud.start's runtime option):
 * 127.0.K.1–127.0.K.254, K from 10 to 109, apart from the ranges `dockyard up` derives from
 * its port (127.1+.x.x).
 */
export function claimTaskAddressRange(): { first: string; last: string } {
  for (let k = 10; k < 110; k++) if (claim(`127.0.${k}`)) return { first: `127.0.${k}.1`, last: `127.0.${k}.254` };
  throw new Error(`every test task address range is claimed (${LOCKS})`);
}

/**
 * Whether a `dockyard up` on `port` has its task address range (taskAddressRangeForPort) to
 * itself; claims it if so. A cloud whose range another test's cloud holds is restarted on
 * another port by its caller.
 */
export function claimRangeOfPort(port: number): boolean {
  return claim(taskAddressRangeForPort(port).first);
}
