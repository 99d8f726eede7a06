/**
 * Workflow commands a step prints on stdout or stderr: `::name key=value,…::message`.
 *
 * Reproduced from GitHub: `%25`, `%0D`, `%0A` unescape in messages (and `%3A`, `%2C` in
 * properties); `::stop-commands::TOKEN` suspends processing until a line `::TOKEN::`;
 * `set-output` and `save-state` still work but warn that they are deprecated; `set-env` and
 * `add-path` are disabled unless ACTIONS_ALLOW_UNSECURE_COMMANDS is true; unknown commands are
 * printed as they are. The raw command line is never logged: add-mask's value must not reach a log.
 */

export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  message: string;
}

const COMMAND = /^::([A-Za-z][A-Za-z0-9-]*)(?: ([^:]*))?::(.*)$/s;

/** Parses one output line; undefined when the line is not a workflow command. */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = COMMAND.exec(line.trimStart());
  if (match === null) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return { name: (match[1] as string).toLowerCase(), properties, message: unescapeData(match[3] as string) };
}

function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(value: string): string {
  return value
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

/** What a step's commands do to the job; the step runner implements it. */
export interface CommandEffects {
  mask(value: string): void;
  annotate(level: 'error' | 'warning' | 'notice', message: string, properties: Record<string, string>): void;
  /** A line for the log (already a display form: `##[group]…`, `##[debug]…`). */
  log(line: string): void;
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  setEnv(name: string, value: string): void;
  addPath(path: string): void;
  debugEnabled: boolean;
  allowUnsecureCommands: boolean;
}

const DEPRECATION =
  'For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/';

/** Processes a step's output lines, remembering `stop-commands` state across lines. */
export class WorkflowCommandProcessor {
  private stopToken: string | undefined;

  constructor(private readonly effects: CommandEffects) {}

  /** Handles one line: runs the command it carries or logs it as output. */
  line(line: string): void {
    const command = parseWorkflowCommand(line);
    if (this.stopToken !== undefined) {
      if (line.trim() === `::${this.stopToken}::`) {
        this.stopToken = undefined;
        return;
      }
      this.effects.log(line);
      return;
    }
    if (command === undefined) {
      this.effects.log(line);
      return;
    }
    this.run(command, line);
  }

  private run(command: WorkflowCommand, line: string): void {
    const effects = this.effects;
    switch (command.name) {
      case 'add-mask':
        effects.mask(command.message);
        return;
      case 'error':
      case 'warning':
      case 'notice':
        effects.annotate(command.name, command.message, command.properties);
        effects.log(`##[${command.name}]${command.message}`);
        return;
      case 'group':
        effects.log(`##[group]${command.message}`);
        return;
      case 'endgroup':
        effects.log('##[endgroup]');
        return;
      case 'debug':
        if (effects.debugEnabled) effects.log(`##[debug]${command.message}`);
        return;
      case 'set-output':
        this.deprecated('set-output');
        if (command.properties.name) effects.setOutput(command.properties.name, command.message);
        return;
      case 'save-state':
        this.deprecated('save-state');
        if (command.properties.name) effects.saveState(command.properties.name, command.message);
        return;
      case 'set-env':
      case 'add-path':
        if (!effects.allowUnsecureCommands) {
          const message = `The \`${command.name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;
          effects.annotate('error', message, {});
          effects.log(`##[error]${message}`);
          return;
        }
        if (command.name === 'set-env' && command.properties.name)
          effects.setEnv(command.properties.name, command.message);
        if (command.name === 'add-path') effects.addPath(command.message);
        return;
      case 'stop-commands':
        // An empty token cannot be resumed from; GitHub ignores it.
        if (command.message !== '') this.stopToken = command.message;
        return;
      case 'echo':
        return;
      default:
        effects.log(line);
    }
  }

  private deprecated(name: string): void {
    const message = `The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. ${DEPRECATION}`;
    this.effects.annotate('warning', message, {});
    this.effects.log(`##[warning]${message}`);
  }
}
