/**
 * docker/setup-qemu-action (v2–v4) on dockyard. The real action installs QEMU handlers with a
 * privileged container (tonistiigi/binfmt), which a job may not run; here emulation belongs to
 * the engine's host (Debian's qemu-user-static, registered in binfmt_misc by set-up). The action
 * finds what the engine can run — natively, or emulated, by running a probe program in a build
 * for each architecture — and outputs that list as `platforms`. A platform asked for by name
 * that the engine cannot run fails the step, saying why; with `all`, the missing ones are noted.
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { getList } from '../csv.js';
import { buildxAvailable, lastLine, runBuildx } from '../buildx-runner.js';

/** binfmt's short names (`arm64`, `arm`, `riscv64`) as platforms. */
function asPlatform(name: string): string {
  const clean = name.trim().toLowerCase();
  const full = clean.includes('/') ? clean : `linux/${clean}`;
  return full
    .replace(/^linux\/aarch64$/, 'linux/arm64')
    .replace(/^linux\/arm$/, 'linux/arm/v7')
    .replace(/^linux\/x86_64$/, 'linux/amd64');
}

runStep(async () => {
  const requested = getList(core.getInput('platforms') || 'all');
  if (!buildxAvailable())
    throw new Error("dockyard's buildx plugin is missing (dist/buildx/docker-buildx.cjs): run npm run build");
  const image = core.getInput('image');
  if (image)
    core.info(
      `${image} is not run: QEMU is set up on the engine's host (Debian's qemu-user-static), not by a privileged container`,
    );
  core.startGroup('Extracting available platforms');
  const inspected = await runBuildx(['inspect', '--bootstrap', '--builder', 'default'], { silent: true });
  core.endGroup();
  if (inspected.exitCode !== 0) throw new Error(lastLine(inspected.stderr));
  const available = (/^Platforms:\s*(.*)$/m.exec(inspected.stdout)?.[1] ?? '').split(/,\s*/).filter(Boolean);
  core.info(available.join(','));
  core.setOutput('platforms', available.join(','));
  if (requested.some((r) => r.toLowerCase() === 'all')) {
    if (available.length <= 2)
      core.warning(
        "the engine's host emulates no other platform: install Debian's qemu-user-static there (scripts/setup-engine) to build for other architectures",
      );
    return;
  }
  const missing = requested.map(asPlatform).filter((p) => !available.includes(p));
  if (missing.length > 0) {
    throw new Error(
      `the engine cannot run ${missing.join(', ')}: its host has no emulator registered for them (binfmt_misc). Install Debian's qemu-user-static on the engine's host (scripts/setup-engine does, where the kernel allows binfmt_misc)`,
    );
  }
});
