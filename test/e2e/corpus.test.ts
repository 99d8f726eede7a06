/**
 * Issue 12's acceptance: the twelve workflows of the corpus's `acceptanceProposal`
 * (test/corpus/index.json), real public ECS deploy workflows, run unchanged in one cloud
 * (`dockyard up`) at once. Each gets a hosted repository with its files as published plus our
 * stand-ins for the app's own files, the AWS resources it expects, only the secrets and variables
 * a user sets (account, role or access key, region, names); then its pushes and dispatches run
 * and every run must conclude success with every step green.
 *
 * Entries that need a feature still being built are listed in EXPECTED_FAILURES with the
 * reason: the test fails if one of them starts passing (flip it) or if one not listed fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  cliOk,
  entryWorkTree,
  firstFailure,
  git,
  readCorpusIndex,
  REPO_ROOT,
  runView,
  storeSettings,
  type EntryResult,
  type RunView,
} from '../support/corpus.js';
import { CORPUS_ACCOUNT_ID, RECIPES, type Stage } from '../support/corpus-recipes.js';
import { DOCKYARD_BIN, startDockyardCloud, type DockyardProcess } from '../support/dockyard-cli.js';
import { TRUST } from '../runtime/support.js';
import { removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';

/**
 * Entry → what it lacks, and what its first failure must say: a listed entry that passes, or
 * fails for another reason, fails the test. The integrator removes a line when the feature lands.
 */
const EXPECTED_FAILURES: Record<string, { lacks: string; says: RegExp }> = {};

/**
 * Entries not run at all, with why: each would hang the file until the deploy action's own
 * timeout rather than fail (a test that waits out 30 minutes helps no one).
 */
const NOT_RUN: Record<string, string> = {};

const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///run/podman/podman.sock';
const OWNER = 'corpus';

