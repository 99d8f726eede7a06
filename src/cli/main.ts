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
  {
    name: ['status'],
    summary: 'what the cloud runs: services, their addresses, the latest runs',
    load: () => import('./status.js').then((m) => m.statusCommand),
  },
  {
    name: ['logs'],
    summary: "a service's container output from CloudWatch Logs (--follow)",
    load: () => import('./logs.js').then((m) => m.logsCommand),
  },
  {
    name: ['deploy'],
    summary: 'build, push and roll out a new version of a service (local or --aws)',
    load: () => import('./deploy.js').then((m) => m.deployCommand),
  },
  {
    name: ['rollback'],
    summary: 'put a service back on its previous task definition revision',
    load: () => import('./rollback.js').then((m) => m.rollbackCommand),
  },
  {
    name: ['doctor'],
    summary: 'check the machine (engine files, a real container run) and the running cloud; says how to fix',
    load: () => import('./doctor.js').then((m) => m.doctorCommand),
  },
  {
    name: ['console'],
    summary: 'the web console: its address and a one-time login link',
    load: () => import('./console.js').then((m) => m.consoleCommand),
  },
  {
    name: ['env'],
    summary: 'print export lines for AWS tooling',
    load: () => import('./env.js').then((m) => m.envCommand),
  },
  {
    name: ['endpoint'],
    summary: "print an ECS service's stable URL",
    load: () => import('./endpoint.js').then((m) => m.endpointCommand),
  },
  {
    name: ['demo'],
    summary: "replay the seed's keyless trust chain against the local cloud",
    load: () => import('./demo.js').then((m) => m.demoCommand),
  },
  {
    name: ['token'],
    summary: 'print a CI job OIDC token',
    load: () => import('./token.js').then((m) => m.tokenCommand),
  },
  {
    name: ['keys', 'list'],
    summary: "list the OIDC issuer's signing keys",
    load: () => import('./keys.js').then((m) => m.keysListCommand),
  },
  {
    name: ['keys', 'rotate'],
    summary: 'make a new signing key active',
    load: () => import('./keys.js').then((m) => m.keysRotateCommand),
  },
  {
    name: ['keys', 'remove'],
    summary: 'remove a retired signing key',
    load: () => import('./keys.js').then((m) => m.keysRemoveCommand),
  },
  {
    name: ['repo', 'create'],
    summary: 'host a git repository whose pushes run its workflows',
    load: () => import('./repo.js').then((m) => m.repoCreateCommand),
  },
  {
    name: ['repo', 'list'],
    summary: 'list hosted repositories',
    load: () => import('./repo.js').then((m) => m.repoListCommand),
  },
  {
    name: ['repo', 'delete'],
    summary: 'delete a hosted repository',
    load: () => import('./repo.js').then((m) => m.repoDeleteCommand),
  },
  {
    name: ['push'],
    summary: 'git push, then follow the workflow runs and fail if they fail',
    load: () => import('./push.js').then((m) => m.pushCommand),
  },
  {
    name: ['run'],
    summary: 'start a workflow_dispatch workflow and follow it',
    load: () => import('./runs.js').then((m) => m.runCommand),
  },
  {
    name: ['runs', 'list'],
    summary: 'list workflow runs',
    load: () => import('./runs.js').then((m) => m.runsListCommand),
  },
  {
    name: ['runs', 'view'],
    summary: "show a run's jobs, steps and log",
    load: () => import('./runs.js').then((m) => m.runsViewCommand),
  },
  {
    name: ['runs', 'watch'],
    summary: 'follow a run until it ends',
    load: () => import('./runs.js').then((m) => m.runsWatchCommand),
  },
  {
    name: ['runs', 'cancel'],
    summary: 'cancel a run',
    load: () => import('./runs.js').then((m) => m.runsCancelCommand),
  },
  {
    name: ['runs', 'rerun'],
    summary: 'run a completed run again (a new attempt, same event)',
    load: () => import('./runs.js').then((m) => m.runsRerunCommand),
  },
  {
    name: ['secret', 'set'],
    summary: "set a repository's Actions secret",
    load: () => import('./settings.js').then((m) => m.secretSetCommand),
  },
  {
    name: ['secret', 'list'],
    summary: "list a repository's secrets",
    load: () => import('./settings.js').then((m) => m.secretListCommand),
  },
  {
    name: ['secret', 'delete'],
    summary: 'delete a secret',
    load: () => import('./settings.js').then((m) => m.secretDeleteCommand),
  },
  {
    name: ['var', 'set'],
    summary: "set a repository's Actions variable",
    load: () => import('./settings.js').then((m) => m.varSetCommand),
  },
  {
    name: ['var', 'list'],
    summary: "list a repository's variables",
    load: () => import('./settings.js').then((m) => m.varListCommand),
  },
  {
    name: ['var', 'delete'],
    summary: 'delete a variable',
    load: () => import('./settings.js').then((m) => m.varDeleteCommand),
  },
  {
    name: ['actions', 'add'],
    summary: 'add a local copy of an action for offline runs',
    load: () => import('./actions.js').then((m) => m.actionsAddCommand),
  },
  {
    name: ['actions', 'list'],
    summary: 'list cached and built-in actions',
    load: () => import('./actions.js').then((m) => m.actionsListCommand),
  },
  {
    name: ['actions', 'remove'],
    summary: 'remove a cached action',
    load: () => import('./actions.js').then((m) => m.actionsRemoveCommand),
  },
  {
    name: ['actions', 'server'],
    summary: 'where actions are fetched from (github.com, GHES, Gitea, a mirror; a token; off)',
    load: () => import('./actions.js').then((m) => m.actionsServerCommand),
  },
  {
    name: ['runner-image', 'build'],
    summary: 'build the image workflow jobs run in (cached until its recipe changes)',
    load: () => import('./runner-image.js').then((m) => m.runnerImageBuildCommand),
  },
  {
    name: ['runner-image', 'status'],
    summary: "the runner image's recipe and size, and which image serves each runs-on label",
    load: () => import('./runner-image.js').then((m) => m.runnerImageStatusCommand),
  },
  {
    name: ['runner-image', 'map'],
    summary: 'run jobs whose runs-on is LABEL in IMAGE',
    load: () => import('./runner-image.js').then((m) => m.runnerImageMapCommand),
  },
  {
    name: ['runner-image', 'unmap'],
    summary: 'remove a runs-on label mapping',
    load: () => import('./runner-image.js').then((m) => m.runnerImageUnmapCommand),
  },
  {
    name: ['git-credential'],
    summary: "git's credential helper for hosted repositories",
    load: () => import('./repo.js').then((m) => m.gitCredentialCommand),
  },
  {
    name: ['bootstrap'],
    summary: 'least-privilege keyless deploy role for a repository, or (--static-keys) a deploy user (local or --aws)',
    load: () => import('./bootstrap.js').then((m) => m.bootstrapCommand),
  },
  {
    name: ['migrate-to-oidc'],
    summary: 'turn a static-key deploy workflow keyless: the role it needs, and the edited workflow',
    load: () => import('./migrate-to-oidc.js').then((m) => m.migrateToOidcCommand),
  },
  {
    name: ['trust', 'check'],
    summary: 'explain whether a role trusts a CI job',
    load: () => import('./trust-check.js').then((m) => m.trustCheckCommand),
  },
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.join(' ').length));
  const lines = COMMANDS.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`);
  return `Usage: dockyard <command> [flags]\n\ndockyard is a local AWS cloud for keyless CI/CD: IAM, STS, ECR, ECS, EC2 and Logs on AWS's wire protocols,\na CI OIDC issuer, git hosting and a GitHub Actions runner whose jobs get OIDC tokens.\n\nCommands:\n${lines.join('\n')}\n\nEvery command takes --help and --data DIR (or $DOCKYARD_DATA) to pick the cloud it talks to.\n`;
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
    process.stderr.write(
      group.length > 0
        ? `dockyard ${argv[0]}: say which: ${group.map((c) => c.name.join(' ')).join(', ')}\n`
        : `dockyard: unknown command ${argv[0]}\n\n${usage()}`,
    );
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
    if (
      error instanceof CliError ||
      (error instanceof Error &&
        !(error instanceof TypeError) &&
        !(error instanceof RangeError) &&
        error.constructor === Error)
    ) {
      process.stderr.write(`dockyard ${command.name.join(' ')}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
