/**
 * From an engine's error message to the missing piece and its fix: the messages Podman 4.3 gives
 * when a file it executes or reads is missing (found by pointing it at missing ones: `--init-path`,
 * `--runtime`, `cni_plugin_dirs`, PATH without iptables, `--signature-policy`), when a registry is
 * not marked plain HTTP or its TLS certificate is not trusted, and when its API service does not
 * answer. Pure.
 */

/** What is wrong, in a few words, and the command that fixes it. */
export interface Diagnosis {
  what: string;
  fix: string;
}

/** Re-runs every install and configuration step that is missing; the fix behind every other fix. */
export const SETUP_ENGINE = 'bash scripts/setup-engine';

const reinstall = (pkg: string) => `apt-get install --reinstall ${pkg}`;

const KNOWN: { pattern: RegExp; diagnosis: (match: RegExpExecArray) => Diagnosis }[] = [
  {
    // container-init binary not found on the host: stat /usr/libexec/podman/catatonit: no such file or directory
    pattern: /container-init binary not found on the host: stat (\S+?):/,
    diagnosis: (m) => ({
      what: `catatonit missing (${m[1]}: the init every ECS task runs with)`,
      fix: reinstall('catatonit'),
    }),
  },
  {
    // no valid executable found for OCI runtime runc: invalid argument
    pattern: /no valid executable found for OCI runtime (\S+?):/,
    diagnosis: (m) => ({
      what: `the OCI runtime ${m[1]} is missing`,
      fix: reinstall(m[1]?.includes('crun') ? 'crun' : 'runc'),
    }),
  },
  {
    // could not find a working conmon binary (configured options: [...]): invalid argument
    pattern: /could not find a working conmon binary/,
    diagnosis: () => ({ what: "conmon (Podman's container monitor) is missing", fix: reinstall('conmon') }),
  },
  {
    // plugin type="bridge" failed (add): failed to find plugin "bridge" in path [/usr/lib/cni]
    pattern: /failed to find plugin "([^"]+)"/,
    diagnosis: (m) => ({
      what: `the CNI network plugin ${m[1]} is missing`,
      fix: reinstall('containernetworking-plugins'),
    }),
  },
  {
    // cni plugin bridge failed: failed to locate iptables: exec: "iptables": executable file not found in $PATH
    pattern: /exec: "(ip6?tables)": executable file not found/,
    diagnosis: (m) => ({
      what: `${m[1]} is missing (the CNI plugins' NAT and port rules)`,
      fix: reinstall('iptables'),
    }),
  },
  {
    // open /etc/containers/policy.json: no such file or directory
    pattern: /open (\S*policy\.json): no such file/,
    diagnosis: (m) => ({
      what: `${m[1]} (the image trust policy) is missing: every pull fails`,
      fix: `${reinstall('golang-github-containers-common')} -o Dpkg::Options::=--force-confmiss`,
    }),
  },
  {
    // pinging container registry localhost:45171: Get "https://localhost:45171/v2/": x509: certificate signed by unknown authority
    pattern: /pinging container registry (\S+?):? .*x509: certificate signed by unknown authority/,
    diagnosis: (m) => ({
      what: `the engine does not trust dockyard's CA for ${m[1]} (its certs.d holds no dockyard-ca.crt for it)`,
      fix: `run dockyard as root: it writes /etc/containers/certs.d/${m[1]}/dockyard-ca.crt while it runs (or install <data>/tls/ca.crt there)`,
    }),
  },
  {
    // pinging container registry localhost:4567: Get "https://localhost:4567/v2/": http: server gave HTTP response to HTTPS client
    pattern: /pinging container registry (\S+?):? .*(server gave HTTP response to HTTPS client|https:\/\/)/,
    diagnosis: (m) => ({
      what: `the engine does not treat ${m[1]} as a plain-HTTP registry`,
      fix: `${SETUP_ENGINE} (marks dockyard's registry ports plain HTTP and restarts the Podman API service)`,
    }),
  },
  {
    // connect ENOENT /run/podman/podman.sock, connect ECONNREFUSED …, no container engine found: …
    pattern: /cannot reach the container engine|no container engine found/,
    diagnosis: () => ({ what: 'the Podman API service is not answering', fix: SETUP_ENGINE }),
  },
];

/** The missing piece an engine message names, when it is one of the known ones. */
export function diagnose(message: string): Diagnosis | undefined {
  for (const known of KNOWN) {
    const match = known.pattern.exec(message);
    if (match) return known.diagnosis(match);
  }
  return undefined;
}
