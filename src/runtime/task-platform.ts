/**
 * The platform a task's containers run on, as Fargate picks it from runtimePlatform: the
 * operating system family (LINUX unless it names a Windows Server) on the CPU architecture
 * (X86_64 unless it says ARM64). An image whose configuration names another platform fails the
 * pull in AWS's words; a platform the host cannot run (Windows; an architecture not its own
 * with no binfmt_misc emulation registered) fails the start, saying what would make it run.
 *
 * By design: an image of another architecture fails at the pull even when it is not a
 * multi-platform image (Fargate pulls such an image and the task then dies with `exec format
 * error`), since here emulation might run it where Fargate could not.
 */
import type { ImageDigest } from '../engine/contract.js';
import type { HostPlatforms } from '../host/platforms.js';
import type { TaskDefinition } from '../services/ecs/model.js';

export interface TaskPlatform {
  os: 'linux' | 'windows';
  /** Go's name, as image configurations spell it. */
  architecture: 'amd64' | 'arm64';
}

/** The task definition's platform. */
export function taskPlatform(definition: TaskDefinition): TaskPlatform {
  const { cpuArchitecture, operatingSystemFamily } = definition.document.runtimePlatform ?? {};
  return {
    os: operatingSystemFamily?.startsWith('WINDOWS_') ? 'windows' : 'linux',
    architecture: cpuArchitecture === 'ARM64' ? 'arm64' : 'amd64',
  };
}

/** `linux/arm64`, as pulls and AWS's messages spell a platform. */
export function platformText(platform: TaskPlatform): string {
  return `${platform.os}/${platform.architecture}`;
}

/** The CannotPullContainerError detail when the pulled image is not of the task's platform. */
export function platformMismatch(image: ImageDigest, platform: TaskPlatform): string | undefined {
  const mismatch =
    (image.architecture !== undefined && image.architecture !== platform.architecture) ||
    (image.os !== undefined && image.os !== platform.os);
  return mismatch
    ? `pull image manifest has been retried 1 time(s): image Manifest does not contain descriptor matching platform '${platformText(platform)}'`
    : undefined;
}

/** The CannotStartContainerError detail when this host cannot run the platform's programs. */
export function hostCannotRun(host: HostPlatforms, platform: TaskPlatform): string | undefined {
  const why =
    platform.os === 'windows'
      ? 'dockyard runs Linux containers only (Podman or Docker on a Linux host)'
      : host.cannotRun(platform.architecture);
  return why ? `cannot run ${platformText(platform)} containers: ${why}` : undefined;
}
