/**
 * Which CPU architectures this host runs programs of: its own, and those a binfmt_misc handler
 * is registered for (qemu-user-static registers `qemu-aarch64` and friends, with the F flag that
 * lets containers use them). Architectures are spelled as image configurations and ECS's
 * runtimePlatform mean them: Go's names (`amd64`, `arm64`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the kernel lists binfmt_misc handlers. */
export const BINFMT_MISC = '/proc/sys/fs/binfmt_misc';

/** Go's architecture names for Node's, as image configurations spell them. */
const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

/** QEMU's names of the architectures, as its binfmt handlers are named (`qemu-aarch64`). */
const QEMU_ARCH: Record<string, string> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  arm: 'arm',
  '386': 'i386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
};

/** This host's architecture, in Go's name. */
export function hostArchitecture(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}

/** What the runtime asks before it starts a task's containers. */
export interface HostPlatforms {
  /** This host's architecture (Go's name). */
  readonly native: string;
  /** Undefined when the host runs programs of `architecture`; otherwise why it cannot. */
  cannotRun(architecture: string): string | undefined;
}

/** The host's platforms as the kernel reports them now (read on every call: handlers come and go). */
export function hostPlatforms(binfmtDir = BINFMT_MISC): HostPlatforms {
  const native = hostArchitecture();
  return {
    native,
    cannotRun(architecture) {
      if (architecture === native) return undefined;
      const qemu = QEMU_ARCH[architecture] ?? architecture;
      const handler = join(binfmtDir, `qemu-${qemu}`);
      if (firstLine(join(binfmtDir, 'status')) !== 'enabled')
        return `binfmt_misc is not enabled on this ${native} host (${binfmtDir}/status), so it cannot emulate ${architecture}`;
      if (firstLine(handler) !== 'enabled')
        return `qemu-${qemu} is not registered in ${binfmtDir} on this ${native} host, so it cannot emulate ${architecture} (installing qemu-user-static registers it)`;
      return undefined;
    },
  };
}

function firstLine(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n', 1)[0]?.trim();
  } catch {
    return undefined;
  }
}
