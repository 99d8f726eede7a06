/**
 * Task definition operations: RegisterTaskDefinition (validated by task-definition-rules),
 * DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies and
 * DeregisterTaskDefinition. A deregistered revision is INACTIVE: still describable, no
 * longer usable by new services and tasks.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation, RequestContext } from '../../../core/operation.js';
import { parseTaskDefinitionRef, taskDefinitionArn } from '../arns.js';
import { authorization, passRoles, requestTagContext, tagOnCreate } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { clientError, invalidParameter } from '../errors.js';
import { mergeTags, paginate, readIncludeTags, readPaging, readTags, type Paging } from '../input-rules.js';
import { requireTaskDefinition } from '../lookups.js';
import type { Tag, TaskDefinitionStatus } from '../model.js';
import { taskDefinitionOutput } from '../outputs.js';
import { CONTAINER_DEFINITION, VOLUME, readFields } from '../shapes.js';
import { validateTaskDefinition, type RawTaskDefinition } from '../task-definition-rules.js';

type Out = Record<string, unknown>;

interface RegisterInput extends RawTaskDefinition {
  tags?: Tag[];
}

/** True when `image` is pulled from ECR: AWS's registry host, the local registry, or any localhost:PORT. */
export function isEcrImage(image: string, registryHost: string | undefined): boolean {
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  const host = image.slice(0, slash);
  if (/^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/.test(host)) return true;
  return host === registryHost || /^(?:localhost|127\.0\.0\.1):\d+$/.test(host);
}

