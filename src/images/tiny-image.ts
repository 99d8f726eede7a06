/**
 * An image made offline, for the engine tests and `dockyard doctor`: a root filesystem holding
 * the host's own `sh`, `sleep`, `cat` and `perl` (an HTTP server in perl's built-in socket calls
 * needs nothing else) with the shared libraries `ldd` lists, as an uncompressed tarball (~7 MB).
 * No registry is needed: import it with the engine (`docker import`), or write it as an OCI
 * layout that skopeo copies to a registry.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addHostProgram, findOnPath } from './host-programs.js';

/** The programs the image carries, under /bin. */
export const TINY_IMAGE_TOOLS = ['sh', 'sleep', 'cat', 'perl'] as const;

/** The image's environment. */
const TINY_IMAGE_ENV = ['PATH=/bin'];

/** The image's settings, as `docker import --change` lines. */
export const TINY_IMAGE_CHANGES = TINY_IMAGE_ENV.map((e) => `ENV ${e}`);

/**
 * A perl script (built-ins only, so the tiny image can run it) serving HTTP/1.0 on `port` on
 * every address: it prints `listening` once bound and answers every request with `body`.
 */
export function tinyHttpServerScript(port: number, body = 'hello'): string {
  return [
    'socket(S,2,1,6) or die "socket: $!";',
    'setsockopt(S,1,2,pack("l",1));',
    `bind(S,pack("S n N x8",2,${port},0)) or die "bind: $!";`,
    'listen(S,16) or die "listen: $!";',
    '$|=1; print "listening\\n";',
    `while(accept(C,S)){ while(<C>){ last if /^\\r?\\n$/ } print C "HTTP/1.0 200 OK\\r\\nContent-Length: ${Buffer.byteLength(body)}\\r\\nConnection: close\\r\\n\\r\\n${body}"; close C }`,
  ].join(' ');
}

function which(name: string): string {
  const found = findOnPath(name);
  if (!found)
    throw new Error(
      `${name} is not on this host's PATH: the offline test image is built from the host's own ${TINY_IMAGE_TOOLS.join(', ')}`,
    );
  return found;
}

/** Returns the tarball of the tiny root filesystem. */
export function buildTinyImageTar(): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'dockyard-tiny-'));
  try {
    mkdirSync(join(root, 'tmp'));
    mkdirSync(join(root, 'etc'));
    for (const tool of TINY_IMAGE_TOOLS) addHostProgram(root, which(tool), `/bin/${tool}`);
    return execFileSync('tar', ['-C', root, '-cf', '-', '.'], { maxBuffer: 256 * 1024 * 1024 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Go's name of this machine's architecture, as image configurations spell it. */
function imageArchitecture(): string {
  return (
    (
      { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<
        string,
        string
      >
    )[process.arch] ?? process.arch
  );
}

/**
 * Writes the tiny image as an OCI image layout in `dir` (for `skopeo copy oci:DIR:TAG …`): the
 * tarball as its one uncompressed layer, and a config carrying its environment.
 */
export function writeTinyImageLayout(dir: string, tag: string, tar: Buffer = buildTinyImageTar()): void {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (content: Buffer) => {
    const hex = createHash('sha256').update(content).digest('hex');
    writeFileSync(join(blobs, hex), content);
    return { digest: `sha256:${hex}`, size: content.length };
  };
  const layer = blob(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: imageArchitecture(),
      os: 'linux',
      config: { Env: TINY_IMAGE_ENV },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...blob(manifest),
        annotations: { 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}
