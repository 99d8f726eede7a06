/**
 * `dockyard deploy`: what the seed's workflow does, from the terminal: build and push the image
 * (or take one), put it into the service's task definition, register the revision, update the
 * service and follow the rolling deployment. Against the local cloud, or AWS with --aws.
 */
import { ECRClient, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAndPush } from '../deploy/image.js';
import { pickContainer, registrableFrom, repositoryOf } from '../deploy/task-definition.js';
import { AWS_TARGET_FLAGS, AWS_TARGET_USAGE, awsTarget, describeAwsError } from './aws-target.js';
import { CliError, DATA_OPTION, UsageError, parseFlags, stringFlag, type Command } from './command.js';
import { followDeployment } from './follow-deployment.js';

const USAGE = `Usage: dockyard deploy --service S [--cluster C] [--build DIR | --image IMAGE] [--container NAME]
                       [--repository R] [--tag T] [--task-definition FILE] [--no-wait]
                       [--aws [--region R] | --endpoint-url URL] [--json] [--data DIR]

Deploys a new version of an ECS service and follows the rolling deployment, as the seed's
workflow does on a push:
  1. with --build DIR: logs in to ECR, docker build, docker push <repository>:<tag>
  2. puts the image into the task definition (the service's current one, or --task-definition FILE)
  3. registers the new revision and updates the service to it
  4. waits until the new deployment runs alone (COMPLETED), or fails (circuit breaker),
     printing the service's events and why each of its tasks that stops stopped
Without --build or --image it forces a new deployment of the current revision (a restart).

  --cluster C              the cluster (default "default")
  --build DIR              a directory with a Dockerfile to build and push
  --image IMAGE            an image already pushed, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2
  --container NAME         the container that gets the image (default: the only one)
  --repository R           the ECR repository to push to (default: the container's current one)
  --tag T                  the tag to push (default: the git commit of DIR, as the seed's github.sha)
  --task-definition FILE   a task definition JSON file to start from instead of the service's
  --no-wait                return once UpdateService is accepted
${AWS_TARGET_USAGE}
  --json                   print the result as JSON (progress goes to stderr)`;

const FLAGS = {
  ...DATA_OPTION,
  ...AWS_TARGET_FLAGS,
  cluster: { type: 'string' },
  service: { type: 'string' },
  build: { type: 'string' },
  image: { type: 'string' },
  container: { type: 'string' },
  repository: { type: 'string' },
  tag: { type: 'string' },
  'task-definition': { type: 'string' },
  'no-wait': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const deployCommand: Command = {
  name: ['deploy'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS, USAGE);
    if (!flags) return 0;
    const service = stringFlag(flags, 'service');
    if (!service) throw new UsageError(`--service S is required\n\n${USAGE}`);
    const cluster = stringFlag(flags, 'cluster') ?? 'default';
    const build = stringFlag(flags, 'build');
    const givenImage = stringFlag(flags, 'image');
    if (build && givenImage) throw new UsageError('--build and --image exclude each other');
    if (!build && (stringFlag(flags, 'repository') || stringFlag(flags, 'tag')))
      throw new UsageError('--repository and --tag name what --build pushes');
    if (build && !existsSync(join(build, 'Dockerfile'))) throw new UsageError(`${build} has no Dockerfile`);
    const json = flags.json === true;
    const say = (line: string): void => void (json ? process.stderr : process.stdout).write(`${line}\n`);

    const { config, where, local } = awsTarget(flags);
    const ecs = new ECSClient(config);
    const ecr = new ECRClient(config);
    const aws = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      try {
        return await call();
      } catch (error) {
        throw new CliError(`${what}: ${describeAwsError(error)}`);
      }
    };

    const current = (
      await aws('DescribeServices', () => ecs.send(new DescribeServicesCommand({ cluster, services: [service] })))
    ).services?.[0];
    if (!current || current.status !== 'ACTIVE')
      throw new CliError(`service ${service} is not ACTIVE in cluster ${cluster} on ${where}`);
    const currentArn =
      current.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? current.taskDefinition ?? '';
    say(`Deploying ${cluster}/${service} on ${where} (now ${currentArn.split('/').pop()})`);

    let taskDefinitionArn = currentArn;
    let image: string | undefined = givenImage;
    const file = stringFlag(flags, 'task-definition');
    if (image || build || file) {
      const input = file
        ? readTaskDefinition(file)
        : registrableFrom(
            await aws('DescribeTaskDefinition', () =>
              ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: currentArn, include: ['TAGS'] })),
            ),
          );
      const container = inputError(() => pickContainer(input, stringFlag(flags, 'container')));
      if (build) {
        const repository = stringFlag(flags, 'repository') ?? repositoryOf(container.image ?? '');
        const described = await aws(`ECR repository ${repository}`, () =>
          ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })),
        );
        image = `${described.repositories?.[0]?.repositoryUri ?? ''}:${stringFlag(flags, 'tag') ?? defaultTag(build)}`;
        say(`  building ${image} from ${build}`);
        const started = Date.now();
        try {
          await buildAndPush(ecr, { context: resolve(build), image, output: 2 });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        say(`  pushed ${image} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
      if (image) container.image = image;
      const registered = await aws('RegisterTaskDefinition', () => ecs.send(new RegisterTaskDefinitionCommand(input)));
      taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn ?? '';
      say(
        `  registered ${taskDefinitionArn.split('/').pop()}${image ? ` with ${container.name ?? '?'} = ${image}` : ''}`,
      );
    } else {
      say('  no new image: forcing a new deployment of the current revision');
    }

    const updated = await aws('UpdateService', () =>
      ecs.send(
        new UpdateServiceCommand({
          cluster,
          service,
          taskDefinition: taskDefinitionArn,
          ...(taskDefinitionArn === currentArn ? { forceNewDeployment: true } : {}),
        }),
      ),
    );
    const deploymentId = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
    say(`  updated the service (deployment ${deploymentId ?? '?'})`);
    let rolloutState = 'IN_PROGRESS';
    if (!flags['no-wait']) {
      const data = stringFlag(flags, 'data');
      const hints = local ? { cluster, service, ...(data ? { dataFlag: ` --data ${data}` } : {}) } : undefined;
      rolloutState =
        (
          await followDeployment(ecs, {
            cluster,
            service,
            deploymentId,
            what: 'the deployment',
            write: say,
            ...(hints ? { hints } : {}),
          })
        ).rolloutState ?? 'COMPLETED';
      say(`✓ ${service} runs ${taskDefinitionArn.split('/').pop()}`);
    }
    if (json)
      process.stdout.write(
        `${JSON.stringify({ cluster, service, taskDefinitionArn, image: image ?? null, deploymentId: deploymentId ?? null, rolloutState }, null, 2)}\n`,
      );
    return 0;
  },
};

function readTaskDefinition(file: string): RegisterTaskDefinitionCommandInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return registrableFrom({ taskDefinition: JSON.parse(text) as never });
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

function inputError<T>(pick: () => T): T {
  try {
    return pick();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The commit of DIR, as the seed tags with github.sha; a timestamp outside git or with local changes. */
function defaultTag(dir: string): string {
  const git = (args: string[]): string | undefined => {
    try {
      return execFileSync('git', ['-C', dir, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return undefined;
    }
  };
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const sha = git(['rev-parse', 'HEAD']);
  if (!sha) return `build-${stamp}`;
  // Uncommitted changes are not that commit: a tag that says so, never one a later commit reuses.
  return git(['status', '--porcelain', '--', '.']) ? `${sha.slice(0, 12)}-dirty-${stamp}` : sha;
}
