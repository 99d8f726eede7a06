/**
 * The cloud's TLS, wired: its certificates (src/tls), the server's TLS on its one port, and
 * the container engine's trust in its registry (`<certs.d>/localhost:PORT/dockyard-ca.crt`),
 * so the engine pulls and pushes over verified HTTPS on any port without registries.conf
 * knowing the port.
 *
 * Start-up stays fast: good material on disk is used at once; a first start (or a renewal)
 * issues in the background while plain HTTP is served, and TLS connections wait for it.
 * Whether the engine's directory is writable is known at once, so a cloud that cannot make
 * the engine trust it says so (and how to fix it) while starting. Entries that crashed clouds
 * left in certs.d are removed in the background (engine-trust.ts).
 */
import { isIP } from 'node:net';
import type { HttpServer } from '../http/server.js';
import type { SubjectNames } from '../tls/certificate-issuer.js';
import { CloudCertificates, LOOPBACK_NAMES, type ServerCredentials } from '../tls/cloud-certificates.js';
import {
  engineTrustBlocked,
  engineTrustPath,
  removeStaleTrust,
  trustRegistryInEngine,
  type EngineTrust,
} from '../tls/engine-trust.js';
import { awsCertificateNames } from '../tls/aws-hostnames.js';
import type { PermittedNames } from '../tls/name-constraints.js';
import type { Logger } from '../core/logger.js';

export interface CloudTlsOptions {
  dataDir: string;
  server: HttpServer;
  /** The address the cloud listens on; a specific one is added to the certificate's names. */
  host: string;
  /** `localhost:PORT`, the registry as clients name it. */
  registryHost: string;
  /** The engine's certs.d, or undefined to leave the engine alone (most tests). */
  engineCertsDir: string | undefined;
  logger: Logger;
}

export class CloudTls {
  private readonly certificates: CloudCertificates;
  private applied: ServerCredentials | undefined;
  private trust: EngineTrust | undefined;
  /** Why the engine cannot be made to trust the registry, when known at start. */
  private readonly blocked: string | undefined;
  private stopped = false;
  /** Settles when entries left by crashed clouds have been looked at. */
  private sweeping: Promise<void> = Promise.resolve();
  /** Settles once TLS is served (or issuing failed, which is logged). */
  readonly ready: Promise<void>;

  constructor(private readonly options: CloudTlsOptions) {
    this.certificates = new CloudCertificates(
      options.dataDir,
      certificateNames(options.host),
      undefined,
      permittedNames(options.host),
    );
    this.blocked =
      options.engineCertsDir === undefined
        ? undefined
        : engineTrustBlocked({
            certsDir: options.engineCertsDir,
            registryHost: options.registryHost,
            caCertPath: this.certificates.caCertPath,
          });
    if (this.blocked) options.logger.warn(this.blocked);
    else if (options.engineCertsDir !== undefined) this.sweeping = this.sweep(options.engineCertsDir);
    const current = this.certificates.current();
    if (current) {
      this.apply(current);
      this.ready = Promise.resolve();
    } else {
      this.ready = this.renew();
    }
  }

  /** The CA certificate's path: what clients outside the engine are told to trust. */
  get caCertPath(): string {
    return this.certificates.caCertPath;
  }

  /** Where the engine's trust was written, or why it was not (undefined: not asked to, or not yet). */
  get engineTrust(): EngineTrust | undefined {
    return (
      this.trust ??
      (this.blocked && this.options.engineCertsDir
        ? {
            ok: false,
            path: engineTrustPath(this.options.engineCertsDir, this.options.registryHost),
            problem: this.blocked,
          }
        : undefined)
    );
  }

  /** Renews what is due (housekeeping calls this); never throws, failures are logged. */
  async renew(): Promise<void> {
    try {
      const credentials = await this.certificates.ensure();
      if (!this.stopped && credentials.cert !== this.applied?.cert) this.apply(credentials);
    } catch (error) {
      this.options.logger.error('TLS certificates could not be issued; the registry is served over plain HTTP only', {
        error: String(error),
      });
    }
  }

  /** Takes the engine's trust back (only our own file). */
  async stop(): Promise<void> {
    await Promise.all([this.ready, this.sweeping]);
    this.stopped = true;
    if (this.trust?.ok) this.trust.remove();
    this.trust = undefined;
  }

  private async sweep(certsDir: string): Promise<void> {
    const removed = await removeStaleTrust(certsDir, this.options.registryHost).catch(() => []);
    if (removed.length > 0)
      this.options.logger.info('removed registry trust left by clouds that did not stop', { removed });
  }

  private apply(credentials: ServerCredentials): void {
    this.options.server.setCertificate({ key: credentials.key, cert: credentials.cert });
    const caChanged = credentials.caCert !== this.applied?.caCert;
    this.applied = credentials;
    const certsDir = this.options.engineCertsDir;
    if (certsDir === undefined || this.blocked || !caChanged) return;
    if (this.trust?.ok) this.trust.remove();
    this.trust = trustRegistryInEngine({
      certsDir,
      registryHost: this.options.registryHost,
      caCert: credentials.caCert,
      caCertPath: this.certificates.caCertPath,
    });
    if (!this.trust.ok) this.options.logger.warn(this.trust.problem);
  }
}

/** A specific listening address (not a wildcard, not loopback), which the certificate names too. */
function specificHost(host: string): string | undefined {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  return wildcard || LOOPBACK_NAMES.dns.includes(host) || LOOPBACK_NAMES.ip.includes(host) ? undefined : host;
}

/**
 * Loopback names, the AWS service host names jobs reach the cloud by (../tls/aws-hostnames.ts),
 * and the listening address when it is a specific one.
 */
export function certificateNames(host: string): SubjectNames {
  const dns = [...LOOPBACK_NAMES.dns, ...awsCertificateNames()];
  const specific = specificHost(host);
  if (specific === undefined) return { dns, ip: LOOPBACK_NAMES.ip };
  return isIP(specific)
    ? { dns, ip: [...LOOPBACK_NAMES.ip, specific] }
    : { dns: [...dns, specific], ip: LOOPBACK_NAMES.ip };
}

/** What the CA may vouch for: localhost, amazonaws.com, loopback, and a specific listening name. */
export function permittedNames(host: string): PermittedNames {
  const specific = specificHost(host);
  const dns = ['localhost', 'amazonaws.com'];
  const ipRanges = ['127.0.0.0/8', '::1/128'];
  if (specific !== undefined) {
    if (isIP(specific) === 4) ipRanges.push(`${specific}/32`);
    else if (isIP(specific) === 6) ipRanges.push(`${specific}/128`);
    else dns.push(specific);
  }
  return { dns, ipRanges };
}
