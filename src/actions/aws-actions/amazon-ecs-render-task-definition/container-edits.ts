/**
 * The edits amazon-ecs-render-task-definition makes to one container definition: image,
 * command, environment files, environment variables and secrets (upserted by name), log
 * configuration and Docker labels, each from the action's line-oriented inputs.
 */

/** A container definition as JSON; only the fields edited here are typed. */
export interface ContainerDocument {
  name?: unknown;
  image?: string;
  command?: string[];
  environmentFiles?: { value: string; type: string }[];
  environment?: { name: string; value?: string }[];
  secrets?: { name: string; valueFrom: string }[];
  logConfiguration?: { logDriver?: string; options?: Record<string, string | undefined> };
  dockerLabels?: Record<string, string | undefined>;
  [key: string]: unknown;
}

export interface ContainerEdits {
  image: string;
  command: string;
  envFiles: string;
  environmentVariables: string;
  secrets: string;
  logDriver: string;
  logOptions: string;
  dockerLabels: string;
}

const VALID_LOG_DRIVERS = [
  'json-file',
  'syslog',
  'journald',
  'logentries',
  'gelf',
  'fluentd',
  'awslogs',
  'splunk',
  'awsfirelens',
];

/** Non-blank trimmed lines of a multi-line input. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** `NAME=value` split at the first `=`; undefined when there is none. */
function splitFirst(line: string): [string, string] | undefined {
  const at = line.indexOf('=');
  return at === -1 ? undefined : [line.slice(0, at), line.slice(at + 1)];
}

/**
 * `key=value` as the real action splits log options and labels: `split('=')` keeps only the
 * text up to a second `=`. Reproduced quirk: `a=b=c` yields value `b`.
 */
function splitTruncating(line: string): [string, string | undefined] {
  const [key = '', value] = line.split('=');
  return [key, value];
}

export function editContainer(container: ContainerDocument, edits: ContainerEdits): void {
  container.image = edits.image;
  // Reproduced quirk: split on single spaces, so quoted arguments are not kept together.
  if (edits.command) container.command = edits.command.split(' ');

  if (edits.envFiles) {
    container.environmentFiles = lines(edits.envFiles).map((value) => ({ value, type: 's3' }));
  }

  if (edits.environmentVariables) {
    if (!Array.isArray(container.environment)) container.environment = [];
    const environment = container.environment;
    for (const line of lines(edits.environmentVariables)) {
      const pair = splitFirst(line);
      if (!pair)
        throw new Error(
          `Cannot parse the environment variable '${line}'. Environment variable pairs must be of the form NAME=value.`,
        );
      const [name, value] = pair;
      const existing = environment.find((entry) => entry.name === name);
      if (existing) existing.value = value;
      else environment.push({ name, value });
    }
  }

  if (edits.secrets) {
    if (!Array.isArray(container.secrets)) container.secrets = [];
    const secrets = container.secrets;
    for (const line of lines(edits.secrets)) {
      const pair = splitFirst(line);
      if (!pair) {
        throw new Error(
          `Cannot parse the secret '${line}'. Secret pairs must be of the form NAME=valueFrom, where valueFrom is an arn from parameter store or secrets manager. ` +
            'See AWS documentation for more information: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html.',
        );
      }
      const [name, valueFrom] = pair;
      const existing = secrets.find((entry) => entry.name === name);
      if (existing) existing.valueFrom = valueFrom;
      else secrets.push({ name, valueFrom });
    }
  }

  if (edits.logDriver) {
    container.logConfiguration ??= {};
    if (!VALID_LOG_DRIVERS.includes(edits.logDriver)) {
      throw new Error(
        `'${edits.logDriver}' is invalid logConfigurationLogDriver. valid options are ${VALID_LOG_DRIVERS.join(',')}. ` +
          'More details: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html',
      );
    }
    container.logConfiguration.logDriver = edits.logDriver;
  }

  if (edits.logOptions) {
    container.logConfiguration ??= {};
    const options = (container.logConfiguration.options ??= {});
    for (const option of lines(edits.logOptions)) {
      if (!option.includes('='))
        throw new Error(`Can't parse logConfiguration option ${option}. Must be in key=value format, one per line`);
      const [key, value] = splitTruncating(option);
      options[key] = value;
    }
  }

  if (edits.dockerLabels) {
    const labels = (container.dockerLabels ??= {});
    for (const label of lines(edits.dockerLabels)) {
      // Reproduced quirk: the real action's message for a bad label names logConfiguration.
      if (!label.includes('='))
        throw new Error(`Can't parse logConfiguration option ${label}. Must be in key=value format, one per line`);
      const [key, value] = splitTruncating(label);
      labels[key] = value;
    }
  }
}
