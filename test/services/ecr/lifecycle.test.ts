/**
 * Lifecycle policies: validation as ECR does it, evaluation (priority order, one rule per
 * image, count and age rules, prefixes and patterns), and the acceptance cases of issue 3:
 * "keep the last 2 images tagged prod*" and "expire untagged images older than 1 day" expire
 * exactly the right images under a ManualClock, and GetLifecyclePolicyPreview names exactly
 * what the runner then deletes.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateLifecycle,
  LifecyclePolicyError,
  parseLifecyclePolicy,
  type LifecycleImage,
} from '../../../src/services/ecr/index.js';
import {
  DAY,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  START,
  createHarness,
  createRepository,
  pushImage,
  rejectsWith,
  type EcrHarness,
} from './fixtures.js';

const HOUR = 60 * 60 * 1000;

interface Selection {
  tagStatus: string;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  countType: string;
  countUnit?: string;
  countNumber: number;
}

const rule = (rulePriority: number, selection: Selection, description = `rule ${rulePriority}`) => ({
  rulePriority,
  description,
  selection,
  action: { type: 'expire' },
});
const policy = (...rules: unknown[]) => JSON.stringify({ rules });

const KEEP_TWO_PROD = rule(
  1,
  { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'imageCountMoreThan', countNumber: 2 },
  'keep the last 2 images tagged prod*',
);
const EXPIRE_OLD_UNTAGGED = rule(
  2,
  { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
  'expire untagged images older than 1 day',
);

describe('parseLifecyclePolicy', () => {
  const refuses = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseLifecyclePolicy(text),
      (e: unknown) => e instanceof LifecyclePolicyError && pattern.test(e.message),
    );

  it('accepts the acceptance policies', () => {
    const parsed = parseLifecyclePolicy(policy(KEEP_TWO_PROD, EXPIRE_OLD_UNTAGGED));
    assert.deepEqual(
      parsed.rules.map((r) => r.rulePriority),
      [1, 2],
    );
    assert.deepEqual(parsed.rules[1]?.selection, {
      tagStatus: 'untagged',
      countType: 'sinceImagePushed',
      countUnit: 'days',
      countNumber: 1,
    });
  });

  it('refuses what ECR refuses', () => {
    refuses('{', /Invalid JSON/);
    refuses(policy(), /rules/);
    refuses(policy(KEEP_TWO_PROD, { ...EXPIRE_OLD_UNTAGGED, rulePriority: 1 }), /unique/);
    refuses(
      policy(rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })),
      /tagPrefixList or tagPatternList is required/,
    );
    refuses(
      policy(rule(1, { tagStatus: 'untagged', tagPrefixList: ['x'], countType: 'imageCountMoreThan', countNumber: 1 })),
      /only be used when tagStatus is tagged/,
    );
    refuses(
      policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }), {
        ...KEEP_TWO_PROD,
        rulePriority: 2,
      }),
      /highest rulePriority/,
    );
    refuses(
      policy(
        rule(1, {
          tagStatus: 'tagged',
          tagPatternList: ['a*b*c*d*e*f'],
          countType: 'imageCountMoreThan',
          countNumber: 1,
        }),
      ),
      /more than 4 wildcards/,
    );
    refuses(
      policy(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 })),
      /countUnit must be 'days'/,
    );
    refuses(
      policy(rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 1 })),
      /countUnit is not allowed/,
    );
    refuses(
      policy(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 1 })),
      /countType/,
    );
    refuses(policy(rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 0 })), /countNumber/);
    refuses(
      policy({
        ...rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
        action: { type: 'transition' },
      }),
      /only 'expire'/,
    );
    refuses(
      policy({ ...rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }), extra: 1 }),
      /not allowed/,
    );
  });
});

describe('evaluateLifecycle', () => {
  const image = (digest: string, tags: string[], ageDays: number): LifecycleImage => ({
    digest,
    tags,
    pushedAt: new Date(START.getTime() - ageDays * DAY),
  });

  it('lets a higher-priority rule claim the images it selects, even those it keeps', () => {
    const images = [
      image('p1', ['prod-1'], 5),
      image('p2', ['prod-2'], 4),
      image('p3', ['prod-3'], 3),
      image('d1', ['dev-1'], 2),
      image('d2', ['dev-2'], 1),
    ];
    const parsed = parseLifecyclePolicy(
      policy(KEEP_TWO_PROD, rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 })),
    );
    const expired = evaluateLifecycle(images, parsed, START).map((e) => [e.image.digest, e.rulePriority]);
    // Rule 1 takes every prod image (expiring the oldest); rule 2 only sees the dev images.
    assert.deepEqual(expired, [
      ['p1', 1],
      ['d1', 2],
    ]);
  });

  it('requires every prefix of tagPrefixList to be matched by some tag', () => {
    const images = [image('both', ['alpha-1', 'beta-1'], 3), image('alpha', ['alpha-2'], 2)];
    const parsed = parseLifecyclePolicy(
      policy(
        rule(1, {
          tagStatus: 'tagged',
          tagPrefixList: ['alpha', 'beta'],
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 1,
        }),
      ),
    );
    assert.deepEqual(
      evaluateLifecycle(images, parsed, START).map((e) => e.image.digest),
      ['both'],
    );
  });
});

describe('lifecycle acceptance', () => {
  let h: EcrHarness;
  beforeEach(async () => {
    h = createHarness();
    await createRepository(h, 'my-app');
  });
  afterEach(() => h.dispose());

  /** Pushes at the clock's time, then moves the clock on. */
  const pushAt = (seed: string, tag: string | undefined, advance: number): string => {
    const digest = pushImage(h, 'my-app', seed, tag);
    h.clock.advance(advance);
    return digest;
  };

  interface Preview {
    status: string;
    previewResults: {
      imageDigest: string;
      imageTags?: string[];
      appliedRulePriority: number;
      action: { type: string };
    }[];
    summary: { expiringImageTotalCount: number };
  }

  const previewNow = async (): Promise<Preview> => {
    const started = await h.call<{ status: string }>('StartLifecyclePolicyPreview', { repositoryName: 'my-app' });
    assert.equal(started.status, 'IN_PROGRESS');
    return h.call<Preview>('GetLifecyclePolicyPreview', { repositoryName: 'my-app' });
  };

  const remaining = (): string[] => h.images.images('my-app').map((i) => i.digest);

  it('keeps the last 2 images tagged prod*, and the preview agrees with the run', async () => {
    const prod1 = pushAt('prod-1', 'prod-1', HOUR);
    const prod2 = pushAt('prod-2', 'prod-2', HOUR);
    const dev = pushAt('dev-1', 'dev-1', HOUR);
    const prod3 = pushAt('prod-3', 'production-3', HOUR);
    const prod4 = pushAt('prod-4', 'prod-4', HOUR);
    const untagged = pushAt('scratch', undefined, HOUR);
    await h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: policy(KEEP_TWO_PROD) });

    const preview = await previewNow();
    assert.equal(preview.status, 'COMPLETE');
    const previewed = preview.previewResults.map((r) => r.imageDigest).sort();
    assert.deepEqual(previewed, [prod1, prod2].sort());
    assert.ok(preview.previewResults.every((r) => r.appliedRulePriority === 1 && r.action.type === 'EXPIRE'));
    assert.equal(preview.summary.expiringImageTotalCount, 2);

    const [run] = h.runner.runOnce(h.clock.now());
    assert.deepEqual(run?.expired.map((e) => e.image.digest).sort(), previewed);
    assert.deepEqual(remaining().sort(), [dev, prod3, prod4, untagged].sort());
    const got = await h.call<{ lastEvaluatedAt?: Date }>('GetLifecyclePolicy', { repositoryName: 'my-app' });
    assert.deepEqual(got.lastEvaluatedAt, h.clock.now());
  });

  it('expires untagged images older than 1 day as the clock moves, and the preview agrees', async () => {
    const t0 = pushAt('untagged-0', undefined, 12 * HOUR); // T0
    const t12 = pushAt('untagged-12', undefined, 24 * HOUR); // T0+12h
    const t36 = pushAt('untagged-36', undefined, 0); // T0+36h
    const tagged = pushImage(h, 'my-app', 'tagged-old', 'v1'); // T0+36h, tagged: never selected
    await h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: policy(EXPIRE_OLD_UNTAGGED) });

    // At T0+36h only the T0 image is more than a day old.
    assert.deepEqual(
      (await previewNow()).previewResults.map((r) => r.imageDigest),
      [t0],
    );
    assert.deepEqual(
      h.runner.runOnce(h.clock.now())[0]?.expired.map((e) => e.image.digest),
      [t0],
    );

    // At T0+48h the T0+12h image is 36 hours old; the T0+36h one only 12.
    h.clock.advance(12 * HOUR);
    const preview = await previewNow();
    assert.deepEqual(
      preview.previewResults.map((r) => r.imageDigest),
      [t12],
    );
    assert.deepEqual(
      h.runner.runOnce(h.clock.now())[0]?.expired.map((e) => e.image.digest),
      [t12],
    );
    assert.deepEqual(remaining().sort(), [t36, tagged].sort());

    // A day and a bit later the last untagged image goes too; the tagged one never does.
    h.clock.advance(DAY);
    h.runner.runOnce(h.clock.now());
    assert.deepEqual(remaining(), [tagged]);
  });

  it('applies both rules together, each image expired by one rule, preview and run agreeing', async () => {
    const prod = ['prod-1', 'prod-2', 'prod-3'].map((t) => pushAt(t, t, 6 * HOUR));
    const oldUntagged = pushAt('old-untagged', undefined, 2 * DAY);
    const freshUntagged = pushAt('fresh-untagged', undefined, HOUR);
    await h.call('PutLifecyclePolicy', {
      repositoryName: 'my-app',
      lifecyclePolicyText: policy(KEEP_TWO_PROD, EXPIRE_OLD_UNTAGGED),
    });
    const preview = await previewNow();
    const expected = [
      [prod[0], 1],
      [oldUntagged, 2],
    ];
    assert.deepEqual(preview.previewResults.map((r) => [r.imageDigest, r.appliedRulePriority]).sort(), expected.sort());
    const untaggedOnly = await h.call<Preview>('GetLifecyclePolicyPreview', {
      repositoryName: 'my-app',
      filter: { tagStatus: 'UNTAGGED' },
    });
    assert.deepEqual(
      untaggedOnly.previewResults.map((r) => r.imageDigest),
      [oldUntagged],
    );
    assert.equal(untaggedOnly.summary.expiringImageTotalCount, 2);
    const run = h.runner.applyLifecycle('my-app', h.clock.now());
    assert.deepEqual(run.expired.map((e) => [e.image.digest, e.rulePriority]).sort(), expected.sort());
    assert.deepEqual(remaining().sort(), [prod[1], prod[2], freshUntagged].sort());
  });

  it('does not expire the untagged children of a tagged manifest list', async () => {
    const child = pushAt('child', undefined, 3 * DAY);
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_LIST,
        manifests: [{ mediaType: DOCKER_MANIFEST, size: 1, digest: child }],
      }),
    );
    assert.ok(
      h.images.putManifest({
        repository: 'my-app',
        content: list,
        mediaType: DOCKER_LIST,
        tag: 'multi',
        now: h.clock.now(),
      }).ok,
    );
    await h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: policy(EXPIRE_OLD_UNTAGGED) });
    assert.deepEqual((await previewNow()).previewResults, []);
    assert.deepEqual(h.runner.runOnce(h.clock.now())[0]?.expired, []);
  });
});

