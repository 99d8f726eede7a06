/**
 * docker.io/library/node:<major>-slim, made offline from the host's own Node.js (docs/reference/host-toolchain.md
 * §5), so `FROM node:20-slim` builds with no pull: node and npm at /usr/local (as the official
 * image has them) with the libraries they link, /usr/bin/env (npm's `#!/usr/bin/env node`), /bin/sh
 * (npm runs scripts through it), the official image's `node` user, a world-writable /tmp, and
 * `CMD ["node"]`. The tag is the host's major version: a host on Node 22 makes node:22-slim.
 *
 * By design: a scratch-style image, not Debian: apt, coreutils and a full shell are absent, so a
 * Dockerfile's `RUN apt-get …` fails (shell-form `RUN npm …` works). No WORKDIR, as the official
 * image sets none. An image already at the name without dockyard's recipe label (a real one
 * loaded with `docker load`) is kept.
 */
import { createHash } from 'node:crypto';
import { chownSync } from 'node:fs';
import { addHostNode, addHostProgram, findOnPath, probeHostNode, type HostNode } from './host-programs.js';
import {
  ensureOfflineImage,
  type EnsureOptions,
  type EnsuredImage,
  type ImageEngine,
  type OfflineImageSpec,
} from './offline-image.js';
import { mkdirInRoot, symlinkInRoot, writeFileInRoot } from './root-paths.js';

/** Raise when the assembly below changes. */
const NODE_SLIM_BUILD_VERSION = 1;
export const NODE_SLIM_RECIPE_LABEL = 'dockyard.node-slim.recipe';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n';
const GROUP = 'root:x:0:\nnode:x:1000:\n';
/** glibc's lookups: /etc/hosts first, then DNS, as Debian configures them. */
const NSSWITCH = 'passwd: files\ngroup: files\nhosts: files dns\n';

/** The image's name for this host's Node.js major version. */
export function nodeSlimRef(node: HostNode): string {
  return `docker.io/library/node:${node.version.replace(/^v/, '').split('.')[0]}-slim`;
}

function nodeSlimSpec(node: HostNode): OfflineImageSpec {
  const changes = [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `ENV NODE_VERSION=${node.version.replace(/^v/, '')}`,
    'CMD ["node"]',
  ];
  const recipe = JSON.stringify({
    build: NODE_SLIM_BUILD_VERSION,
    node: node.version,
    npm: node.npm?.version ?? null,
    arch: process.arch,
    changes,
  });
  return {
    name: 'node-slim',
    ref: nodeSlimRef(node),
    recipeLabel: NODE_SLIM_RECIPE_LABEL,
    recipeHash: createHash('sha256').update(recipe).digest('hex').slice(0, 12),
    changes,
    keepForeign: true,
    verify: ['/bin/sh', '-c', `node -e 'console.log(1)'${node.npm ? ' && npm --version' : ''}`],
    async assemble(root, report) {
      report(
        'assembling',
        `the host's Node.js ${node.version}${node.npm ? ` and npm ${node.npm.version}` : ''} with their libraries`,
      );
      // usrmerged, as Debian is: the libraries' paths (/lib/…, /lib64/…) land under /usr.
      for (const dir of ['bin', 'lib', 'lib64', 'sbin']) {
        mkdirInRoot(root, `/usr/${dir}`);
        symlinkInRoot(root, `usr/${dir}`, `/${dir}`);
      }
      addHostNode(root, node);
      for (const [tool, dest] of [
        ['env', '/usr/bin/env'],
        ['sh', '/usr/bin/sh'],
      ] as const) {
        const found = findOnPath(tool);
        if (!found) throw new Error(`${tool} is not on this host's PATH: ${nodeSlimRef(node)} carries the host's own`);
        addHostProgram(root, found, dest);
      }
      writeFileInRoot(root, '/etc/passwd', PASSWD);
      writeFileInRoot(root, '/etc/group', GROUP);
      writeFileInRoot(root, '/etc/nsswitch.conf', NSSWITCH);
      mkdirInRoot(root, '/root', 0o700);
      chownSync(mkdirInRoot(root, '/home/node'), 1000, 1000);
      mkdirInRoot(root, '/tmp', 0o1777);
    },
  };
}

/** Makes sure the engine has node:<host major>-slim, building it from the host's Node.js if not (a few seconds). */
export async function ensureNodeSlimImage(
  engine: ImageEngine,
  options: EnsureOptions & { node?: HostNode } = {},
): Promise<EnsuredImage> {
  return ensureOfflineImage(engine, nodeSlimSpec(options.node ?? probeHostNode()), options);
}
