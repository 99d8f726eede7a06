/**
 * What the git CLI cannot be made to send: traversal attempts, wrong methods, the dumb protocol,
 * gzip request bodies, the protocol-version header, and a client that hangs up mid-request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { WorkTree, gitEnv, runOk, tempDir } from './fixtures.js';
import { ADMIN, startGitServer, type GitServer } from './server.js';
import { waitFor } from '../support/wait-for.js';

const BASIC = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;

/** One raw request; the path is sent exactly as given (fetch would normalise dot segments). */
function raw(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** This process's git-http-backend children, from /proc (Linux). */
function httpBackendChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid …`; comm is cut to 15 characters.
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (match?.[1]?.startsWith('git-http-backen') && Number(match[2]) === process.pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** A pkt-line: four hex digits of length (including themselves), then the payload. */
function pkt(line: string): string {
  return `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
}

describe('git HTTP wire', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let server: GitServer;
  let mainSha: string;

  before(async () => {
    dir = await tempDir('wire');
    const env = gitEnv(join(dir.path, 'home'));
    server = await startGitServer(dir.path);
    const { repository } = await server.repositories.create('octo-org/app');
    const work = await WorkTree.init(join(dir.path, 'work'), env);
    mainSha = await work.commit('Initial', { 'README.md': 'hi\n' });
    await runOk('git', ['-C', work.dir, 'push', '--quiet', repository.gitDir, 'main'], { env });
  });
  after(async () => {
    await server.close();
    await dir.remove();
  });

  it('rejects path traversal before looking anything up', async () => {
    for (const path of [
      '/git/../etc/passwd',
      '/git/octo-org/../../etc.git/info/refs?service=git-upload-pack',
      '/git/octo-org/..%2F..%2Fetc.git/info/refs?service=git-upload-pack',
      '/git/%2e%2e/app.git/info/refs?service=git-upload-pack',
      '/git/octo-org/app.git/../../../x/info/refs?service=git-upload-pack',
      '/git/octo-org/app.git/objects/..\\..\\config',
      '/git/octo-org//app.git/info/refs?service=git-upload-pack',
    ]) {
      const response = await raw(server.origin, 'GET', path, { authorization: BASIC });
      assert.equal(response.status, 400, path);
      assert.equal(response.body.toString(), 'Bad request path.\n');
    }
    for (const path of [
      '/git/octo-org/app.git/config',
      '/git/octo-org/app.git/HEAD',
      '/git/octo-org/app.git/objects/info/packs',
      '/git/.tmp/x.git/info/refs?service=git-upload-pack',
    ]) {
      const response = await raw(server.origin, 'GET', path, { authorization: BASIC });
      assert.equal(response.status, 404, path);
    }
  });

  it('serves the smart protocol only, with the right methods', async () => {
    const dumb = await raw(server.origin, 'GET', '/git/octo-org/app.git/info/refs', { authorization: BASIC });
    assert.equal(dumb.status, 403);
    assert.match(dumb.body.toString(), /smart HTTP/);
    const wrongMethod = await raw(server.origin, 'GET', '/git/octo-org/app.git/git-upload-pack', {
      authorization: BASIC,
    });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'POST');
  });

  it('advertises refs with the smart content type, passing Git-Protocol through', async () => {
    const v0 = await raw(server.origin, 'GET', '/git/octo-org/app/info/refs?service=git-upload-pack', {
      authorization: BASIC,
    });
    assert.equal(v0.status, 200);
    assert.equal(v0.headers['content-type'], 'application/x-git-upload-pack-advertisement');
    assert.match(v0.body.toString(), new RegExp(`${mainSha} refs/heads/main`));
    const v2 = await raw(server.origin, 'GET', '/git/octo-org/app/info/refs?service=git-upload-pack', {
      authorization: BASIC,
      'git-protocol': 'version=2',
    });
    assert.match(v2.body.toString(), /version 2/);
    assert.doesNotMatch(v2.body.toString(), /refs\/heads\/main/);
  });

  it('inflates gzip request bodies', async () => {
    const body = `${pkt('command=ls-refs\n')}0001${pkt('symrefs\n')}0000`;
    const response = await raw(
      server.origin,
      'POST',
      '/git/octo-org/app.git/git-upload-pack',
      {
        authorization: BASIC,
        'git-protocol': 'version=2',
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
      },
      gzipSync(body),
    );
    assert.equal(response.status, 200, response.body.toString());
    assert.match(response.body.toString(), new RegExp(`${mainSha} HEAD symref-target:refs/heads/main`));
  });

  it('stops git http-backend when the client hangs up mid-request', async () => {
    const { hostname, port } = new URL(server.origin);
    const req = request({
      hostname,
      port,
      method: 'POST',
      path: '/git/octo-org/app.git/git-upload-pack',
      headers: {
        authorization: BASIC,
        'content-type': 'application/x-git-upload-pack-request',
        'transfer-encoding': 'chunked',
      },
    });
    req.on('error', () => {});
    // A chunked fetch body that never ends: http-backend waits for the rest of it.
    req.write('0032want ');
    await waitFor('http-backend to start', () => httpBackendChildren().length === 1);
    req.destroy();
    await waitFor('http-backend to be stopped', () => httpBackendChildren().length === 0);
    const after = await raw(server.origin, 'GET', '/git/octo-org/app.git/info/refs?service=git-upload-pack', {
      authorization: BASIC,
    });
    assert.equal(after.status, 200);
  });
});
