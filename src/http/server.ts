/**
 * The HTTP server: Node's http module, the adapter and the router. A request that fails
 * before the router (a body over the limit, a broken connection) gets an AWS-shaped error;
 * nothing that a client sends can take the process down. The same port speaks TLS too, once
 * given a certificate (same-port-tls.ts): the registry is reached over HTTPS by the engine,
 * everything else keeps its plain-HTTP URLs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { Logger } from '../core/logger.js';
import { jsonError } from '../protocols/aws-json.js';
import { queryError } from '../protocols/aws-query.js';
import { AwsError } from '../core/errors.js';
import type { ApiRequest, ApiResponse } from '../protocols/http-types.js';
import { requestId } from '../core/ids.js';
import { BodyTooLargeError, normaliseIp, readRequest, writeResponse } from './node-adapter.js';
import { SamePortTls, type TlsCertificate } from './same-port-tls.js';

/** AWS API bodies are small; ECS task definitions are the largest this cloud accepts (~64 KiB on AWS). */
export const MAX_API_BODY = 4 * 1024 * 1024;

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  handle(request: ApiRequest): Promise<ApiResponse>;
  /**
   * Streaming routes (the registry's /v2): given the raw request first; a handler that takes it
   * returns a promise, else undefined and the request is buffered for `handle`.
   */
  stream?(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined;
}

/** The listening server. */
export interface HttpServer {
  server: Server;
  port: number;
  /** Sets (or renews) the certificate of TLS connections; until then they wait for it. */
  setCertificate(certificate: TlsCertificate): void;
  /**
   * Also accepts connections on `host` (the same port; once per host): the gateway of the job
   * network, where job containers reach the cloud. They are served exactly as the main address's.
   */
  listenAlso(host: string): Promise<void>;
  /** Stops listening and ends every connection, open requests included. */
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  // More addresses (in job and task networks): their connections are handed to the HTTP server,
  // which stays the one listening; a request that came by one is marked as a job's or task's.
  const also = new Map<string, Promise<NetServer>>();
  const server = createServer({ keepAlive: true, keepAliveTimeout: 30_000 }, (req, res) => {
    res.on('error', () => undefined);
    const streamed = options.stream?.(req, res);
    if (streamed) {
      streamed.catch((error: unknown) => {
        options.logger.error('streaming request failed', {
          error: error instanceof Error ? error.stack : String(error),
        });
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'internal error' }] }));
        } else res.destroy();
      });
      return;
    }
    readRequest(req, MAX_API_BODY)
      .then((request) => {
        const local = req.socket.localAddress;
        const tagged =
          local !== undefined && also.has(normaliseIp(local)) ? { ...request, fromJobOrTask: true } : request;
        return options.handle(tagged).then((response) => writeResponse(res, response, request.method));
      })
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        const id = requestId();
        const aws =
          error instanceof BodyTooLargeError
            ? new AwsError('RequestEntityTooLarge', error.message, { status: 413 })
            : new AwsError(
                'InternalFailure',
                'The request processing has failed because of an unknown error, exception or failure.',
                { status: 500 },
              );
        if (!(error instanceof BodyTooLargeError))
          options.logger.error('request failed', { id, error: error instanceof Error ? error.stack : String(error) });
        const response = req.headers['x-amz-target']
          ? jsonError(aws, id)
          : queryError('https://sts.amazonaws.com/doc/2011-06-15/', aws, id);
        // The rest of an oversized body is not read: close the connection once answered.
        res.setHeader('connection', 'close');
        writeResponse(res, response, req.method ?? 'GET');
      });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const tls = new SamePortTls(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    setCertificate: (certificate) => tls.setCertificate(certificate),
    listenAlso(host) {
      let listening = also.get(host);
      if (listening === undefined) {
        listening = new Promise<NetServer>((resolve, reject) => {
          const extra = createNetServer((socket) => server.emit('connection', socket));
          extra.once('error', reject);
          extra.listen(port, host, () => {
            extra.off('error', reject);
            extra.on('error', (error) =>
              options.logger.warn('a listener of the cloud failed', { host, error: String(error) }),
            );
            resolve(extra);
          });
        });
        also.set(host, listening);
        // A failed bind (the address is not up yet) is tried again by the next caller.
        listening.catch(() => also.delete(host));
      }
      return listening.then(() => undefined);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const extra of also.values())
          void extra.then(
            (s) => s.close(),
            () => undefined,
          );
        server.close(() => resolve());
        server.closeAllConnections();
        tls.closeAll();
      }),
  };
}
