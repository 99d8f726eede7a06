/**
 * What to do about a task that stopped, from its stoppedReason and its containers' exit codes:
 * the likely fix and the commands that show more. Only advice: the reason itself is always
 * printed as ECS recorded it.
 */
import type { StoppedTaskFacts } from '../scheduler/failure-signals.js';

export interface HintContext {
  cluster: string;
  service: string;
  /** ` --data DIR` when the command was given one, so the printed commands reach the same cloud. */
  dataFlag?: string;
}

/** Lines of advice for `task`, most specific first; the logs command last. */
export function likelyFix(task: StoppedTaskFacts, context: HintContext): string[] {
  const reason = task.stoppedReason ?? '';
  const data = context.dataFlag ?? '';
  const codes = (task.containers ?? []).map((c) => c.exitCode).filter((code): code is number => code !== undefined);
  const rules: [boolean, string][] = [
    [
      /HTTP response to HTTPS client/.test(reason),
      "the container engine reaches the cloud's registry over HTTPS: run scripts/setup (or `dockyard doctor`) to mark it as a plain-HTTP registry",
    ],
    [
      /^CannotPullContainerError/.test(reason),
      'the image could not be pulled: check that it was pushed (aws ecr describe-images) and that the execution role may pull it (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)',
    ],
    [
      /catatonit|container-init|conmon|netavark|slirp|cni plugin/i.test(reason),
      `the container engine is missing a piece it needs: \`dockyard doctor${data}\` checks it and says what to install (scripts/setup installs it)`,
    ],
    [
      /exec(utable file)?[: ].*(no such file|not found|permission denied)/i.test(reason) ||
        codes.some((code) => code === 126 || code === 127),
      "the container's command was not found or is not executable: check the image's ENTRYPOINT/CMD and the task definition's entryPoint/command",
    ],
    [
      /failed to validate logger args/.test(reason),
      'the awslogs log group does not exist: create it (aws logs create-log-group) or set "awslogs-create-group": "true" in the task definition',
    ],
    [
      /container health checks/.test(reason),
      "the container's health check keeps failing: check healthCheck.command in the task definition against what the app serves",
    ],
    [task.stopCode === 'EssentialContainerExited', 'the app exited: its output says why'],
  ];
  const advice = rules.find(([applies]) => applies)?.[1];
  return [
    ...(advice ? [advice] : []),
    `dockyard logs --cluster ${context.cluster} --service ${context.service}${data}   (what the containers printed)`,
  ];
}