describe('lifecycle policy operations', () => {
  let h: EcrHarness;
  beforeEach(async () => {
    h = createHarness();
    await createRepository(h, 'my-app');
  });
  afterEach(() => h.dispose());

  it('puts, gets and deletes a policy; answers LifecyclePolicyNotFoundException when there is none', async () => {
    await rejectsWith(
      h.call('GetLifecyclePolicy', { repositoryName: 'my-app' }),
      'LifecyclePolicyNotFoundException',
      "Lifecycle policy does not exist for the repository with name 'my-app' in the registry with id '123456789012'",
    );
    const text = policy(KEEP_TWO_PROD);
    assert.deepEqual(await h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: text }), {
      registryId: '123456789012',
      repositoryName: 'my-app',
      lifecyclePolicyText: text,
    });
    assert.equal(
      (await h.call<{ lifecyclePolicyText: string }>('GetLifecyclePolicy', { repositoryName: 'my-app' }))
        .lifecyclePolicyText,
      text,
    );
    await h.call('DeleteLifecyclePolicy', { repositoryName: 'my-app' });
    await rejectsWith(
      h.call('DeleteLifecyclePolicy', { repositoryName: 'my-app' }),
      'LifecyclePolicyNotFoundException',
    );
    await rejectsWith(
      h.call('StartLifecyclePolicyPreview', { repositoryName: 'my-app' }),
      'LifecyclePolicyNotFoundException',
    );
    await rejectsWith(
      h.call('GetLifecyclePolicyPreview', { repositoryName: 'my-app' }),
      'LifecyclePolicyPreviewNotFoundException',
    );
  });

  it('refuses invalid policies with InvalidParameterException', async () => {
    const bad = policy(
      rule(
        1,
        { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 2 },
        'a rule long enough to pass the hundred character minimum',
      ),
    );
    await rejectsWith(
      h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: bad }),
      'InvalidParameterException',
      /^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: /,
    );
    await rejectsWith(
      h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: '{"rules":[]}' }),
      'InvalidParameterException',
      /length greater than or equal to 100/,
    );
    await rejectsWith(
      h.call('PutLifecyclePolicy', { repositoryName: 'my-app', lifecyclePolicyText: 'x'.repeat(30721) }),
      'InvalidParameterException',
      /less than or equal to 30720/,
    );
  });

  it('previews a policy given in the request without storing it', async () => {
    pushImage(h, 'my-app', 'a');
    h.clock.advance(2 * DAY);
    await h.call('StartLifecyclePolicyPreview', {
      repositoryName: 'my-app',
      lifecyclePolicyText: policy(EXPIRE_OLD_UNTAGGED),
    });
    const preview = await h.call<{ previewResults: unknown[]; lifecyclePolicyText: string }>(
      'GetLifecyclePolicyPreview',
      { repositoryName: 'my-app' },
    );
    assert.equal(preview.previewResults.length, 1);
    await rejectsWith(h.call('GetLifecyclePolicy', { repositoryName: 'my-app' }), 'LifecyclePolicyNotFoundException');
  });
});
