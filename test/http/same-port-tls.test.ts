/**
 * Plain HTTP and TLS on one port (src/http/same-port-tls.ts through startHttpServer): both
 * reach the same handlers, driven by node:http, node:https and curl; TLS connections that
 * arrive before the certificate wait for it; a renewed certificate serves new connections; a
 * broken handshake ends only its own connection; closing ends every connection.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { silentLogger } from '../../src/core/logger.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import {
  createCertificateAuthority,
  issueServerCertificate,
  type KeyAndCertificate,
} from '../../src/tls/certificate-issuer.js';
import { runOk } from '../support/run.js';

const validity = () => ({ notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 86400_000) });

async function authority(): Promise<{ ca: KeyAndCertificate; server: KeyAndCertificate }> {
  const ca = await createCertificateAuthority({ commonName: 'same-port test CA', validity: validity() });
  return {
    ca,
    server: await issueServerCertificate(ca, {
      names: { dns: ['localhost'], ip: ['127.0.0.1'] },
      validity: validity(),
    }),
  };
}

/** Buffered API requests answer `api <method> <path>`; /v2 streams: the body's sha256 and whether the socket was TLS. */
function start(): Promise<HttpServer> {
  return startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    handle: (request) =>
      Promise.resolve({
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: `api ${request.method} ${request.path} from ${request.sourceIp}`,
      }),
    stream: (req, res) => {
      if (!req.url?.startsWith('/v2/')) return undefined;
      return new Promise<void>((resolve) => {
        const hash = createHash('sha256');
        req.on('data', (chunk: Buffer) => hash.update(chunk));
        req.on('end', () => {
          res.end(
            JSON.stringify({ sha256: hash.digest('hex'), encrypted: (req.socket as TLSSocket).encrypted === true }),
          );
          resolve();
        });
      });
    },
  });
}

interface Answer {
  status: number;
  body: string;
}

function answer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (body += c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    res.on('error', reject);
  });
}

function get(url: string, ca?: string, body?: string): Promise<Answer> {
  const target = new URL(url);
  const options = {
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: body === undefined ? 'GET' : 'POST',
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const req =
      target.protocol === 'https:'
        ? httpsRequest({ ...options, ca }, (res) => resolve(answer(res)))
        : httpRequest(options, (res) => resolve(answer(res)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('TLS beside plain HTTP on one port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-same-port-'));
  let first: { ca: KeyAndCertificate; server: KeyAndCertificate };
  before(async () => {
    first = await authority();
    writeFileSync(join(dir, 'ca.crt'), first.ca.certPem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers plain HTTP and HTTPS on the same port, buffered and streamed routes alike', async () => {
    const server = await start();
    try {
      server.setCertificate({ key: first.server.keyPem, cert: first.server.certPem });
      const port = server.port;
      assert.deepEqual(await get(`http://127.0.0.1:${port}/path`), {
        status: 200,
        body: 'api GET /path from 127.0.0.1',
      });
      assert.deepEqual(await get(`https://localhost:${port}/path`, first.ca.certPem), {
        status: 200,
        body: 'api GET /path from 127.0.0.1',
      });
      const digest = createHash('sha256').update('layer bytes').digest('hex');
      assert.deepEqual(
        JSON.parse((await get(`https://127.0.0.1:${port}/v2/x`, first.ca.certPem, 'layer bytes')).body),
        { sha256: digest, encrypted: true },
      );
      assert.deepEqual(JSON.parse((await get(`http://127.0.0.1:${port}/v2/x`, undefined, 'layer bytes')).body), {
        sha256: digest,
        encrypted: false,
      });
      // curl (OpenSSL), trusting only the CA, keeping one TLS connection for two requests.
      const curl = await runOk('curl', [
        '-sS',
        '--cacert',
        join(dir, 'ca.crt'),
        `https://localhost:${port}/a`,
        '--next',
        '--cacert',
        join(dir, 'ca.crt'),
        `https://localhost:${port}/b`,
        '-w',
        '\n%{num_connects}',
      ]);
      assert.equal(curl.stdout, 'api GET /a from 127.0.0.1api GET /b from 127.0.0.1\n0');
      const untrusted = await get(`https://localhost:${port}/path`).catch((error: NodeJS.ErrnoException) => error.code);
      assert.equal(untrusted, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      assert.equal((await get(`http://127.0.0.1:${port}/still`)).status, 200, 'a refused handshake harms nobody else');
    } finally {
      await server.close();
    }
  });

  it('holds TLS connections that arrive before the certificate, then serves them', async () => {
    const server = await start();
    try {
      const connected = once(server.server, 'connection');
      const pending = get(`https://localhost:${server.port}/early`, first.ca.certPem);
      await connected;
      assert.equal((await get(`http://127.0.0.1:${server.port}/plain`)).status, 200, 'plain HTTP is served meanwhile');
      server.setCertificate({ key: first.server.keyPem, cert: first.server.certPem });
      assert.deepEqual(await pending, { status: 200, body: 'api GET /early from 127.0.0.1' });
    } finally {
      await server.close();
    }
  });

  it('a renewed certificate (another CA) serves new connections', async () => {
    const server = await start();
    try {
      server.setCertificate({ key: first.server.keyPem, cert: first.server.certPem });
      assert.equal((await get(`https://localhost:${server.port}/`, first.ca.certPem)).status, 200);
      const next = await authority();
      server.setCertificate({ key: next.server.keyPem, cert: next.server.certPem });
      assert.equal((await get(`https://localhost:${server.port}/`, next.ca.certPem)).status, 200);
      assert.equal(
        await get(`https://localhost:${server.port}/`, first.ca.certPem).catch(
          (error: NodeJS.ErrnoException) => error.code,
        ),
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      );
    } finally {
      await server.close();
    }
  });

  it('garbage after a 0x16 byte ends that connection only', async () => {
    const server = await start();
    try {
      server.setCertificate({ key: first.server.keyPem, cert: first.server.certPem });
      const socket = netConnect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      // A handshake record byte, then no TLS record at all.
      socket.write(Buffer.from('\x16GET / HTTP/1.1\r\nhost: x\r\n\r\n', 'latin1'));
      await new Promise((resolve) => socket.once('close', resolve));
      assert.equal((await get(`http://127.0.0.1:${server.port}/fine`)).status, 200);
      assert.equal((await get(`https://localhost:${server.port}/fine`, first.ca.certPem)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('close ends open connections of every kind: plain, TLS, mid-sniff and waiting for a certificate', async () => {
    const server = await start();
    const open = async (bytes: Buffer | undefined): Promise<Socket> => {
      const socket = netConnect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      if (bytes) socket.write(bytes);
      return socket;
    };
    const silent = await open(undefined);
    const waiting = await open(Buffer.from([0x16, 0x03, 0x01]));
    const plain = await open(Buffer.from('GET /slow HTTP/1.1\r\nhost: x\r\n')); // headers never finished
    // Reset or closed: either way the socket ends ('close' comes after any 'error').
    const closed = [silent, waiting, plain].map((s) => new Promise((resolve) => s.once('close', resolve)));
    await server.close();
    await Promise.all(closed);
  });
});