describe('the ECS deploy corpus: twelve real workflows run unchanged', { timeout: 900_000 }, () => {
  const proposed = readCorpusIndex().acceptanceProposal;
  // DOCKYARD_CORPUS_ONLY=a,b runs just those (a NOT_RUN one too), for work on one entry.
  const only = process.env.DOCKYARD_CORPUS_ONLY?.split(',').filter((name) => name !== '');
  const names = proposed.filter((name) => (only === undefined ? NOT_RUN[name] === undefined : only.includes(name)));
  const results = new Map<string, EntryResult>();
  const works: string[] = [];
  const clouds: { dataDir: string; proc?: DockyardProcess }[] = [];
  let wallSeconds = 0;
  /**
   * Tags of the one stand-in image, one at a time: Podman lost a name when two tags of the same
   * image came at once ("image not known" on the push that followed).
   */
  let engineNames: Promise<unknown> = Promise.resolve();

  before(
    async () => {
      const started = Date.now();
      await runOk('bash', [join(REPO_ROOT, 'scripts', 'base-images')]);
      const index = readCorpusIndex();
      // One cloud per account id written into the entries' files (an account per cloud, as on
      // AWS); most entries take theirs from settings and share the first.
      const accounts = [...new Set(names.map((name) => RECIPES[name]?.accountId ?? CORPUS_ACCOUNT_ID))];
      const stages = new Map(
        await Promise.all(accounts.map(async (account) => [account, await cloudFor(account)] as const)),
      );
      await Promise.all(
        names.map(async (name) => {
          const entry = index.workflows.find((w) => w.name === name);
          const recipe = RECIPES[name];
          const base = stages.get(recipe?.accountId ?? CORPUS_ACCOUNT_ID);
          assert.ok(entry && recipe && base, `a recipe for ${name}`);
          const t0 = Date.now();
          const region = recipe.region ?? 'us-east-1';
          const stage: Stage = { ...base, config: { ...base.config, region }, repository: `${OWNER}/${name}` };
          try {
            const runs = await runEntry(entry, recipe, stage);
            const failures = (await Promise.all(runs.map((r) => firstFailure(stage.dataDir, r)))).filter(
              (f): f is string => f !== undefined,
            );
            if (runs.length !== recipe.runs)
              failures.unshift(
                `${runs.length} run(s), expected ${recipe.runs}: ${runs.map((r) => r.workflowFile).join(', ')}`,
              );
            results.set(name, {
              name,
              ok: failures.length === 0,
              runs,
              firstFailure: failures[0],
              seconds: secondsSince(t0),
            });
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            results.set(name, {
              name,
              ok: false,
              runs: [],
              firstFailure: `set-up: ${message.slice(0, 600)}`,
              seconds: secondsSince(t0),
            });
          }
        }),
      );
      wallSeconds = secondsSince(started);
    },
    { timeout: 840_000 },
  );

  after(async () => {
    for (const { dataDir, proc } of clouds) {
      await proc?.stop();
      await removeCloudContainers(dataDir);
      if (proc) await removeImages(`localhost:${proc.port}/`);
    }
    // DOCKYARD_CORPUS_KEEP=1 keeps the clouds' data directories (the runs' logs) for a look.
    const kept = process.env.DOCKYARD_CORPUS_KEEP === '1' ? clouds.map((c) => c.dataDir) : [];
    if (kept.length > 0) console.log(`kept: ${kept.join(' ')}`);
    for (const dir of [...works, ...clouds.map((c) => c.dataDir)])
      if (!kept.includes(dir)) rmSync(dir, { recursive: true, force: true });
  });

  /** `dockyard up` with this account id, and what every entry in it shares. */
  async function cloudFor(accountId: string): Promise<Omit<Stage, 'repository'>> {
    const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-corpus-'));
    const cloud: (typeof clouds)[number] = { dataDir };
    clouds.push(cloud);
    const proc = await startDockyardCloud(['--data', dataDir, '--account-id', accountId], {
      env: { DOCKYARD_DATA: dataDir },
    });
    cloud.proc = proc;
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const config = { endpoint: proc.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 };
    const registry = `localhost:${proc.port}`;
    return { ...(await sharedResources(config, registry)), config, registry, accountId, dataDir };
  }

  /**
   * GitHub as the account's OIDC provider, the execution role, the stand-in image in ECR, and
   * docker logged in to it.
   */
  async function sharedResources(config: Stage['config'], registry: string) {
    // A docker configuration per cloud: logins to several clouds at once would race on one file.
    const dockerEnv = { DOCKER_HOST, DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dockyard-corpus-docker-')) };
    works.push(dockerEnv.DOCKER_CONFIG);
    const iam = new IAMClient(config);
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    const executionRole = await iam.send(
      new CreateRoleCommand({
        RoleName: 'ecsTaskExecutionRole',
        AssumeRolePolicyDocument: TRUST,
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'ecsTaskExecutionRole',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      }),
    );
    const token = (await new ECRClient(config).send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
    const password = Buffer.from(token?.authorizationToken ?? '', 'base64')
      .toString()
      .replace(/^AWS:/, '');
    await runOk('docker', ['login', '--username', 'AWS', '--password-stdin', registry], {
      env: dockerEnv,
      input: password,
    });
    const context = mkdtempSync(join(tmpdir(), 'dockyard-corpus-standin-'));
    works.push(context);
    writeFileSync(join(context, 'Dockerfile'), 'FROM python:3.11-slim\nCMD python3 -m http.server "${PORT:-8080}"\n');
    const standin = `${registry}/corpus-standin:1`;
    await runOk('docker', ['build', '-t', standin, context], { env: dockerEnv });
    await new ECRClient(config).send(new CreateRepositoryCommand({ repositoryName: 'corpus-standin' }));
    await runOk('docker', ['push', standin], { env: dockerEnv });
    return {
      standinImage: standin,
      executionRoleArn: executionRole.Role?.Arn ?? '',
      pushStandin(name: string, tag: string) {
        // A repository URI (another region's, localhost:PORT/<account>.dkr.ecr.<region>.amazonaws.com/<name>) or a home-region name.
        const target = name.includes('/') ? `${name}:${tag}` : `${registry}/${name}:${tag}`;
        const pushed = engineNames.then(async () => {
          await runOk('docker', ['tag', standin, target], { env: dockerEnv });
          await runOk('docker', ['push', target], { env: dockerEnv });
        });
        engineNames = pushed.catch(() => undefined);
        return pushed;
      },
    };
  }

  async function runEntry(
    entry: Parameters<typeof entryWorkTree>[0],
    recipe: (typeof RECIPES)[string],
    stage: Stage,
  ): Promise<RunView[]> {
    const work = entryWorkTree(entry, recipe.standIns(stage), recipe.edit);
    works.push(work);
    await git(work, ['init', '-q', '-b', recipe.branch]);
    await git(work, ['add', '-A']);
    await git(work, ['commit', '-qm', `${entry.name} as published, with stand-ins for the app's files`]);
    await cliOk(stage.dataDir, ['repo', 'create', stage.repository, '--remote', 'dockyard'], work);
    if (recipe.alsoHost) {
      const other = mkdtempSync(join(tmpdir(), `dockyard-corpus-${entry.name}-also-`));
      works.push(other);
      cpSync(join(REPO_ROOT, entry.corpusDir, recipe.alsoHost.dir), other, { recursive: true });
      await git(other, ['init', '-q', '-b', 'main']);
      await git(other, ['add', '-A']);
      await git(other, ['commit', '-qm', 'as published']);
      await cliOk(stage.dataDir, ['repo', 'create', recipe.alsoHost.repository, '--remote', 'dockyard'], other);
      await push(stage.dataDir, other, 'main');
    }
    await storeSettings(stage.dataDir, stage.repository, await recipe.provision(stage));
    await push(stage.dataDir, work, recipe.branch);
    for (const trigger of recipe.then) {
      if ('push' in trigger) {
        await git(work, ['tag', trigger.push]);
        await push(stage.dataDir, work, trigger.push);
      } else {
        const fields = Object.entries(trigger.inputs ?? {}).flatMap(([k, v]) => ['-f', `${k}=${v}`]);
        // Exits 1 when the run fails; the run is read back below either way.
        await run(process.execPath, [DOCKYARD_BIN, 'run', trigger.dispatch, '--repo', stage.repository, ...fields], {
          env: { DOCKYARD_DATA: stage.dataDir },
        });
      }
    }
    const listed = JSON.parse(
      await cliOk(stage.dataDir, ['runs', 'list', '--repo', stage.repository, '--limit', '50', '--json']),
    ) as { id: number }[];
    return Promise.all(listed.reverse().map((r) => runView(stage.dataDir, r.id)));
  }

  /** `dockyard push`: follows the runs the push starts; a failing run is read back later. */
  function push(dataDir: string, work: string, ref: string) {
    return run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', ref], {
      cwd: work,
      env: { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' },
    });
  }

  it('reports each entry, the count and the wall time', (t) => {
    const green = names.filter((n) => results.get(n)?.ok);
    t.diagnostic(
      `corpus: ${green.length}/${proposed.length} green (${names.length} run) in ${wallSeconds} s wall time`,
    );
    for (const name of names) {
      const r = results.get(name);
      t.diagnostic(
        `${r?.ok ? 'PASS' : 'FAIL'} ${name} (${r?.seconds ?? '?'} s)${r?.firstFailure ? `: ${r.firstFailure}` : ''}`,
      );
    }
    assert.equal(results.size, names.length);
  });

  for (const [name, why] of Object.entries(NOT_RUN))
    if (!names.includes(name)) it(`${name} (not run)`, { skip: why }, () => undefined);

  for (const name of names) {
    const expected = EXPECTED_FAILURES[name];
    it(`${name}${expected ? ` (expected to fail: ${expected.lacks})` : ''}`, () => {
      const result = results.get(name);
      assert.ok(result, `${name} ran`);
      if (!expected) return assert.ok(result.ok, `${name}: ${result.firstFailure ?? ''}`);
      assert.ok(!result.ok, `${name} now passes: remove it from EXPECTED_FAILURES (${expected.lacks})`);
      assert.match(result.firstFailure ?? '', expected.says, `${name} fails for another reason`);
    });
  }
});

function secondsSince(t0: number): number {
  return Math.round((Date.now() - t0) / 1000);
}
