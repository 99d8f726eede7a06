/**
 * The CLI entry: picks the command from the leading words and runs it. Errors the user can
 * act on print as one message; anything else is a bug and prints its stack.
 */
import { CliError, UsageError, type Command } from './command.js';

/** Commands load on demand: `up` must not pay for the AWS SDK that `demo` imports. */
interface CommandEntry {
  name: string[];
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: CommandEntry[] = [
  { name: ['up'], summary: 'start the local cloud', load: () => import('./up.js').then((m) => m.upCommand) },
  { name: ['down'], summary: 'stop the local cloud', load: () => import('./down.js').then((m) => m.downCommand) },
  { name: ['env'], summary: 'print export lines for AWS tooling', load: () => import('./env.js').then((m) => m.envCommand) },
  { name: ['endpoint'], summary: "print an ECS service's stable URL", load: () => import('./endpoint.js').then((m) => m.endpointCommand) },
  { name: ['demo'], summary: "replay the seed's keyless trust chain against the local cloud", load: () => import('./demo.js').then((m) => m.demoCommand) },
  { name: ['token'], summary: 'print a CI job OIDC token', load: () => import('./token.js').then((m) => m.tokenCommand) },
  { name: ['keys', 'list'], summary: "list the OIDC issuer's signing keys", load: () => import('./keys.js').then((m) => m.keysListCommand) },
  { name: ['keys', 'rotate'], summary: 'make a new signing key active', load: () => import('./keys.js').then((m) => m.keysRotateCommand) },
  { name: ['keys', 'remove'], summary: 'remove a retired signing key', load: () => import('./keys.js').then((m) => m.keysRemoveCommand) },
  { name: ['trust', 'check'], summary: 'explain whether a role trusts a CI job', load: () => import('./trust-check.js').then((m) => m.trustCheckCommand) },
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.join(' ').length));
  const lines = COMMANDS.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`);
  return `Usage: dockyard <command> [flags]\n\ndockyard is a local AWS cloud for keyless CI/CD: IAM, STS and a CI OIDC issuer speaking AWS's wire protocols.\n\nCommands:\n${lines.join('\n')}\n\nEvery command takes --help and --data DIR (or $DOCKYARD_DATA) to pick the cloud it talks to.\n`;
}

export async function main(argv: string[]): Promise<number> {
  // The machine runs Node 20; the lockfile pins SDK versions that support it (docs/decisions.md).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Output piped into `head` and the like: a closed reader is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exitCode ??= 0;
    else throw error;
  });
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name.every((word, i) => argv[i] === word));
  if (!entry) {
    const group = COMMANDS.filter((c) => c.name[0] === argv[0]);
    process.stderr.write(group.length > 0 ? `dockyard ${argv[0]}: say which: ${group.map((c) => c.name.join(' ')).join(', ')}\n` : `dockyard: unknown command ${argv[0]}\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  try {
    return await command.run(argv.slice(command.name.length));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dockyard ${command.name.join(' ')}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CliError || (error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError) && error.constructor === Error)) {
      process.stderr.write(`dockyard ${command.name.join(' ')}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
