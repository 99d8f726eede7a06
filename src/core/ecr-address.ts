/**
 * Where each region's ECR registry is on this machine. AWS gives every account one registry per
 * region, told apart by host: `<account>.dkr.ecr.<region>.amazonaws.com`. Those names do not
 * resolve here, so the cloud serves one registry at `localhost:PORT` and a repository's region
 * (and account) travel in the first component of its path, spelled as AWS's host:
 *
 *   localhost:PORT/<account>.dkr.ecr.<region>.amazonaws.com/<repository>
 *
 * The home region (the one the data directory was created in) is also served without it, at
 * `localhost:PORT/<repository>`, the address every earlier version handed out and that its
 * task definitions and images still name. So an image URI in AWS's form maps to a local one by
 * putting `localhost:PORT/` in front, and every repository of every region, in any account,
 * has an address docker and podman can push to and pull from here (the engine trusts the
 * registry per host:port, whatever the path).
 */

/** How the cloud addresses its registry. */
export interface EcrAddressing {
  accountId: string;
  /** The region whose repositories are also served at `registryHost/<name>`. */
  homeRegion: string;
  /** `localhost:PORT`, the registry as the engine reaches it. */
  registryHost: string;
}

/** A repository path's registry: the account and region it names, and the repository's own name. */
export interface RegistryPath {
  accountId: string;
  region: string;
  name: string;
}

// ECR hostnames, including the dual-stack and FIPS forms and the China partition.
const ECR_HOST = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]{1,40})\.(?:amazonaws\.com(?:\.cn)?|api\.aws|on\.aws)$/;

/** `<account>.dkr.ecr.<region>.amazonaws.com`, the host of a region's registry on AWS. */
export function ecrHostname(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** The account and region an ECR hostname names; undefined for any other host. */
export function parseEcrHostname(host: string): { accountId: string; region: string } | undefined {
  const match = ECR_HOST.exec(host);
  return match?.[1] && match[2] ? { accountId: match[1], region: match[2] } : undefined;
}

/**
 * What repository URIs of `region` start with: `localhost:PORT` in the home region,
 * `localhost:PORT/<account>.dkr.ecr.<region>.amazonaws.com` in any other.
 */
export function registryPrefix(addressing: EcrAddressing, region: string): string {
  if (region === addressing.homeRegion) return addressing.registryHost;
  return `${addressing.registryHost}/${ecrHostname(addressing.accountId, region)}`;
}

/**
 * Whose repository a path below the registry names: a first component in ECR's host form
 * selects that account and region; anything else is the home region's repository.
 */
export function splitRegistryPath(addressing: EcrAddressing, path: string): RegistryPath {
  const slash = path.indexOf('/');
  const scope = slash > 0 ? parseEcrHostname(path.slice(0, slash)) : undefined;
  if (scope) return { ...scope, name: path.slice(slash + 1) };
  return { accountId: addressing.accountId, region: addressing.homeRegion, name: path };
}
