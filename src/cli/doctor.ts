/**
 * `dockyard doctor`: does this machine run dockyard, and does the running cloud work? The checks
 * live in src/doctor; this prints them as they complete (with a progress line on a terminal while
 * a slow one runs), or as JSON, and exits 1 when any fails. scripts/setup runs it with --setup.
 */
import { resolveDataDir, dataFiles } from '../cloud/config.js';
import type { Check } from '../doctor/check.js';
import type { CloudTarget } from '../doctor/cloud-health.js';
import { runDoctor, type DoctorReport } from '../doctor/doctor.js';
import { DATA_OPTION, parseFlags, stringFlag, type Command } from './command.js';
import { readAdmin } from './cloud-session.js';
import { runningCloud } from './running.js';

const USAGE = `Usage: dockyard doctor [--json] [--setup] [--data DIR]

Checks that this machine runs dockyard, and says which piece is missing or broken and how to fix it:
  host    every file the container engine needs (scripts/engine-files: podman, conmon, runc,
          catatonit, the CNI plugins, iptables, the image trust policy, skopeo, docker)
  engine  its API answers; then an ECS task's real path, in a few seconds: an image made offline is
          pushed with skopeo to a throwaway dockyard registry, pulled by the engine with ECR
          credentials, run with an init and a published port, answered from the host
  cloud   when one runs on the data directory: its health, a signed AWS API call, the ECS
          runtime's reach to the engine, the OIDC issuer's signing keys
Exits 1 when a check fails.
  --json    the checks as JSON on stdout
  --setup   what scripts/setup runs: no cloud checks, and the container run only when it has not
            passed before with the same engine packages and configuration
  --data    the cloud's data directory (default $DOCKYARD_DATA or ~/.dockyard)`;

const MARK: Record<Check['status'], string> = { pass: '✓', fail: '✗', skip: '-' };
const HEADING: Record<Check['group'], string> = { host: 'host', engine: 'engine', cloud: 'cloud' };

export const doctorCommand: Command = {
  name: ['doctor'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' }, setup: { type: 'boolean' } }, USAGE);
    if (!flags) return 0;
    const dataFlag = stringFlag(flags, 'data');
    const dataDir = resolveDataDir(dataFlag);
    const setup = flags.setup === true;
    const json = flags.json === true;
    const cloud = setup ? undefined : cloudTarget(dataDir, dataFlag);
    const printer = json ? undefined : new CheckPrinter(setup);
    const progress = process.stderr.isTTY ? new ProgressLine() : undefined;
    const report = await runDoctor({
      probe: setup ? 'unless-passed' : 'always',
      ...(cloud ? { cloud } : {}),
      onCheck: (check) => {
        progress?.clear();
        printer?.print(check, cloud === undefined ? undefined : dataDir);
      },
      ...(progress ? { onProgress: (text: string) => progress.show(text) } : {}),
    });
    progress?.clear();
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ok: report.ok, ms: report.ms, dataDir, cloud: cloud ? cloud.url : null, checks: report.checks }, null, 2)}\n`,
      );
    else printer?.summary(report, setup ? undefined : cloud ? undefined : dataDir);
    return report.ok ? 0 : 1;
  },
};

/** The running cloud on `dataDir`, when there is one whose admin key can be read. */
function cloudTarget(dataDir: string, dataFlag: string | undefined): CloudTarget | undefined {
  const running = runningCloud(dataDir);
  if (!running) return undefined;
  return {
    url: running.url,
    pid: running.pid,
    region: running.region,
    credentials: readAdmin(dataDir),
    log: dataFiles(dataDir).log,
    dataFlag: dataFlag ? ` --data ${dataDir}` : '',
  };
}

/** Human output: a heading per group, one line per check, the fix and the engine's message under a failure. */
class CheckPrinter {
  private group: Check['group'] | undefined;
  /** A terminal's width; unbounded when the output goes to a file or a pipe. */
  private readonly width = process.stdout.isTTY ? Math.max(60, process.stdout.columns || 100) : Infinity;

  /** `quiet`: only failures (scripts/setup prints one summary line when all pass). */
  constructor(private readonly quiet: boolean) {}

  print(check: Check, cloudDir: string | undefined): void {
    if (this.quiet && check.status !== 'fail') return;
    const lines: string[] = [];
    if (check.group !== this.group) {
      this.group = check.group;
      lines.push(check.group === 'cloud' && cloudDir ? `cloud (${cloudDir})` : HEADING[check.group]);
    }
    const time = check.ms >= 1000 ? `  ${(check.ms / 1000).toFixed(1)} s` : '';
    const cached = check.cached ? ' (cached)' : '';
    lines.push(this.fit(`  ${MARK[check.status]} ${check.name.padEnd(17)} ${check.detail}${cached}`, time));
    if (check.status === 'fail') {
      if (check.fix) lines.push(`      fix: ${check.fix}`);
      if (check.error && check.error !== check.detail) lines.push(this.fit(`      engine said: ${check.error}`, ''));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  summary(report: DoctorReport, noCloudDir: string | undefined): void {
    const lines: string[] = [];
    if (noCloudDir)
      lines.push('cloud', `  - no cloud is running on ${noCloudDir} (\`dockyard up --detach\` starts one)`);
    const failed = report.checks.filter((c) => c.status === 'fail');
    const passed = report.checks.filter((c) => c.status === 'pass').length;
    const seconds = (report.ms / 1000).toFixed(1);
    if (failed.length === 0)
      lines.push(`${this.quiet ? '[setup] self-check: ' : ''}${passed} checks passed in ${seconds} s`);
    else
      lines.push(
        `${failed.length} of ${report.checks.length} checks failed (${failed.map((c) => c.name).join(', ')}); each fix is under it, and \`bash scripts/setup-engine\` applies every install step`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  /** One terminal line: `text` cut to the width with `suffix` kept at its end. */
  private fit(text: string, suffix: string): string {
    const room = this.width - suffix.length;
    return `${text.length > room ? `${text.slice(0, room - 1)}…` : text}${suffix}`;
  }
}

/** A transient `… what is running` line on stderr, rewritten in place and cleared before output. */
class ProgressLine {
  private shown = false;

  show(text: string): void {
    const width = (process.stderr.columns || 100) - 1;
    const line = `  … ${text}`;
    process.stderr.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
