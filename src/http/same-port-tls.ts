/**
 * TLS beside plain HTTP on the same port. Every new connection is looked at once: a first
 * byte of 0x16 (a TLS handshake record; no HTTP request starts with it) goes through a
 * tls.Server and then, decrypted, to the same HTTP server; anything else goes to the HTTP
 * server as it is, so every plain-HTTP client keeps working unchanged. This is what an
 * HTTPS server in Node does (a tls.Server handing its sockets to HTTP's connection handler),
 * with the choice made per connection.
 *
 * The HTTP server stays the listening one: its connection tracking (header and request
 * timeouts, closeAllConnections) only runs on a listening server. Its own connection handler
 * is taken out of the 'connection' event and called after the first byte has been seen and
 * put back. Requests look the same either way except `req.socket.encrypted`; streaming
 * handlers read and write a TLS socket as they would a plain one, with the same backpressure.
 *
 * Until the first certificate is set, TLS connections wait for it (at most `waitMs`): a
 * cloud issuing its first certificate serves plain HTTP meanwhile. `setCertificate` again
 * replaces it for new connections (renewal). node:tls is loaded, and the certificate parsed,
 * at the first TLS connection: a start-up that nobody reaches over TLS does not pay for them.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/** The first byte of a TLS record carrying a handshake (ClientHello). */
const TLS_HANDSHAKE = 0x16;
/** How long a TLS connection may wait for the first certificate. */
const DEFAULT_CERTIFICATE_WAIT_MS = 10_000;

/** A server's key and certificate chain, PEM. */
export interface TlsCertificate {
  key: string;
  cert: string;
}

export class SamePortTls {
  private certificate: TlsCertificate | undefined;
  /** The TLS server, made at the first TLS connection that has a certificate to use. */
  private tls: TlsServer | undefined;
  private tlsLoading: Promise<TlsServer> | undefined;
  private readonly serveHttp: ((socket: Socket | TLSSocket) => void)[];
  /** Every accepted socket, whatever its state: closing the server ends them all. */
  private readonly sockets = new Set<Socket>();
  /** TLS connections that arrived before the first certificate. */
  private readonly waiting = new Set<Socket>();
  private readonly waitMs: number;

  constructor(
    private readonly http: Server,
    options: { waitMs?: number } = {},
  ) {
    this.waitMs = options.waitMs ?? DEFAULT_CERTIFICATE_WAIT_MS;
    this.serveHttp = http.listeners('connection') as ((socket: Socket | TLSSocket) => void)[];
    http.removeAllListeners('connection');
    http.on('connection', (socket: Socket) => this.accept(socket));
  }

  /** Sets the certificate new TLS connections get, and lets waiting ones through. */
  setCertificate(certificate: TlsCertificate): void {
    this.certificate = certificate;
    this.tls?.setSecureContext(certificate);
    for (const socket of this.waiting) {
      socket.setTimeout(0);
      this.toTls(socket, certificate);
    }
    this.waiting.clear();
  }

  /** Ends every connection, in whatever state (after the listener has been closed). */
  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    // Errors before a handler takes over (a reset while waiting) end in 'close' like any other.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.waiting.delete(socket);
    });
    // Silent clients are let go as HTTP lets go of a client that never sends its headers.
    socket.setTimeout(this.http.headersTimeout || 60_000, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      socket.unshift(chunk);
      if (chunk[0] !== TLS_HANDSHAKE) {
        this.toHttp(socket);
        socket.resume();
      } else if (this.certificate) {
        this.toTls(socket, this.certificate);
      } else {
        this.waiting.add(socket);
        socket.setTimeout(this.waitMs, () => socket.destroy());
      }
    });
  }

  /** Hands a connection (its first bytes put back) to the TLS server, made on first use. */
  private toTls(socket: Socket, certificate: TlsCertificate): void {
    this.tlsLoading ??= import('node:tls').then(({ createServer }) => {
      // The latest certificate: setCertificate may have been called while node:tls loaded.
      const tls = createServer(this.certificate ?? certificate);
      tls.on('secureConnection', (secure: TLSSocket) => this.toHttp(secure));
      // A failed handshake (wrong CA, a plain client that sent 0x16, a scanner) ends that connection quietly.
      tls.on('tlsClientError', (_error, failed) => failed.destroy());
      this.tls = tls;
      return tls;
    });
    this.tlsLoading.then(
      (tls) => {
        if (!socket.destroyed) tls.emit('connection', socket);
      },
      () => socket.destroy(),
    );
  }

  private toHttp(socket: Socket | TLSSocket): void {
    for (const listener of this.serveHttp) listener.call(this.http, socket);
  }
}