function readRegisterInput(r: InputReader): RegisterInput {
  const input: RegisterInput = {
    family: r.string('family', { required: true, min: 1, max: 255 }),
    containerDefinitions:
      r.list('containerDefinitions', (c) => readFields(c, CONTAINER_DEFINITION), { required: true }) ?? [],
    tags: readTags(r),
  };
  const optional = {
    taskRoleArn: r.string('taskRoleArn'),
    executionRoleArn: r.string('executionRoleArn'),
    networkMode: r.string('networkMode', { oneOf: ['bridge', 'host', 'awsvpc', 'none'] }),
    volumes: r.list('volumes', (v) => readFields(v, VOLUME)),
    placementConstraints: r.list(
      'placementConstraints',
      (p) => readFields(p, { type: 'string', expression: 'string' }),
      { maxItems: 10 },
    ),
    requiresCompatibilities: r.stringList('requiresCompatibilities', {
      oneOf: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'],
    }),
    cpu: r.string('cpu'),
    memory: r.string('memory'),
    pidMode: r.string('pidMode', { oneOf: ['host', 'task'] }),
    ipcMode: r.string('ipcMode', { oneOf: ['host', 'task', 'none'] }),
    ephemeralStorage: r.structure('ephemeralStorage', (e) => ({
      sizeInGiB: e.integer('sizeInGiB', { required: true }),
    })),
    runtimePlatform: r.structure('runtimePlatform', (p) =>
      readFields(p, { cpuArchitecture: 'string', operatingSystemFamily: 'string' }),
    ),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(input, { [key]: value });
  return input;
}

function callerArn(ctx: RequestContext): string {
  return ctx.caller.kind === 'anonymous' ? `arn:aws:iam::${ctx.accountId}:root` : ctx.caller.arn;
}

/** RegisterTaskDefinition: the next revision of the family. */
export function registerTaskDefinition(
  deps: EcsServiceDeps,
): Operation<RegisterInput, { taskDefinition: Out; tags?: Tag[] }> {
  const { store } = deps;
  return {
    input: readRegisterInput,
    authorize: (input) => {
      const next = (store.taskDefinitions.list({ family: input.family }).at(-1)?.revision ?? 0) + 1;
      return [
        authorization('ecs:RegisterTaskDefinition', '*', requestTagContext(input.tags)),
        ...tagOnCreate('RegisterTaskDefinition', taskDefinitionArn(store.partition, input.family, next), input.tags),
        // AWS checks iam:PassRole for the task and execution roles when they are registered.
        ...passRoles([input.taskRoleArn, input.executionRoleArn]),
      ];
    },
    run: (input, ctx) => {
      const { tags, ...raw } = input;
      if (raw.ephemeralStorage && (raw.ephemeralStorage.sizeInGiB < 21 || raw.ephemeralStorage.sizeInGiB > 200)) {
        throw clientError('The ephemeral storage size must be between 21 GiB and 200 GiB.'); // unverified
      }
      const document = validateTaskDefinition(raw, {
        roleExists: (arn) => deps.roles.getRoleByArn(arn) !== undefined,
        isEcrImage: (image) => isEcrImage(image, deps.registryHost),
      });
      const definition = store.taskDefinitions.register({
        family: raw.family,
        document,
        tags: mergeTags([], tags ?? []),
        registeredAt: ctx.clock.now(),
        registeredBy: callerArn(ctx),
      });
      const out: { taskDefinition: Out; tags?: Tag[] } = { taskDefinition: taskDefinitionOutput(definition) };
      if (definition.tags.length > 0) out.tags = definition.tags;
      return out;
    },
  };
}

/** DescribeTaskDefinition: FAMILY means its latest ACTIVE revision; tags with include TAGS. */
export function describeTaskDefinition({
  store,
}: EcsServiceDeps): Operation<{ taskDefinition: string; withTags: boolean }, { taskDefinition: Out; tags?: Tag[] }> {
  return {
    input: (r) => ({ taskDefinition: r.string('taskDefinition', { required: true }), withTags: readIncludeTags(r) }),
    authorize: () => [authorization('ecs:DescribeTaskDefinition', '*')],
    run: (input) => {
      const definition = requireTaskDefinition(store, input.taskDefinition);
      const out: { taskDefinition: Out; tags?: Tag[] } = { taskDefinition: taskDefinitionOutput(definition) };
      if (input.withTags) out.tags = definition.tags;
      return out;
    },
  };
}

/** DeregisterTaskDefinition: FAMILY:REVISION (or ARN) becomes INACTIVE. */
export function deregisterTaskDefinition({
  store,
}: EcsServiceDeps): Operation<{ taskDefinition: string }, { taskDefinition: Out }> {
  return {
    input: (r) => ({ taskDefinition: r.string('taskDefinition', { required: true }) }),
    authorize: () => [authorization('ecs:DeregisterTaskDefinition', '*')],
    run: (input, ctx) => {
      const ref = parseTaskDefinitionRef(input.taskDefinition);
      if (ref && ref.revision === undefined) throw invalidParameter('Task definition revision must be specified.'); // unverified
      const definition = requireTaskDefinition(store, input.taskDefinition);
      if (definition.status === 'ACTIVE') {
        definition.status = 'INACTIVE';
        definition.deregisteredAt = ctx.clock.now();
        store.taskDefinitions.put(definition);
      }
      return { taskDefinition: taskDefinitionOutput(definition) };
    },
  };
}

interface ListTaskDefinitionsInput extends Paging {
  familyPrefix?: string;
  status: TaskDefinitionStatus;
  sort: 'ASC' | 'DESC';
}

/**
 * ListTaskDefinitions: ARNs by family and revision. Despite its name, familyPrefix is a
 * whole family name (as the API reference says and AWS does).
 */
export function listTaskDefinitions({
  store,
}: EcsServiceDeps): Operation<ListTaskDefinitionsInput, { taskDefinitionArns: string[]; nextToken?: string }> {
  return {
    input: (r) => ({
      familyPrefix: r.string('familyPrefix'),
      status: r.string('status', { oneOf: ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] }) ?? 'ACTIVE',
      sort: r.string('sort', { oneOf: ['ASC', 'DESC'] }) ?? 'ASC',
      ...readPaging(r),
    }),
    authorize: () => [authorization('ecs:ListTaskDefinitions', '*')],
    run: (input) => {
      const all = store.taskDefinitions.list({ family: input.familyPrefix, status: input.status });
      if (input.sort === 'DESC') all.reverse();
      const page = paginate(all, input);
      return { taskDefinitionArns: page.items.map((d) => d.taskDefinitionArn), nextToken: page.nextToken };
    },
  };
}

interface ListFamiliesInput extends Paging {
  familyPrefix?: string;
  status: 'ACTIVE' | 'INACTIVE' | 'ALL';
}

/** ListTaskDefinitionFamilies: by default every family; ACTIVE = has an ACTIVE revision, INACTIVE = has none. */
export function listTaskDefinitionFamilies({
  store,
}: EcsServiceDeps): Operation<ListFamiliesInput, { families: string[]; nextToken?: string }> {
  return {
    input: (r) => ({
      familyPrefix: r.string('familyPrefix'),
      status: r.string('status', { oneOf: ['ACTIVE', 'INACTIVE', 'ALL'] }) ?? 'ALL',
      ...readPaging(r),
    }),
    authorize: () => [authorization('ecs:ListTaskDefinitionFamilies', '*')],
    run: (input) => {
      const families = store.taskDefinitions
        .families()
        .filter((f) => input.familyPrefix === undefined || f.family.startsWith(input.familyPrefix))
        .filter((f) => input.status === 'ALL' || (input.status === 'ACTIVE') === f.active)
        .map((f) => f.family);
      const page = paginate(families, input);
      return { families: page.items, nextToken: page.nextToken };
    },
  };
}
